package dev.bulwark.ip;

/** Splits an inclusive range into the minimal list of covering prefixes. */
final class Cidr {
    private Cidr() {
    }

    /**
     * Emits, ascending, the fewest prefixes covering exactly {@code [first, last]} in an address
     * space of {@code width} bits (32 for IPv4, whose values live in the low half, or 128).
     */
    static void decompose(int width, long firstHigh, long firstLow, long lastHigh, long lastLow, PrefixConsumer out) {
        long high = firstHigh;
        long low = firstLow;
        while (true) {
            int alignment = Math.min(U128.trailingZeros(high, low), width);
            // span = last - first; the largest block that fits has 2^fit addresses with 2^fit - 1 <= span
            long spanLow = lastLow - low;
            long spanHigh = lastHigh - high - (Long.compareUnsigned(lastLow, low) < 0 ? 1 : 0);
            int fit;
            if (spanHigh == -1L && spanLow == -1L) {
                fit = 128;
            } else {
                long countLow = spanLow + 1;
                long countHigh = spanLow == -1L ? spanHigh + 1 : spanHigh;
                fit = 127 - U128.leadingZeros(countHigh, countLow);
            }
            int blockBits = Math.min(alignment, fit);
            out.accept(high, low, width - blockBits);
            long endLow = low | U128.lowMaskLow(blockBits);
            long endHigh = high | U128.lowMaskHigh(blockBits);
            if (endLow == lastLow && endHigh == lastHigh) {
                return;
            }
            high = U128.incrementHigh(endHigh, endLow);
            low = U128.incrementLow(endLow);
        }
    }
}
