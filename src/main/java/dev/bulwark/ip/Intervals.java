package dev.bulwark.ip;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * Sorted, disjoint, non-adjacent inclusive intervals of one family, as four parallel arrays of
 * unsigned 128-bit endpoints (IPv4 values in the low half). Immutable once built. Lookups go
 * through an index on the leading 16 bits of the address, which narrows the binary search to
 * the few intervals of one bucket.
 */
final class Intervals {
    private static final int BUCKETS = 1 << 16;

    final int width;
    final int count;
    final long[] firstHigh;
    final long[] firstLow;
    final long[] lastHigh;
    final long[] lastLow;
    /**
     * index[k]: the first interval whose last address lies in bucket k or later; index[BUCKETS] == count.
     * Built on the first lookup: intermediate results of the algebra are never searched.
     */
    private volatile int[] index;
    private volatile Ipv4Lookup ipv4Lookup;

    Intervals(int width, int count, long[] firstHigh, long[] firstLow, long[] lastHigh, long[] lastLow) {
        this.width = width;
        this.count = count;
        this.firstHigh = firstHigh;
        this.firstLow = firstLow;
        this.lastHigh = lastHigh;
        this.lastLow = lastLow;
    }

    /** A shared array of zeros, at least {@code length} long: the high halves of IPv4 intervals, never written. */
    private static volatile long[] zeros = new long[1024];

    static long[] zeros(int length) {
        long[] shared = zeros;
        if (shared.length >= length) {
            return shared;
        }
        shared = new long[Math.max(length, shared.length * 2)];
        zeros = shared;
        return shared;
    }

    static Intervals empty(int width) {
        long[] none = new long[0];
        return new Intervals(width, 0, none, none, none, none);
    }

    private int bucket(long high, long low) {
        return width == 32 ? (int) (low >>> 16) : (int) (high >>> 48);
    }

    private int[] buildIndex() {
        int[] buckets = new int[BUCKETS + 1];
        int interval = 0;
        for (int bucket = 0; bucket <= BUCKETS; bucket++) {
            while (interval < count && bucket(lastHigh[interval], lastLow[interval]) < bucket) {
                interval++;
            }
            buckets[bucket] = interval;
        }
        return buckets;
    }

    private int[] index() {
        int[] built = index;
        if (built == null) {
            // racing threads build equal arrays; the volatile write publishes a complete one
            built = buildIndex();
            index = built;
        }
        return built;
    }

    /** The first interval whose last address is at or after the address, or {@code count}. */
    private int firstEndingAtOrAfter(long high, long low) {
        int[] index = index();
        int bucket = bucket(high, low);
        int from = index[bucket];
        int to = Math.min(index[bucket + 1], count - 1);
        while (from <= to) {
            int middle = (from + to) >>> 1;
            if (U128.compare(lastHigh[middle], lastLow[middle], high, low) < 0) {
                from = middle + 1;
            } else {
                to = middle - 1;
            }
        }
        return from;
    }

    boolean contains(long high, long low) {
        int found = firstEndingAtOrAfter(high, low);
        return found < count && U128.compare(firstHigh[found], firstLow[found], high, low) <= 0;
    }

    /** The IPv4 hot path, on a layout of its own built at the first lookup (see {@link Ipv4Lookup}). */
    boolean containsIpv4(long value) {
        Ipv4Lookup lookup = ipv4Lookup;
        if (lookup == null) {
            lookup = new Ipv4Lookup(firstLow, lastLow, count);
            ipv4Lookup = lookup;
        }
        return lookup.contains(value);
    }

    /** The interval containing the address, or -1. */
    int find(long high, long low) {
        int found = firstEndingAtOrAfter(high, low);
        return found < count && U128.compare(firstHigh[found], firstLow[found], high, low) <= 0 ? found : -1;
    }

