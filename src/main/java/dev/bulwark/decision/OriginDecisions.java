package dev.bulwark.decision;

import static java.util.Objects.requireNonNull;

import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpRange;
import dev.bulwark.ip.IpSet;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The live decisions of one origin, immutable, sorted by target (IPv4 first, then by first
 * address, then by last). Finding every decision whose target holds an address is a binary
 * search plus a short walk back, bounded by the furthest end reached so far: no per-lookup
 * allocation besides the result.
 *
 * <p>Held in columns of primitives, not as a million {@link Decision} records: about 55 bytes a
 * decision instead of 140 (its target's two addresses and range, its times), with categories and
 * reason kept once per distinct pair. {@link #get} builds the record when it is asked for.
 */
public final class OriginDecisions {
    static final Comparator<IpRange> TARGET_ORDER = Comparator.comparing(IpRange::first).thenComparing(IpRange::last);
    private static final Comparator<Decision> ORDER = Comparator.comparing(Decision::target, TARGET_ORDER);
    private static final Action[] ACTIONS = Action.values();
    /** The expiry column's value for a decision that does not expire. */
    private static final long NO_EXPIRY = Long.MIN_VALUE;

    /** What many decisions of a feed share: kept once. */
    private record Attributes(List<String> categories, String reason) {
    }

    private final String origin;
    private final int size;
    private final int firstIpv6;
    private final long[] firstLow;
    private final long[] lastLow;
    // the high halves of IPv6 targets only, from index firstIpv6 on (IPv4's are zero)
    private final long[] firstHigh;
    private final long[] lastHigh;
    // for each index, the highest last address among entries 0..index of the same family
    private final long[] reachLow;
    private final long[] reachHigh;
    private final byte[] actions;
    private final byte[] scores;
    private final int[] attributes;
    private final Attributes[] attributeTable;
    private final long[] firstSeen;
    private final long[] lastSeen;
    private final long[] expiresAt;
    private final Instant earliestExpiry;
    private final Instant latestExpiry;

    private OriginDecisions(String origin, Decision[] sorted) {
        this.origin = origin;
        this.size = sorted.length;
        int ipv6 = size;
        for (int index = 0; index < size; index++) {
            if (sorted[index].target().family() == IpFamily.IPV6) {
                ipv6 = index;
                break;
            }
        }
        this.firstIpv6 = ipv6;
        firstLow = new long[size];
        lastLow = new long[size];
        reachLow = new long[size];
        firstHigh = new long[size - ipv6];
        lastHigh = new long[size - ipv6];
        reachHigh = new long[size - ipv6];
        actions = new byte[size];
        scores = new byte[size];
        attributes = new int[size];
        firstSeen = new long[size];
        lastSeen = new long[size];
        expiresAt = new long[size];
        Map<Attributes, Integer> table = new HashMap<>();
        List<Attributes> distinct = new ArrayList<>();
        long earliest = Long.MAX_VALUE;
        long latest = Long.MIN_VALUE;
        long high = 0;
        long low = 0;
        for (int index = 0; index < size; index++) {
            Decision decision = sorted[index];
            IpAddress first = decision.target().first();
            IpAddress last = decision.target().last();
            firstLow[index] = first.low();
            lastLow[index] = last.low();
            if (index >= ipv6) {
                firstHigh[index - ipv6] = first.high();
                lastHigh[index - ipv6] = last.high();
            }
            if (index == 0 || index == ipv6 || compare(last.high(), last.low(), high, low) > 0) {
                high = last.high();
                low = last.low();
            }
            reachLow[index] = low;
            if (index >= ipv6) {
                reachHigh[index - ipv6] = high;
            }
            actions[index] = (byte) decision.action().ordinal();
            scores[index] = (byte) decision.score();
            Attributes shared = new Attributes(decision.categories(), decision.reason());
            Integer position = table.get(shared);
            if (position == null) {
                position = distinct.size();
                table.put(shared, position);
                distinct.add(shared);
            }
            attributes[index] = position;
            firstSeen[index] = decision.firstSeen().getEpochSecond();
            lastSeen[index] = decision.lastSeen().getEpochSecond();
            Instant expiry = decision.expiresAt();
            expiresAt[index] = expiry == null ? NO_EXPIRY : expiry.getEpochSecond();
            if (expiry != null) {
                earliest = Math.min(earliest, expiresAt[index]);
                latest = Math.max(latest, expiresAt[index]);
            }
        }
        this.attributeTable = distinct.toArray(new Attributes[0]);
        this.earliestExpiry = earliest == Long.MAX_VALUE ? null : Instant.ofEpochSecond(earliest);
        this.latestExpiry = latest == Long.MIN_VALUE ? null : Instant.ofEpochSecond(latest);
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
        return size;
    }

    public Decision get(int index) {
        Attributes shared = attributeTable[attributes[index]];
        long expiry = expiresAt[index];
        return new Decision(origin, target(index), ACTIONS[actions[index]], scores[index], shared.categories(), shared.reason(),
                Instant.ofEpochSecond(firstSeen[index]), Instant.ofEpochSecond(lastSeen[index]),
                expiry == NO_EXPIRY ? null : Instant.ofEpochSecond(expiry));
    }

    /** The target of decision {@code index}. */
    public IpRange target(int index) {
        if (index < firstIpv6) {
            return new IpRange(IpAddress.ipv4(firstLow[index]), IpAddress.ipv4(lastLow[index]));
        }
        int at = index - firstIpv6;
        return new IpRange(IpAddress.ipv6(firstHigh[at], firstLow[index]), IpAddress.ipv6(lastHigh[at], lastLow[index]));
    }

    /** Adds the target of decision {@code index} to {@code builder}, without building it. */
    public void addTarget(int index, IpSet.Builder builder) {
        if (index < firstIpv6) {
            builder.addIpv4(firstLow[index], lastLow[index]);
        } else {
            int at = index - firstIpv6;
            builder.addIpv6(firstHigh[at], firstLow[index], lastHigh[at], lastLow[index]);
        }
    }

    public Action action(int index) {
        return ACTIONS[actions[index]];
    }

    /** The score of decision {@code index}, or {@link Decision#NO_SCORE}. */
    public int score(int index) {
        return scores[index];
    }

    /** The epoch second decision {@code index} expires at, or {@link Long#MIN_VALUE} when it does not. */
    public long expiresAtSecond(int index) {
        return expiresAt[index];
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
        for (int index = 0; index < size; index++) {
            action.accept(get(index));
        }
    }

    public List<Decision> asList() {
        List<Decision> list = new ArrayList<>(size);
        forEach(list::add);
        return List.copyOf(list);
    }

    /** The decision on exactly {@code target}, or null. */
    public Decision find(IpRange target) {
        int from = target.family() == IpFamily.IPV4 ? 0 : firstIpv6;
        int low = from;
        int high = (target.family() == IpFamily.IPV4 ? firstIpv6 : size) - 1;
        IpAddress first = target.first();
        IpAddress last = target.last();
        while (low <= high) {
            int middle = (low + high) >>> 1;
            int order = compare(firstHigh(middle), firstLow[middle], first.high(), first.low());
            if (order == 0) {
                order = compare(lastHigh(middle), lastLow[middle], last.high(), last.low());
            }
            if (order == 0) {
                return get(middle);
            }
            if (order < 0) {
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        return null;
    }

    private long firstHigh(int index) {
        return index < firstIpv6 ? 0 : firstHigh[index - firstIpv6];
    }

    private long lastHigh(int index) {
        return index < firstIpv6 ? 0 : lastHigh[index - firstIpv6];
    }

    private long reachHigh(int index) {
        return index < firstIpv6 ? 0 : reachHigh[index - firstIpv6];
    }

    /** Adds to {@code into} every decision whose target holds {@code address}, in target order. */
    public void containing(IpAddress address, List<Decision> into) {
        int from = address.family() == IpFamily.IPV4 ? 0 : firstIpv6;
        int to = address.family() == IpFamily.IPV4 ? firstIpv6 : size;
        // the last entry whose first address is at or before the address
        int low = from;
        int high = to - 1;
        int last = from - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            if (compare(firstHigh(middle), firstLow[middle], address.high(), address.low()) <= 0) {
                last = middle;
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        int found = into.size();
        for (int index = last; index >= from; index--) {
            if (compare(reachHigh(index), reachLow[index], address.high(), address.low()) < 0) {
                break;
            }
            if (compare(lastHigh(index), lastLow[index], address.high(), address.low()) >= 0) {
                into.add(get(index));
            }
        }
        // found walking backwards: put them in target order
        java.util.Collections.reverse(into.subList(found, into.size()));
    }

    /** A copy with {@code decision} added, or replacing the one on its target. */
    public OriginDecisions with(Decision decision) {
        requireNonNull(decision, "decision is null");
        List<Decision> list = new ArrayList<>(size + 1);
        boolean replaced = false;
        for (Decision existing : asList()) {
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
        List<Decision> list = new ArrayList<>(size);
        for (Decision existing : asList()) {
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
