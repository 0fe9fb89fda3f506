package dev.bulwark.enforce;

import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpRange;
import dev.bulwark.ip.IpSet;
import dev.bulwark.policy.Snapshot;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;

/**
 * The elements an enforcer puts into one family's kernel sets: disjoint prefixes, ascending,
 * each with the epoch second it expires at ({@link #NEVER} for none). Parallel primitive arrays,
 * so that a million elements cost four arrays, not a million objects.
 */
public final class Elements {
    /** The expiry of an element that does not expire. */
    public static final long NEVER = 0;
    /** The expiry that marks an element as taken out, in a list of {@link #changesTo changes}. */
    public static final long DROPPED = -1;

    private final IpFamily family;
    private long[] high;
    private long[] low;
    /** Prefix lengths as unsigned bytes: 128 does not fit a signed one. */
    private byte[] length;
    private long[] expiry;
    private int size;

    public Elements(IpFamily family, int capacity) {
        this.family = family;
        int initial = Math.max(capacity, 16);
        high = new long[initial];
        low = new long[initial];
        length = new byte[initial];
        expiry = new long[initial];
    }

    /**
     * The elements of one family of a snapshot at {@code now}: groups that expired are left
     * out, and an address in several groups goes in once, with its latest expiry.
     */
    public static Elements of(Snapshot snapshot, IpFamily family, Instant now) {
        return of(snapshot, family, now, new Decompositions());
    }

    /**
     * The same, reusing what {@code decompositions} kept of the last call: when the largest
     * group (e.g. a feed of a million addresses) is the same object as then and overlaps no other
     * group, its elements are taken as they were and only the small groups beside it (e.g. manual
     * bans) are decomposed, then merged in: a few array copies instead of a million prefixes.
     */
    public static Elements of(Snapshot snapshot, IpFamily family, Instant now, Decompositions decompositions) {
        return split(snapshot, family, now, decompositions).all();
    }

    /**
     * The elements of a snapshot, {@code all}, and how they were made: {@code big}, the kept
     * elements of the large group (null when there was none to keep), and {@code small}, the
     * elements of every other group, disjoint from {@code big}.
     */
    public record Split(Elements big, Elements small, Elements all, BitSet bigPositions) {
    }

    /** {@link #of(Snapshot, IpFamily, Instant, Decompositions)}, with its parts. */
    public static Split split(Snapshot snapshot, IpFamily family, Instant now, Decompositions decompositions) {
        List<Map.Entry<Instant, IpSet>> live = new ArrayList<>();
        live.add(Map.entry(PERMANENT, snapshot.permanent()));
        for (Map.Entry<Instant, IpSet> group : snapshot.expiring().descendingMap().entrySet()) {
            if (!group.getKey().isAfter(now)) {
                break;
            }
            live.add(group);
        }
        int largest = 0;
        long others = 0;
        for (int index = 1; index < live.size(); index++) {
            if (live.get(index).getValue().rangeCount(family) > live.get(largest).getValue().rangeCount(family)) {
                largest = index;
            }
        }
        for (int index = 0; index < live.size(); index++) {
            others += index == largest ? 0 : live.get(index).getValue().rangeCount(family);
        }
        IpSet big = live.get(largest).getValue();
        if (big.rangeCount(family) < LARGE_GROUP || others * 4 > big.rangeCount(family) || overlapsAny(big, live, largest, family)) {
            Elements all = layered(live, family);
            return new Split(null, all, all, null);
        }
        Map.Entry<Instant, IpSet> kept = live.remove(largest);
        Elements bigElements = decompositions.of(kept.getValue(), family, expiryOf(kept.getKey()));
        Elements small = layered(live, family);
        BitSet positions = new BitSet(bigElements.size + small.size);
        return new Split(bigElements, small, merge(bigElements, small, new BitSet(0), positions), positions);
    }

    /** Below this many ranges a group is decomposed afresh each time: it costs less than the checks. */
    private static final int LARGE_GROUP = 4096;
    /** Stands for the permanent group among the expiring ones: it comes first, as the latest. */
    private static final Instant PERMANENT = Instant.MAX;

    private static long expiryOf(Instant key) {
        return key.equals(PERMANENT) ? NEVER : key.getEpochSecond();
    }