    boolean overlaps(long fromHigh, long fromLow, long toHigh, long toLow) {
        int found = firstEndingAtOrAfter(fromHigh, fromLow);
        return found < count && U128.compare(firstHigh[found], firstLow[found], toHigh, toLow) <= 0;
    }

    /** Number of addresses, summed in primitives: a BigInteger per interval was most of a summary's cost. */
    BigInteger size() {
        if (width == 32) {
            long total = 0;
            for (int interval = 0; interval < count; interval++) {
                total += lastLow[interval] - firstLow[interval] + 1;
            }
            return BigInteger.valueOf(total);
        }
        // the total is wraps * 2^128 + (high, low): ::/0 alone holds 2^128 addresses
        long high = 0;
        long low = 0;
        long wraps = 0;
        for (int interval = 0; interval < count; interval++) {
            long spanLow = lastLow[interval] - firstLow[interval];
            long spanHigh = lastHigh[interval] - firstHigh[interval]
                    - (Long.compareUnsigned(lastLow[interval], firstLow[interval]) < 0 ? 1 : 0);
            // size = span + 1
            long sizeLow = spanLow + 1;
            long sizeHigh = spanLow == -1L ? spanHigh + 1 : spanHigh;
            if (spanLow == -1L && spanHigh == -1L) {
                wraps++;
            }
            long sumLow = low + sizeLow;
            long carry = Long.compareUnsigned(sumLow, low) < 0 ? 1 : 0;
            long sumHigh = high + sizeHigh + carry;
            if (Long.compareUnsigned(sumHigh, high) < 0 || (carry == 1 && sumHigh == high)) {
                wraps++;
            }
            high = sumHigh;
            low = sumLow;
        }
        return BigInteger.valueOf(wraps).shiftLeft(128).add(U128.toBigInteger(high, low));
    }

    void forEachPrefix(PrefixConsumer consumer) {
        for (int interval = 0; interval < count; interval++) {
            Cidr.decompose(width, firstHigh[interval], firstLow[interval], lastHigh[interval], lastLow[interval], consumer);
        }
    }

    Intervals union(Intervals other) {
        // immutable both: a union with nothing is the other set itself, not a copy of a million intervals
        if (other.count == 0) {
            return this;
        }
        if (count == 0) {
            return other;
        }
        Appender out = new Appender(width, count + other.count);
        int left = 0;
        int right = 0;
        while (left < count || right < other.count) {
            boolean takeLeft = right >= other.count
                    || (left < count && U128.compare(firstHigh[left], firstLow[left], other.firstHigh[right], other.firstLow[right]) <= 0);
            if (takeLeft) {
                out.add(firstHigh[left], firstLow[left], lastHigh[left], lastLow[left]);
                left++;
            } else {
                out.add(other.firstHigh[right], other.firstLow[right], other.lastHigh[right], other.lastLow[right]);
                right++;
            }
        }
        return out.build();
    }

    Intervals intersection(Intervals other) {
        if (count * 16L < other.count) {
            return other.intersectionWithSmaller(this);
        }
        if (other.count * 16L < count) {
            return intersectionWithSmaller(other);
        }
        Appender out = new Appender(width, Math.max(count, other.count));
        int left = 0;
        int right = 0;
        while (left < count && right < other.count) {
            boolean leftStartsLater = U128.compare(firstHigh[left], firstLow[left], other.firstHigh[right], other.firstLow[right]) >= 0;
            long startHigh = leftStartsLater ? firstHigh[left] : other.firstHigh[right];
            long startLow = leftStartsLater ? firstLow[left] : other.firstLow[right];
            boolean leftEndsFirst = U128.compare(lastHigh[left], lastLow[left], other.lastHigh[right], other.lastLow[right]) <= 0;
            long endHigh = leftEndsFirst ? lastHigh[left] : other.lastHigh[right];
            long endLow = leftEndsFirst ? lastLow[left] : other.lastLow[right];
            if (U128.compare(startHigh, startLow, endHigh, endLow) <= 0) {
                out.add(startHigh, startLow, endHigh, endLow);
            }
            if (leftEndsFirst) {
                left++;
            } else {
                right++;
            }
        }
        return out.build();
    }

