package dev.bulwark.ip;

import java.nio.charset.StandardCharsets;

/**
 * Writes addresses and prefixes as text: IPv4 dotted quads, IPv6 in the canonical form of
 * RFC 5952 (lower case, no leading zeros, the longest run of two or more zero groups as
 * {@code ::}). A prefix that is a single address is written without {@code /32} or {@code /128}.
 * The {@code append} methods write ASCII into a byte buffer for the output hot path.
 */
public final class IpFormat {
    /** Longest text of one prefix: a full IPv6 address plus {@code /128}. */
    public static final int MAX_PREFIX_LENGTH = 39 + 4;

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private IpFormat() {
    }

    public static String address(IpFamily family, long high, long low) {
        return prefix(family, high, low, family.bits());
    }

    public static String prefix(IpFamily family, long high, long low, int length) {
        byte[] buffer = new byte[MAX_PREFIX_LENGTH];
        int end = appendPrefix(buffer, 0, family, high, low, length);
        return new String(buffer, 0, end, StandardCharsets.US_ASCII);
    }

    /** Appends a prefix at {@code position}; returns the position after it. */
    public static int appendPrefix(byte[] buffer, int position, IpFamily family, long high, long low, int length) {
        int end = family == IpFamily.IPV4 ? appendIpv4(buffer, position, low) : appendIpv6(buffer, position, high, low);
        if (length == family.bits()) {
            return end;
        }
        buffer[end++] = '/';
        return appendSmallNumber(buffer, end, length);
    }

    public static int appendIpv4(byte[] buffer, int position, long value) {
        int end = appendSmallNumber(buffer, position, (int) (value >>> 24) & 0xff);
        buffer[end++] = '.';
        end = appendSmallNumber(buffer, end, (int) (value >>> 16) & 0xff);
        buffer[end++] = '.';
        end = appendSmallNumber(buffer, end, (int) (value >>> 8) & 0xff);
        buffer[end++] = '.';
        return appendSmallNumber(buffer, end, (int) value & 0xff);
    }

    public static int appendIpv6(byte[] buffer, int position, long high, long low) {
        // Find the longest run of zero groups (the first one on a tie), if at least two long.
        int bestStart = -1;
        int bestLength = 1;
        int runStart = -1;
        for (int group = 0; group < 8; group++) {
            if (group(high, low, group) == 0) {
                if (runStart < 0) {
                    runStart = group;
                }
                int runLength = group - runStart + 1;
                if (runLength > bestLength) {
                    bestStart = runStart;
                    bestLength = runLength;
                }
            } else {
                runStart = -1;
            }
        }
        int end = position;
        for (int group = 0; group < 8; group++) {
            if (group == bestStart) {
                buffer[end++] = ':';
                buffer[end++] = ':';
                group += bestLength - 1;
                continue;
            }
            if (group > 0 && group != bestStart + bestLength) {
                buffer[end++] = ':';
            }
            end = appendHexGroup(buffer, end, group(high, low, group));
        }
        return end;
    }

    private static int group(long high, long low, int group) {
        long half = group < 4 ? high : low;
        return (int) (half >>> (48 - 16 * (group & 3))) & 0xffff;
    }

    private static int appendHexGroup(byte[] buffer, int position, int value) {
        int end = position;
        boolean started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            int digit = (value >>> shift) & 0xf;
            if (digit != 0 || started || shift == 0) {
                buffer[end++] = HEX[digit];
                started = true;
            }
        }
        return end;
    }

    private static int appendSmallNumber(byte[] buffer, int position, int value) {
        int end = position;
        if (value >= 100) {
            buffer[end++] = (byte) ('0' + value / 100);
            buffer[end++] = (byte) ('0' + value / 10 % 10);
        } else if (value >= 10) {
            buffer[end++] = (byte) ('0' + value / 10);
        }
        buffer[end++] = (byte) ('0' + value % 10);
        return end;
    }
}
