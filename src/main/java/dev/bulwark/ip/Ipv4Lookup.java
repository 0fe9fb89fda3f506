package dev.bulwark.ip;

/**
 * The IPv4 {@code contains} hot path. Random lookups into a million intervals are bound by
 * memory latency, not arithmetic, so the layout is built for few cache misses: each interval is
 * two adjacent ints (first, last, with the sign bit flipped so that signed order is unsigned
 * order), and an index on the leading bits of the address, sized to about one bucket per
 * interval (2^8 to 2^20 buckets), narrows the search to one or two intervals; a branch-free
 * binary search covers the crowded buckets. Measured in docs/BENCHMARKS.md: 16 index bits gave
 * about half the lookups per second of 20 on a million intervals.
 */
final class Ipv4Lookup {
    private static final int MIN_INDEX_BITS = 8;
    private static final int MAX_INDEX_BITS = 20;

    private final int shift;
    private final int[] pairs;
    /** index[k]: the first interval whose last address lies in bucket k or later; index[buckets] == count. */
    private final int[] index;
    private final int count;

    Ipv4Lookup(long[] firstLow, long[] lastLow, int count) {
        this.count = count;
        this.pairs = new int[2 * count];
        for (int interval = 0; interval < count; interval++) {
            pairs[2 * interval] = (int) firstLow[interval] ^ Integer.MIN_VALUE;
            pairs[2 * interval + 1] = (int) lastLow[interval] ^ Integer.MIN_VALUE;
        }
        int bits = Math.max(MIN_INDEX_BITS, Math.min(MAX_INDEX_BITS, 32 - Integer.numberOfLeadingZeros(count)));
        this.shift = 32 - bits;
        int buckets = 1 << bits;
        this.index = new int[buckets + 1];
        int interval = 0;
        for (int bucket = 0; bucket <= buckets; bucket++) {
            while (interval < count && (lastLow[interval] >>> shift) < bucket) {
                interval++;
            }
            index[bucket] = interval;
        }
    }

    boolean contains(long address) {
        int bucket = (int) (address >>> shift);
        int from = index[bucket];
        // the answer lies in [from, to]: the first interval of the next bucket ends past this one
        int length = index[bucket + 1] - from;
        int value = (int) address ^ Integer.MIN_VALUE;
        int[] data = pairs;
        while (length > 0) {
            int half = length >>> 1;
            int middle = from + half;
            boolean before = data[2 * middle + 1] < value;
            from = before ? middle + 1 : from;
            length = before ? length - half - 1 : half;
        }
        return from < count && data[2 * from] <= value && value <= data[2 * from + 1];
    }
}