    /**
     * The intersection when {@code small} has far fewer intervals, as an allowlist against a
     * blocklist: each of its intervals looks up where it starts in this set and walks only the
     * intervals it overlaps, instead of sweeping all of this set.
     */
    private Intervals intersectionWithSmaller(Intervals small) {
        Appender out = new Appender(width, small.count);
        for (int interval = 0; interval < small.count; interval++) {
            long fromHigh = small.firstHigh[interval];
            long fromLow = small.firstLow[interval];
            long toHigh = small.lastHigh[interval];
            long toLow = small.lastLow[interval];
            for (int found = firstEndingAtOrAfter(fromHigh, fromLow);
                 found < count && U128.compare(firstHigh[found], firstLow[found], toHigh, toLow) <= 0; found++) {
                boolean startsInside = U128.compare(firstHigh[found], firstLow[found], fromHigh, fromLow) > 0;
                boolean endsInside = U128.compare(lastHigh[found], lastLow[found], toHigh, toLow) < 0;
                out.add(startsInside ? firstHigh[found] : fromHigh, startsInside ? firstLow[found] : fromLow,
                        endsInside ? lastHigh[found] : toHigh, endsInside ? lastLow[found] : toLow);
            }
        }
        return out.build();
    }

    Intervals difference(Intervals other) {
        if (other.count == 0 || count == 0) {
            return this;
        }
        if (width == 32) {
            return differenceIpv4(other);
        }
        Appender out = new Appender(width, count + other.count);
        int right = 0;
        for (int left = 0; left < count; left++) {
            long startHigh = firstHigh[left];
            long startLow = firstLow[left];
            long endHigh = lastHigh[left];
            long endLow = lastLow[left];
            // skip subtrahends that end before this interval starts
            while (right < other.count && U128.compare(other.lastHigh[right], other.lastLow[right], startHigh, startLow) < 0) {
                right++;
            }
            int cut = right;
            boolean remaining = true;
            while (cut < other.count && U128.compare(other.firstHigh[cut], other.firstLow[cut], endHigh, endLow) <= 0) {
                if (U128.compare(other.firstHigh[cut], other.firstLow[cut], startHigh, startLow) > 0) {
                    long beforeHigh = U128.decrementHigh(other.firstHigh[cut], other.firstLow[cut]);
                    long beforeLow = U128.decrementLow(other.firstLow[cut]);
                    out.add(startHigh, startLow, beforeHigh, beforeLow);
                }
                if (U128.compare(other.lastHigh[cut], other.lastLow[cut], endHigh, endLow) >= 0) {
                    remaining = false;
                    break;
                }
                startHigh = U128.incrementHigh(other.lastHigh[cut], other.lastLow[cut]);
                startLow = U128.incrementLow(other.lastLow[cut]);
                cut++;
            }
            if (remaining) {
                out.add(startHigh, startLow, endHigh, endLow);
            }
        }
        return out.build();
    }

    /**
     * The difference on IPv4's low halves alone, for the million-entry lists: the same sweep as
     * the general one, on plain longs. Pieces of one interval are separated by what was cut
     * out, and intervals were apart to begin with, so the result needs no merging.
     */
    private Intervals differenceIpv4(Intervals other) {
        long[] cutFirsts = other.firstLow;
        long[] cutLasts = other.lastLow;
        int cuts = other.count;
        long[] outFirsts = new long[count + cuts];
        long[] outLasts = new long[count + cuts];
        int written = 0;
        int right = 0;
        for (int left = 0; left < count; left++) {
            long start = firstLow[left];
            long end = lastLow[left];
            while (right < cuts && cutLasts[right] < start) {
                right++;
            }
            boolean remaining = true;
            for (int cut = right; cut < cuts && cutFirsts[cut] <= end; cut++) {
                if (cutFirsts[cut] > start) {
                    outFirsts[written] = start;
                    outLasts[written++] = cutFirsts[cut] - 1;
                }
                if (cutLasts[cut] >= end) {
                    remaining = false;
                    break;
                }
                start = cutLasts[cut] + 1;
            }
            if (remaining) {
                outFirsts[written] = start;
                outLasts[written++] = end;
            }
        }
        long[] zeros = zeros(written);
        return new Intervals(32, written, zeros, outFirsts, zeros, outLasts);
    }

