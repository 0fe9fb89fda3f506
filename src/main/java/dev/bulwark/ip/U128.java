package dev.bulwark.ip;

import java.math.BigInteger;

/** Unsigned 128-bit arithmetic on (high, low) pairs of longs; the primitives the hot paths use. */
final class U128 {
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

    private U128() {
    }

    static int compare(long highA, long lowA, long highB, long lowB) {
        int byHigh = Long.compareUnsigned(highA, highB);
        return byHigh != 0 ? byHigh : Long.compareUnsigned(lowA, lowB);
    }

    /** Low half of {@code (high, low) + 1}; the high half is {@link #incrementHigh}. */
    static long incrementLow(long low) {
        return low + 1;
    }

    static long incrementHigh(long high, long low) {
        return low == -1L ? high + 1 : high;
    }

    static long decrementLow(long low) {
        return low - 1;
    }

    static long decrementHigh(long high, long low) {
        return low == 0 ? high - 1 : high;
    }

    /** Number of trailing zero bits; 128 for zero. */
    static int trailingZeros(long high, long low) {
        return low != 0 ? Long.numberOfTrailingZeros(low) : 64 + Long.numberOfTrailingZeros(high);
    }

    /** Number of leading zero bits; 128 for zero. */
    static int leadingZeros(long high, long low) {
        return high != 0 ? Long.numberOfLeadingZeros(high) : 64 + Long.numberOfLeadingZeros(low);
    }

    /** High half of the mask with the low {@code bits} bits set (0 to 128). */
    static long lowMaskHigh(int bits) {
        if (bits <= 64) {
            return 0;
        }
        return bits == 128 ? -1L : (1L << (bits - 64)) - 1;
    }

    /** Low half of the mask with the low {@code bits} bits set (0 to 128). */
    static long lowMaskLow(int bits) {
        if (bits >= 64) {
            return -1L;
        }
        return (1L << bits) - 1;
    }

    static BigInteger toBigInteger(long high, long low) {
        BigInteger lowPart = low >= 0 ? BigInteger.valueOf(low) : BigInteger.valueOf(low).add(TWO_TO_64);
        BigInteger highPart = high >= 0 ? BigInteger.valueOf(high) : BigInteger.valueOf(high).add(TWO_TO_64);
        return highPart.shiftLeft(64).or(lowPart);
    }
}
