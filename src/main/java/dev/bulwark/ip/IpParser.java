package dev.bulwark.ip;

import java.nio.charset.StandardCharsets;

/**
 * Strict, allocation-free parser of addresses, prefixes and ranges from ASCII bytes; the feed
 * hot path. One instance is reused across tokens and is not thread-safe: after a successful
 * {@link #parseRange} the accessors hold the parsed range; after a failure {@link #error()} says
 * why. Forms accepted: {@code 192.0.2.1}, {@code 192.0.2.0/24}, {@code 192.0.2.0/255.255.255.0},
 * {@code 192.0.2.1-192.0.2.9}, the same for IPv6 ({@code 2001:db8::/32}, {@code ::ffff:192.0.2.1}).
 * Rejected rather than guessed: leading zeros in IPv4 octets (octal to some parsers, decimal to
 * others), out-of-range octets or groups, fewer than four octets, zone indexes, junk after the
 * address, prefix lengths beyond the family's width. Host bits set under a prefix
 * ({@code 192.0.2.7/24}) are cleared, as iprange, ipset and nft do.
 * IPv4-mapped IPv6 ({@code ::ffff:0:0/96} and inside it) is returned as IPv4.
 */
public final class IpParser {
    private IpFamily family;
    private long firstHigh;
    private long firstLow;
    private long lastHigh;
    private long lastLow;
    private String error;

    // the address most recently parsed by parseAddress
    private IpFamily addressFamily;
    private long addressHigh;
    private long addressLow;
    private final int[] groups = new int[8];

    public static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    public IpFamily family() {
        return family;
    }

    public long firstHigh() {
        return firstHigh;
    }

    public long firstLow() {
        return firstLow;
    }

    public long lastHigh() {
        return lastHigh;
    }

    public long lastLow() {
        return lastLow;
    }

    /** Why the last failed parse failed. */
    public String error() {
        return error;
    }

    public IpRange toRange() {
        return new IpRange(new IpAddress(family, firstHigh, firstLow), new IpAddress(family, lastHigh, lastLow));
    }

    /** Parses the whole of {@code bytes[from, to)} as an address, prefix or range. */
    public boolean parseRange(byte[] bytes, int from, int to) {
        if (from >= to) {
            return fail("empty");
        }
        int end = parseAddress(bytes, from, to);
        if (end < 0) {
            return false;
        }
        family = addressFamily;
        firstHigh = addressHigh;
        firstLow = addressLow;
        if (end == to) {
            lastHigh = firstHigh;
            lastLow = firstLow;
            return mapIpv4(128);
        }
        byte separator = bytes[end];
        if (separator == '/') {
            return parseLength(bytes, end + 1, to);
        }
        if (separator == '-') {
            return parseRangeEnd(bytes, end + 1, to);
        }
        return fail("junk after the address");
    }

    /** Parses the whole of {@code bytes[from, to)} as a single address (no prefix, no range). */
    public boolean parseSingle(byte[] bytes, int from, int to) {
        if (from >= to) {
            return fail("empty");
        }
        int end = parseAddress(bytes, from, to);
        if (end < 0) {
            return false;
        }
        if (end != to) {
            return fail("junk after the address");
        }
        family = addressFamily;
        firstHigh = addressHigh;
        firstLow = addressLow;
        lastHigh = firstHigh;
        lastLow = firstLow;
        return mapIpv4(128);
    }

    private boolean parseRangeEnd(byte[] bytes, int from, int to) {
        IpFamily firstFamily = family;
        int end = parseAddress(bytes, from, to);
        if (end < 0) {
            return false;
        }
        if (end != to) {
            return fail("junk after the range");
        }
        if (addressFamily != firstFamily) {
            return fail("range mixes IPv4 and IPv6");
        }
        lastHigh = addressHigh;
        lastLow = addressLow;
        if (U128.compare(firstHigh, firstLow, lastHigh, lastLow) > 0) {
            return fail("range ends before it starts");
        }
        if (family == IpFamily.IPV6) {
            boolean firstMapped = isMapped(firstHigh, firstLow);
            boolean lastMapped = isMapped(lastHigh, lastLow);
            if (firstMapped && lastMapped) {
                family = IpFamily.IPV4;
                firstLow &= 0xffffffffL;
                lastLow &= 0xffffffffL;
            }
        }
        return true;
    }

    private boolean parseLength(byte[] bytes, int from, int to) {
        int length;
        if (family == IpFamily.IPV4 && indexOf(bytes, from, to, (byte) '.') >= 0) {
            length = parseNetmask(bytes, from, to);
        } else {
            length = parseDecimal(bytes, from, to);
        }
        if (length < 0) {
            return false;
        }
        int bits = family.bits();
        if (length > bits) {
            return fail("prefix length beyond /" + bits);
        }
        int hostBits = bits - length;
        long maskHigh = U128.lowMaskHigh(hostBits);
        long maskLow = family == IpFamily.IPV4 ? U128.lowMaskLow(hostBits) & 0xffffffffL : U128.lowMaskLow(hostBits);
        firstHigh &= ~maskHigh;
        firstLow &= family == IpFamily.IPV4 ? ~maskLow & 0xffffffffL : ~maskLow;
        lastHigh = firstHigh | maskHigh;
        lastLow = firstLow | maskLow;
        return mapIpv4(length);
    }

