package dev.bulwark.ip;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable set of IPv4 and IPv6 addresses, held as minimal sorted intervals per family.
 * Union, difference and intersection are linear merges; {@link #contains} is an indexed
 * binary search. Written by hand on primitive arrays because this is the hot path: see
 * docs/BENCHMARKS.md for the comparison with the IPAddress library's trie.
 */
public final class IpSet {
    private static final IpSet EMPTY = new IpSet(Intervals.empty(32), Intervals.empty(128));

    private final Intervals ipv4;
    private final Intervals ipv6;

    private IpSet(Intervals ipv4, Intervals ipv6) {
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
    }

    public static IpSet empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The set of the given addresses, prefixes and ranges; throws on any that does not parse. */
    public static IpSet of(String... entries) {
        Builder builder = builder();
        for (String entry : entries) {
            builder.add(IpRange.parse(entry));
        }
        return builder.build();
    }

    public static IpSet of(List<IpRange> ranges) {
        Builder builder = builder();
        ranges.forEach(builder::add);
        return builder.build();
    }

    public IpSet union(IpSet other) {
        return new IpSet(ipv4.union(other.ipv4), ipv6.union(other.ipv6));
    }

    /** This set without the addresses of {@code other}; a prefix with a hole is split, never dropped. */
    public IpSet difference(IpSet other) {
        return new IpSet(ipv4.difference(other.ipv4), ipv6.difference(other.ipv6));
    }

    public IpSet intersection(IpSet other) {
        return new IpSet(ipv4.intersection(other.ipv4), ipv6.intersection(other.ipv6));
    }

    public boolean contains(IpAddress address) {
        return address.family() == IpFamily.IPV4
                ? ipv4.containsIpv4(address.low())
                : ipv6.contains(address.high(), address.low());
    }

    /** IPv4 lookup without an {@link IpAddress}: {@code value} is the address as an unsigned 32-bit number. */
    public boolean containsIpv4(long value) {
        return ipv4.containsIpv4(value);
    }

    /** Whether any address of the range is in the set. */
    public boolean overlaps(IpFamily family, long firstHigh, long firstLow, long lastHigh, long lastLow) {
        return intervals(family).overlaps(firstHigh, firstLow, lastHigh, lastLow);
    }

    public boolean overlaps(IpRange range) {
        return overlaps(range.family(), range.first().high(), range.first().low(), range.last().high(), range.last().low());
    }

    /** The maximal range of the set that contains the address, or null. */
    public IpRange rangeContaining(IpAddress address) {
        Intervals intervals = intervals(address.family());
        int found = intervals.find(address.high(), address.low());
        return found < 0 ? null : range(address.family(), intervals, found);
    }

    public boolean isEmpty() {
        return ipv4.count == 0 && ipv6.count == 0;
    }

    /** Number of addresses in the set, both families. */
    public BigInteger size() {
        return ipv4.size().add(ipv6.size());
    }

    public BigInteger size(IpFamily family) {
        return intervals(family).size();
    }

    /** Number of maximal ranges of one family. */
    public int rangeCount(IpFamily family) {
        return intervals(family).count;
    }

    /** Number of prefixes in the minimal CIDR form of one family. */
    public long prefixCount(IpFamily family) {
        long[] counted = new long[1];
        forEachPrefix(family, (high, low, length) -> counted[0]++);
        return counted[0];
    }

    /** Visits the minimal CIDR form of one family, ascending. */
    public void forEachPrefix(IpFamily family, PrefixConsumer consumer) {
        intervals(family).forEachPrefix(consumer);
    }

    /** The minimal CIDR form, IPv4 ascending then IPv6 ascending, single addresses without a length. */
    public List<String> toPrefixes() {
        List<String> prefixes = new ArrayList<>();
        for (IpFamily family : IpFamily.values()) {
            forEachPrefix(family, (high, low, length) -> prefixes.add(IpFormat.prefix(family, high, low, length)));
        }
        return prefixes;
    }

    /** The maximal ranges, IPv4 then IPv6, ascending. */
    public List<IpRange> ranges() {
        List<IpRange> ranges = new ArrayList<>();
        for (IpFamily family : IpFamily.values()) {
            Intervals intervals = intervals(family);
            for (int interval = 0; interval < intervals.count; interval++) {
                ranges.add(range(family, intervals, interval));
            }
        }
        return ranges;
    }

    private static IpRange range(IpFamily family, Intervals intervals, int interval) {
        return new IpRange(new IpAddress(family, intervals.firstHigh[interval], intervals.firstLow[interval]),
                new IpAddress(family, intervals.lastHigh[interval], intervals.lastLow[interval]));
    }

    private Intervals intervals(IpFamily family) {
        return family == IpFamily.IPV4 ? ipv4 : ipv6;
    }

    @Override
    public boolean equals(Object object) {
        return object instanceof IpSet other && ipv4.equals(other.ipv4) && ipv6.equals(other.ipv6);
    }

    @Override
    public int hashCode() {
        return 31 * ipv4.hashCode() + ipv6.hashCode();
    }

    @Override
    public String toString() {
        List<String> prefixes = toPrefixes();
        if (prefixes.size() > 20) {
            return "IpSet" + prefixes.subList(0, 20) + "... (" + prefixes.size() + " prefixes)";
        }
        return "IpSet" + prefixes;
    }

    /**
     * Collects ranges in any order and overlap; {@link #build} sorts and merges them. IPv4 ranges
     * are packed one per long (first address in the high half, sign bit flipped so that signed
     * order is unsigned order), so a million of them sort as one primitive array.
     */
    public static final class Builder {
        private static final int RADIX_SORT_THRESHOLD = 1 << 14;
        private long[] packedIpv4 = new long[1024];
        private int ipv4Count;
        private long[] ipv6FirstHigh = new long[64];
        private long[] ipv6FirstLow = new long[64];
        private long[] ipv6LastHigh = new long[64];
        private long[] ipv6LastLow = new long[64];
        private int ipv6Count;

        private Builder() {
        }

        /** Adds the IPv4 range {@code [first, last]}, both unsigned 32-bit values, first <= last. */
        public Builder addIpv4(long first, long last) {
            if (ipv4Count == packedIpv4.length) {
                packedIpv4 = Arrays.copyOf(packedIpv4, ipv4Count * 2);
            }
            packedIpv4[ipv4Count++] = ((first ^ 0x80000000L) << 32) | last;
            return this;
        }

        public Builder addIpv6(long firstHigh, long firstLow, long lastHigh, long lastLow) {
            if (ipv6Count == ipv6FirstLow.length) {
                int capacity = ipv6Count * 2;
                ipv6FirstHigh = Arrays.copyOf(ipv6FirstHigh, capacity);
                ipv6FirstLow = Arrays.copyOf(ipv6FirstLow, capacity);
                ipv6LastHigh = Arrays.copyOf(ipv6LastHigh, capacity);
                ipv6LastLow = Arrays.copyOf(ipv6LastLow, capacity);
            }
            ipv6FirstHigh[ipv6Count] = firstHigh;
            ipv6FirstLow[ipv6Count] = firstLow;
            ipv6LastHigh[ipv6Count] = lastHigh;
            ipv6LastLow[ipv6Count] = lastLow;
            ipv6Count++;
            return this;
        }

        public Builder add(IpFamily family, long firstHigh, long firstLow, long lastHigh, long lastLow) {
            return family == IpFamily.IPV4 ? addIpv4(firstLow, lastLow) : addIpv6(firstHigh, firstLow, lastHigh, lastLow);
        }

        public Builder add(IpRange range) {
            requireNonNull(range, "range is null");
            return add(range.family(), range.first().high(), range.first().low(), range.last().high(), range.last().low());
        }

        public IpSet build() {
            return new IpSet(buildIpv4(), buildIpv6());
        }

        private Intervals buildIpv4() {
            long[] packed = packedIpv4;
            int count = ipv4Count;
            if (count >= RADIX_SORT_THRESHOLD) {
                sortByFirstAddress(packed, count);
            } else {
                Arrays.sort(packed, 0, count);
            }
            // merge in place: the packed array holds the merged intervals in its first `merged` slots
            int merged = 0;
            long currentStart = -1;
            long currentEnd = -1;
            for (int entry = 0; entry < count; entry++) {
                long start = (packed[entry] >>> 32) ^ 0x80000000L;
                long end = packed[entry] & 0xffffffffL;
                if (merged > 0 && start <= currentEnd + 1) {
                    if (end > currentEnd) {
                        currentEnd = end;
                        packed[merged - 1] = (currentStart << 32) | currentEnd;
                    }
                    continue;
                }
                currentStart = start;
                currentEnd = end;
                packed[merged++] = (currentStart << 32) | currentEnd;
            }
            long[] first = new long[merged];
            long[] last = new long[merged];
            for (int interval = 0; interval < merged; interval++) {
                first[interval] = packed[interval] >>> 32;
                last[interval] = packed[interval] & 0xffffffffL;
                // back to the packing of addIpv4, so that the builder can take more ranges and build again
                packed[interval] = ((first[interval] ^ 0x80000000L) << 32) | last[interval];
            }
            ipv4Count = merged;
            long[] zeros = Intervals.zeros(merged);
            return new Intervals(32, merged, zeros, first, zeros, last);
        }

        /**
         * Orders packed IPv4 entries by first address with two counting passes of 16 bits each:
         * linear, and about three times faster than a comparison sort on a million entries
         * (docs/BENCHMARKS.md). The order of entries with the same first address does not
         * matter: the merge keeps the furthest end.
         */
        private static void sortByFirstAddress(long[] packed, int count) {
            long[] buffer = new long[count];
            int[] offsets = new int[(1 << 16) + 1];
            countingPass(packed, buffer, count, 32, 0, offsets);
            // the top digit carries the flipped sign bit of the packing: flip it back
            countingPass(buffer, packed, count, 48, 0x8000, offsets);
        }

        private static void countingPass(long[] from, long[] to, int count, int shift, int flip, int[] offsets) {
            Arrays.fill(offsets, 0);
            for (int entry = 0; entry < count; entry++) {
                offsets[(((int) (from[entry] >>> shift) ^ flip) & 0xffff) + 1]++;
            }
            for (int digit = 1; digit < offsets.length; digit++) {
                offsets[digit] += offsets[digit - 1];
            }
            for (int entry = 0; entry < count; entry++) {
                long value = from[entry];
                to[offsets[((int) (value >>> shift) ^ flip) & 0xffff]++] = value;
            }
        }

        private Intervals buildIpv6() {
            int count = ipv6Count;
            int[] order = sortedOrder(count);
            Intervals.Appender appender = new Intervals.Appender(128, count);
            for (int position = 0; position < count; position++) {
                int entry = order[position];
                appender.add(ipv6FirstHigh[entry], ipv6FirstLow[entry], ipv6LastHigh[entry], ipv6LastLow[entry]);
            }
            return appender.build();
        }

        /** Indexes of the IPv6 ranges by ascending first address: a bottom-up merge sort, linear on sorted input. */
        private int[] sortedOrder(int count) {
            int[] order = new int[count];
            for (int entry = 0; entry < count; entry++) {
                order[entry] = entry;
            }
            int[] buffer = new int[count];
            for (int width = 1; width < count; width *= 2) {
                for (int from = 0; from < count - width; from += 2 * width) {
                    int middle = from + width;
                    int to = Math.min(from + 2 * width, count);
                    if (lessOrEqual(order[middle - 1], order[middle])) {
                        continue;
                    }
                    System.arraycopy(order, from, buffer, from, to - from);
                    int left = from;
                    int right = middle;
                    for (int target = from; target < to; target++) {
                        if (right >= to || (left < middle && lessOrEqual(buffer[left], buffer[right]))) {
                            order[target] = buffer[left++];
                        } else {
                            order[target] = buffer[right++];
                        }
                    }
                }
            }
            return order;
        }

        private boolean lessOrEqual(int left, int right) {
            return U128.compare(ipv6FirstHigh[left], ipv6FirstLow[left], ipv6FirstHigh[right], ipv6FirstLow[right]) <= 0;
        }
    }
}
