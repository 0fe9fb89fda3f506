package dev.bulwark.decision;

import static java.util.Objects.requireNonNull;

import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpRange;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The live decisions of one origin, immutable, sorted by target (IPv4 first, then by first
 * address, then by last). Finding every decision whose target holds an address is a binary
 * search plus a short walk back, bounded by the furthest end reached so far: no per-lookup
 * allocation besides the result.
 */
public final class OriginDecisions {
    static final Comparator<IpRange> TARGET_ORDER = Comparator.comparing(IpRange::first).thenComparing(IpRange::last);
    private static final Comparator<Decision> ORDER = Comparator.comparing(Decision::target, TARGET_ORDER);

    private final String origin;
    private final Decision[] decisions;
    // for each index, the highest last address among entries 0..index of the same family
    private final long[] reachHigh;
    private final long[] reachLow;
    private final int firstIpv6;
    private final Instant earliestExpiry;
    private final Instant latestExpiry;

    private OriginDecisions(String origin, Decision[] sorted) {
        this.origin = origin;
        this.decisions = sorted;
        Instant earliest = null;
        Instant latest = null;
        for (Decision decision : sorted) {
            Instant expiresAt = decision.expiresAt();
            if (expiresAt != null) {
                earliest = earliest == null || expiresAt.isBefore(earliest) ? expiresAt : earliest;
                latest = latest == null || expiresAt.isAfter(latest) ? expiresAt : latest;
            }
        }
        this.earliestExpiry = earliest;
        this.latestExpiry = latest;
        this.reachHigh = new long[sorted.length];
        this.reachLow = new long[sorted.length];
        int ipv6 = sorted.length;
        long high = 0;
        long low = 0;
        IpFamily family = null;
        for (int index = 0; index < sorted.length; index++) {
            IpAddress last = sorted[index].target().last();
            if (last.family() != family) {
                family = last.family();
                high = last.high();
                low = last.low();
                if (family == IpFamily.IPV6 && ipv6 == sorted.length) {
                    ipv6 = index;
                }
            } else if (compare(last.high(), last.low(), high, low) > 0) {
                high = last.high();
                low = last.low();
            }
            reachHigh[index] = high;
            reachLow[index] = low;
        }
        this.firstIpv6 = ipv6;
    }

    /** The decisions, which must all be of {@code origin} and have distinct targets. */
    public static OriginDecisions of(String origin, Collection<Decision> decisions) {
        requireNonNull(origin, "origin is null");
        Decision[] sorted = decisions.toArray(new Decision[0]);
        Arrays.sort(sorted, ORDER);
        for (int index = 0; index < sorted.length; index++) {
            if (!sorted[index].origin().equals(origin)) {
                throw new IllegalArgumentException("decision of " + sorted[index].origin() + " among those of " + origin);
            }
            if (index > 0 && sorted[index].target().equals(sorted[index - 1].target())) {
                throw new IllegalArgumentException("two decisions of " + origin + " on " + sorted[index].target());
            }
        }
        return new OriginDecisions(origin, sorted);
    }

    public static OriginDecisions empty(String origin) {
        return new OriginDecisions(origin, new Decision[0]);
    }

    public String origin() {
        return origin;
    }

    public int size() {
        return decisions.length;
    }

    public Decision get(int index) {
        return decisions[index];
    }

    /** The earliest expiry of any of its decisions, or null when none expires. */
    public Instant earliestExpiry() {
        return earliestExpiry;
    }

    /** The latest expiry of any of its decisions, or null when none expires. */
    public Instant latestExpiry() {
        return latestExpiry;
    }

    public void forEach(Consumer<Decision> action) {
        for (Decision decision : decisions) {
            action.accept(decision);
        }
    }

    public List<Decision> asList() {
        return List.of(decisions);
    }

    /** The decision on exactly {@code target}, or null. */
    public Decision find(IpRange target) {
        int index = Arrays.binarySearch(decisions, target, (Object element, Object key) ->
                TARGET_ORDER.compare(((Decision) element).target(), (IpRange) key));
        return index >= 0 ? decisions[index] : null;
    }

    /** Adds to {@code into} every decision whose target holds {@code address}, in target order. */
    public void containing(IpAddress address, List<Decision> into) {
        int from = address.family() == IpFamily.IPV4 ? 0 : firstIpv6;
        int to = address.family() == IpFamily.IPV4 ? firstIpv6 : decisions.length;
        // the last entry whose first address is at or before the address
        int low = from;
        int high = to - 1;
        int last = from - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            if (decisions[middle].target().first().compareTo(address) <= 0) {
                last = middle;
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        int found = into.size();
        for (int index = last; index >= from; index--) {
            if (compare(reachHigh[index], reachLow[index], address.high(), address.low()) < 0) {
                break;
            }
            IpAddress end = decisions[index].target().last();
            if (compare(end.high(), end.low(), address.high(), address.low()) >= 0) {
                into.add(decisions[index]);
            }
        }
        // found walking backwards: put them in target order
        java.util.Collections.reverse(into.subList(found, into.size()));
    }

    /** A copy with {@code decision} added, or replacing the one on its target. */
    public OriginDecisions with(Decision decision) {
        requireNonNull(decision, "decision is null");
        List<Decision> list = new ArrayList<>(decisions.length + 1);
        boolean replaced = false;
        for (Decision existing : decisions) {
            if (existing.target().equals(decision.target())) {
                list.add(decision);
                replaced = true;
            } else {
                list.add(existing);
            }
        }
        if (!replaced) {
            list.add(decision);
        }
        return of(origin, list);
    }

    /** A copy without the decision on {@code target}; this object when there is none. */
    public OriginDecisions without(IpRange target) {
        if (find(target) == null) {
            return this;
        }
        List<Decision> list = new ArrayList<>(decisions.length);
        for (Decision existing : decisions) {
            if (!existing.target().equals(target)) {
                list.add(existing);
            }
        }
        return new OriginDecisions(origin, list.toArray(new Decision[0]));
    }

    private static int compare(long leftHigh, long leftLow, long rightHigh, long rightLow) {
        int byHigh = Long.compareUnsigned(leftHigh, rightHigh);
        return byHigh != 0 ? byHigh : Long.compareUnsigned(leftLow, rightLow);
    }
}