    private static boolean overlapsAny(IpSet big, List<Map.Entry<Instant, IpSet>> live, int except, IpFamily family) {
        for (int index = 0; index < live.size(); index++) {
            if (index == except) {
                continue;
            }
            for (IpRange range : live.get(index).getValue().ranges()) {
                if (range.family() == family && big.overlaps(range)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Groups from the latest expiry to the earliest, each without what the later ones hold already. */
    private static Elements layered(List<Map.Entry<Instant, IpSet>> live, IpFamily family) {
        IpSet covered = IpSet.empty();
        List<Elements> parts = new ArrayList<>();
        for (Map.Entry<Instant, IpSet> group : live) {
            if (group.getValue().rangeCount(family) == 0) {
                // nothing of this family: the set operations below would only copy the other one
                continue;
            }
            IpSet rest = group.getValue().difference(covered);
            if (rest.rangeCount(family) > 0) {
                parts.add(decompose(rest, family, expiryOf(group.getKey())));
            }
            covered = covered.union(group.getValue());
        }
        // pairwise, round by round: n log k for k groups (a STIX feed may have one per valid_until)
        while (parts.size() > 1) {
            List<Elements> merged = new ArrayList<>((parts.size() + 1) / 2);
            for (int index = 0; index + 1 < parts.size(); index += 2) {
                merged.add(merge(parts.get(index), parts.get(index + 1)));
            }
            if (parts.size() % 2 == 1) {
                merged.add(parts.getLast());
            }
            parts = merged;
        }
        return parts.isEmpty() ? new Elements(family, 0) : parts.getFirst();
    }

    /** The last large group decomposed, per family, kept by an enforcer from one apply to the next. */
    public static final class Decompositions {
        private final IpSet[] sets = new IpSet[IpFamily.values().length];
        private final long[] expiries = new long[IpFamily.values().length];
        private final Elements[] elements = new Elements[IpFamily.values().length];

        Elements of(IpSet group, IpFamily family, long expiresAt) {
            int slot = family.ordinal();
            if (group != sets[slot] || expiresAt != expiries[slot]) {
                elements[slot] = decompose(group, family, expiresAt);
                sets[slot] = group;
                expiries[slot] = expiresAt;
            }
            return elements[slot];
        }
    }

    private static Elements decompose(IpSet set, IpFamily family, long expiresAt) {
        // most ranges of a blocklist are single prefixes: their count is a good first capacity
        Elements elements = new Elements(family, set.rangeCount(family));
        set.forEachPrefix(family, (high, low, length) -> elements.add(high, low, length, expiresAt));
        return elements;
    }

    /**
     * Two element lists of disjoint addresses, each ascending, as one. The runs between the
     * other's elements are found by binary search and copied whole: adding a ban beside a
     * million feed entries costs a few array copies, not a million comparisons.
     */
    static Elements merge(Elements left, Elements right) {
        return merge(left, right, null, null);
    }

    /**
     * The same; with {@code marks}, also sets there the indexes in the result of every element of
     * {@code left} and of every element of {@code right} marked in {@code rightMarks}.
     */
    public static Elements merge(Elements left, Elements right, BitSet rightMarks, BitSet marks) {
        if (marks == null) {
            if (right.size == 0) {
                return left;
            }
            if (left.size == 0) {
                return right;
            }
        }
        Elements merged = new Elements(left.family, left.size + right.size);
        int fromLeft = 0;
        int fromRight = 0;
        while (fromLeft < left.size || fromRight < right.size) {
            if (fromRight == right.size || (fromLeft < left.size && compare(left, fromLeft, right, fromRight) < 0)) {
                int end = fromRight == right.size ? left.size : left.insertionPoint(right, fromRight, fromLeft);
                if (marks != null) {
                    marks.set(merged.size, merged.size + end - fromLeft);
                }
                merged.append(left, fromLeft, end);
                fromLeft = end;
            } else {
                int end = fromLeft == left.size ? right.size : right.insertionPoint(left, fromLeft, fromRight);
                for (int index = fromRight; marks != null && index < end; index++) {
                    if (rightMarks.get(index)) {
                        marks.set(merged.size + index - fromRight);
                    }
                }
                merged.append(right, fromRight, end);
                fromRight = end;
            }
        }
        return merged;
    }

    /** The elements at the indexes set in {@code mask} ({@code selected}) or clear in it (not), in order, copied run by run. */
    public Elements select(BitSet mask, boolean selected) {
        Elements chosen = new Elements(family, selected ? mask.cardinality() : size - mask.cardinality());
        int from = selected ? mask.nextSetBit(0) : mask.nextClearBit(0);
        while (from >= 0 && from < size) {
            int to = Math.min(size, selected ? mask.nextClearBit(from) : nextSet(mask, from));
            chosen.append(this, from, to);
            from = selected ? mask.nextSetBit(to) : mask.nextClearBit(to);
        }
        return chosen;
    }

    private int nextSet(BitSet mask, int from) {
        int next = mask.nextSetBit(from);
        return next < 0 ? size : next;
    }

    /**
     * What turns these elements into {@code next}: each element of {@code next} that is new or
     * has another expiry, and each element gone from it with the expiry {@link #DROPPED}; ascending.
     * Runs the two lists share are passed over without copying.
     */
    public Elements changesTo(Elements next) {
        Elements changes = new Elements(family, 16);
        int old = 0;
        int now = 0;
        while (old < size || now < next.size) {
            int order = old == size ? 1 : now == next.size ? -1 : compare(this, old, next, now);
            if (order < 0) {
                changes.add(high[old], low[old], length[old] & 0xFF, DROPPED);
                old++;
            } else if (order > 0) {
                changes.append(next, now, now + 1);
                now++;
            } else {
                if (expiry[old] != next.expiry[now]) {
                    changes.append(next, now, now + 1);
                }
                old++;
                now++;
            }
        }
        return changes;
    }

    /**
     * These elements with {@code changes} (from {@link #changesTo}) applied: a changed element
     * replaces its old self, a {@link #DROPPED} one is taken out ({@code keepDropped}: kept as a
     * marker, to fold several changes into one).
     */
    public Elements withChanges(Elements changes, boolean keepDropped) {
        if (changes.size == 0) {
            return this;
        }
        Elements result = new Elements(family, size + changes.size);
        int from = 0;
        for (int change = 0; change < changes.size; change++) {
            int at = insertionPoint(changes, change, from);
            result.append(this, from, at);
            from = at < size && compare(this, at, changes, change) == 0 ? at + 1 : at;
            if (keepDropped || changes.expiry[change] != DROPPED) {
                result.append(changes, change, change + 1);
            }
        }
        result.append(this, from, size);
        return result;
    }

    /** The first index from {@code from} whose element sorts after {@code other}'s element {@code at}. */
    private int insertionPoint(Elements other, int at, int from) {
        int lowIndex = from;
        int highIndex = size;
        while (lowIndex < highIndex) {
            int middle = (lowIndex + highIndex) >>> 1;
            if (compare(this, middle, other, at) < 0) {
                lowIndex = middle + 1;
            } else {
                highIndex = middle;
            }
        }
        return lowIndex;
    }

    /** Appends elements {@code from} (inclusive) to {@code to} (exclusive) of {@code source}, in bulk. */
    public void append(Elements source, int from, int to) {
        int count = to - from;
        if (count <= 0) {
            return;
        }
        ensureCapacity(size + count);
        System.arraycopy(source.high, from, high, size, count);
        System.arraycopy(source.low, from, low, size, count);
        System.arraycopy(source.length, from, length, size, count);
        System.arraycopy(source.expiry, from, expiry, size, count);
        size += count;
    }

    private void ensureCapacity(int needed) {
        if (needed <= high.length) {
            return;
        }
        int grown = Math.max(needed, Math.max(16, size + (size >> 1)));
        high = Arrays.copyOf(high, grown);
        low = Arrays.copyOf(low, grown);
        length = Arrays.copyOf(length, grown);
        expiry = Arrays.copyOf(expiry, grown);
    }

    /** Elements over arrays read from a state file; the arrays are taken, not copied. */
    static Elements wrap(IpFamily family, long[] high, long[] low, byte[] length, long[] expiry, int size) {
        Elements elements = new Elements(family, 0);
        elements.high = high;
        elements.low = low;
        elements.length = length;
        elements.expiry = expiry;
        elements.size = size;
        return elements;
    }

    public void add(long high, long low, int length, long expiresAt) {
        if (size == this.high.length) {
            ensureCapacity(size + 1);
        }
        this.high[size] = high;
        this.low[size] = low;
        this.length[size] = (byte) length;
        this.expiry[size] = expiresAt;
        size++;
    }

    public IpFamily family() {
        return family;
    }

    public int size() {
        return size;
    }

    public long high(int index) {
        return high[index];
    }

    public long low(int index) {
        return low[index];
    }

    public int length(int index) {
        return length[index] & 0xFF;
    }

    public long expiry(int index) {
        return expiry[index];
    }

    /** A single address, not a prefix. */
    public boolean isHost(int index) {
        return (length[index] & 0xFF) == family.bits();
    }

    /** How many elements are single addresses. */
    public int hostCount() {
        int hosts = 0;
        for (int index = 0; index < size; index++) {
            if ((length[index] & 0xFF) == family.bits()) {
                hosts++;
            }
        }
        return hosts;
    }

    /** How many elements are still in the kernel at {@code epochSecond}: they do not expire, or expire later. */
    public int liveAt(long epochSecond) {
        int live = 0;
        for (int index = 0; index < size; index++) {
            if (expiry[index] == NEVER || expiry[index] > epochSecond) {
                live++;
            }
        }
        return live;
    }

    /** Order of elements: by network address (unsigned), then by length. */
    public static int compare(Elements left, int leftIndex, Elements right, int rightIndex) {
        int byHigh = Long.compareUnsigned(left.high[leftIndex], right.high[rightIndex]);
        if (byHigh != 0) {
            return byHigh;
        }
        int byLow = Long.compareUnsigned(left.low[leftIndex], right.low[rightIndex]);
        if (byLow != 0) {
            return byLow;
        }
        return Integer.compare(left.length[leftIndex] & 0xFF, right.length[rightIndex] & 0xFF);
    }

    /**
     * The same elements with each expiry mapped through {@code kernelExpiry} (e.g. capped to what
     * a backend accepts); these very elements when the mapping changes none.
     */
    public Elements mapExpiry(LongUnaryOperator kernelExpiry) {
        boolean changes = false;
        for (int index = 0; index < size && !changes; index++) {
            changes = expiry[index] != NEVER && kernelExpiry.applyAsLong(expiry[index]) != expiry[index];
        }
        if (!changes) {
            return this;
        }
        Elements mapped = new Elements(family, size);
        for (int index = 0; index < size; index++) {
            mapped.add(high[index], low[index], length[index] & 0xFF, expiry[index] == NEVER ? NEVER : kernelExpiry.applyAsLong(expiry[index]));
        }
        return mapped;
    }
}