    private int parseDecimal(byte[] bytes, int from, int to) {
        if (from >= to || to - from > 3) {
            fail("prefix length must be 0 to 128");
            return -1;
        }
        if (bytes[from] == '0' && to - from > 1) {
            fail("leading zero in prefix length");
            return -1;
        }
        int value = 0;
        for (int index = from; index < to; index++) {
            int digit = bytes[index] - '0';
            if (digit < 0 || digit > 9) {
                fail("prefix length is not a number");
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    private int parseNetmask(byte[] bytes, int from, int to) {
        if (parseIpv4(bytes, from, to) < 0) {
            return -1;
        }
        long mask = addressLow;
        long inverse = ~mask & 0xffffffffL;
        if ((inverse & (inverse + 1)) != 0) {
            fail("netmask is not contiguous");
            return -1;
        }
        return Long.bitCount(mask);
    }

    /** An IPv6 range inside ::ffff:0:0/96 becomes the IPv4 range it maps. */
    private boolean mapIpv4(int length) {
        if (family == IpFamily.IPV6 && length >= 96 && isMapped(firstHigh, firstLow)) {
            family = IpFamily.IPV4;
            firstLow &= 0xffffffffL;
            lastLow &= 0xffffffffL;
        }
        return true;
    }

    private static boolean isMapped(long high, long low) {
        return high == 0 && (low >>> 32) == 0xffffL;
    }

    /** Parses an address starting at {@code from}; returns the index after it, or -1. */
    private int parseAddress(byte[] bytes, int from, int to) {
        int end = from;
        boolean colon = false;
        while (end < to) {
            byte c = bytes[end];
            if (c == '/' || c == '-') {
                break;
            }
            if (c == ':') {
                colon = true;
            }
            end++;
        }
        return colon ? parseIpv6(bytes, from, end) : parseIpv4(bytes, from, end);
    }

    private int parseIpv4(byte[] bytes, int from, int to) {
        long value = 0;
        int index = from;
        for (int octet = 0; octet < 4; octet++) {
            if (octet > 0) {
                if (index >= to || bytes[index] != '.') {
                    return failAt(index >= to ? "an IPv4 address needs four octets" : "junk after the address");
                }
                index++;
            }
            int start = index;
            int number = 0;
            while (index < to) {
                int digit = bytes[index] - '0';
                if (digit < 0 || digit > 9) {
                    break;
                }
                number = number * 10 + digit;
                index++;
                if (index - start > 3) {
                    return failAt("IPv4 octet out of range");
                }
            }
            if (index == start) {
                return failAt(start < to && bytes[start] == '.' ? "empty IPv4 octet" : "not an IP address");
            }
            if (bytes[start] == '0' && index - start > 1) {
                return failAt("leading zero in IPv4 octet");
            }
            if (number > 255) {
                return failAt("IPv4 octet out of range");
            }
            value = (value << 8) | number;
        }
        if (index != to) {
            return failAt("junk after the address");
        }
        addressFamily = IpFamily.IPV4;
        addressHigh = 0;
        addressLow = value;
        return index;
    }

    private int parseIpv6(byte[] bytes, int from, int to) {
        int[] parsed = groups;
        int count = 0;
        int gap = -1;
        int index = from;
        if (to - from >= 2 && bytes[from] == ':' && bytes[from + 1] == ':') {
            gap = 0;
            index += 2;
        } else if (index < to && bytes[index] == ':') {
            return failAt("IPv6 address starts with a single ':'");
        }
        while (index < to) {
            int start = index;
            int value = 0;
            while (index < to) {
                int digit = hexDigit(bytes[index]);
                if (digit < 0) {
                    break;
                }
                value = (value << 4) | digit;
                index++;
            }
            if (index < to && bytes[index] == '.') {
                if (count > 6 || parseIpv4(bytes, start, to) < 0) {
                    return count > 6 ? failAt("too many IPv6 groups") : -1;
                }
                parsed[count++] = (int) (addressLow >>> 16);
                parsed[count++] = (int) (addressLow & 0xffff);
                index = to;
                break;
            }
            if (index == start) {
                return failAt(index < to && bytes[index] == '%' ? "IPv6 zone index not allowed" : "not an IP address");
            }
            if (index - start > 4) {
                return failAt("IPv6 group longer than four digits");
            }
            if (count == 8) {
                return failAt("too many IPv6 groups");
            }
            parsed[count++] = value;
            if (index == to) {
                break;
            }
            if (bytes[index] != ':') {
                return failAt(bytes[index] == '%' ? "IPv6 zone index not allowed" : "junk after the address");
            }
            index++;
            if (index < to && bytes[index] == ':') {
                if (gap >= 0) {
                    return failAt("more than one '::'");
                }
                gap = count;
                index++;
            } else if (index == to) {
                return failAt("IPv6 address ends with a single ':'");
            }
        }
        if (gap < 0 && count != 8) {
            return failAt("an IPv6 address needs eight groups or '::'");
        }
        if (gap >= 0 && count > 7) {
            return failAt("too many IPv6 groups");
        }
        long high = 0;
        long low = 0;
        int zeros = 8 - count;
        int position = 0;
        for (int group = 0; group < count; group++) {
            if (group == gap) {
                position += zeros;
            }
            int shift = 48 - 16 * (position & 3);
            if (position < 4) {
                high |= (long) parsed[group] << shift;
            } else {
                low |= (long) parsed[group] << shift;
            }
            position++;
        }
        addressFamily = IpFamily.IPV6;
        addressHigh = high;
        addressLow = low;
        return to;
    }

    private static int hexDigit(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static int indexOf(byte[] bytes, int from, int to, byte wanted) {
        for (int index = from; index < to; index++) {
            if (bytes[index] == wanted) {
                return index;
            }
        }
        return -1;
    }

    private boolean fail(String reason) {
        error = reason;
        return false;
    }

    private int failAt(String reason) {
        error = reason;
        return -1;
    }
}
