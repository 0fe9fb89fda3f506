package dev.bulwark.enforce;

import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpSet;
import dev.bulwark.policy.Snapshot;

import java.time.Instant;
import java.util.Arrays;
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
        Elements elements = new Elements(family, (int) Math.min(Integer.MAX_VALUE - 16, snapshot.permanent().prefixCount(family)));
        IpSet covered = snapshot.permanent();
        covered.forEachPrefix(family, (high, low, length) -> elements.add(high, low, length, NEVER));
        boolean sorted = true;
        for (Map.Entry<Instant, IpSet> group : snapshot.expiring().descendingMap().entrySet()) {
            if (!group.getKey().isAfter(now)) {
                break;
            }
            long expiresAt = group.getKey().getEpochSecond();
            IpSet rest = group.getValue().difference(covered);
            sorted &= elements.size == 0 || rest.rangeCount(family) == 0;
            rest.forEachPrefix(family, (high, low, length) -> elements.add(high, low, length, expiresAt));
            covered = covered.union(group.getValue());
        }
        if (!sorted) {
            elements.sort();
        }
        return elements;
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
            int grown = Math.max(16, size + (size >> 1));
            this.high = Arrays.copyOf(this.high, grown);
            this.low = Arrays.copyOf(this.low, grown);
            this.length = Arrays.copyOf(this.length, grown);
            this.expiry = Arrays.copyOf(this.expiry, grown);
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

    /** Sorts by address; only snapshots with several expiry groups need it. */
    private void sort() {
        Integer[] order = new Integer[size];
        for (int index = 0; index < size; index++) {
            order[index] = index;
        }
        Arrays.sort(order, (left, right) -> compare(this, left, this, right));
        long[] sortedHigh = new long[size];
        long[] sortedLow = new long[size];
        byte[] sortedLength = new byte[size];
        long[] sortedExpiry = new long[size];
        for (int index = 0; index < size; index++) {
            int from = order[index];
            sortedHigh[index] = high[from];
            sortedLow[index] = low[from];
            sortedLength[index] = length[from];
            sortedExpiry[index] = expiry[from];
        }
        high = sortedHigh;
        low = sortedLow;
        length = sortedLength;
        expiry = sortedExpiry;
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