    @Override
    public boolean equals(Object object) {
        if (!(object instanceof Intervals other) || other.width != width || other.count != count) {
            return false;
        }
        return Arrays.equals(firstHigh, 0, count, other.firstHigh, 0, count)
                && Arrays.equals(firstLow, 0, count, other.firstLow, 0, count)
                && Arrays.equals(lastHigh, 0, count, other.lastHigh, 0, count)
                && Arrays.equals(lastLow, 0, count, other.lastLow, 0, count);
    }

    @Override
    public int hashCode() {
        int hash = width;
        for (int interval = 0; interval < count; interval++) {
            hash = 31 * hash + Long.hashCode(firstLow[interval] ^ firstHigh[interval]);
            hash = 31 * hash + Long.hashCode(lastLow[interval] ^ lastHigh[interval]);
        }
        return hash;
    }

    /**
     * Collects intervals given in ascending order of their first address, merging each with the
     * previous one when they overlap or touch.
     */
    static final class Appender {
        private final int width;
        private int count;
        private long[] firstHigh;
        private long[] firstLow;
        private long[] lastHigh;
        private long[] lastLow;

        Appender(int width, int expected) {
            this.width = width;
            int capacity = Math.max(expected, 4);
            // IPv4 has no high halves to store; build() hands out the shared zeros
            firstHigh = width == 32 ? null : new long[capacity];
            lastHigh = width == 32 ? null : new long[capacity];
            firstLow = new long[capacity];
            lastLow = new long[capacity];
        }

        void add(long startHigh, long startLow, long endHigh, long endLow) {
            if (count > 0) {
                int previous = count - 1;
                long previousHigh = width == 32 ? 0 : lastHigh[previous];
                long previousLow = lastLow[previous];
                boolean previousIsMaximum = previousHigh == -1L && previousLow == -1L
                        || (width == 32 && previousLow == 0xffffffffL);
                // touching or overlapping: start <= previous last + 1
                if (previousIsMaximum || U128.compare(startHigh, startLow,
                        U128.incrementHigh(previousHigh, previousLow), U128.incrementLow(previousLow)) <= 0) {
                    if (U128.compare(endHigh, endLow, previousHigh, previousLow) > 0) {
                        if (width != 32) {
                            lastHigh[previous] = endHigh;
                        }
                        lastLow[previous] = endLow;
                    }
                    return;
                }
            }
            if (count == firstLow.length) {
                int capacity = count + (count >> 1) + 1;
                firstLow = Arrays.copyOf(firstLow, capacity);
                lastLow = Arrays.copyOf(lastLow, capacity);
                if (width != 32) {
                    firstHigh = Arrays.copyOf(firstHigh, capacity);
                    lastHigh = Arrays.copyOf(lastHigh, capacity);
                }
            }
            firstLow[count] = startLow;
            lastLow[count] = endLow;
            if (width != 32) {
                firstHigh[count] = startHigh;
                lastHigh[count] = endHigh;
            }
            count++;
        }

        Intervals build() {
            if (width == 32) {
                long[] zeros = zeros(count);
                return new Intervals(width, count, zeros, firstLow, zeros, lastLow);
            }
            return new Intervals(width, count, firstHigh, firstLow, lastHigh, lastLow);
        }
    }
}
