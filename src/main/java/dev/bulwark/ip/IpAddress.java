package dev.bulwark.ip;

import static java.util.Objects.requireNonNull;

/**
 * One IPv4 or IPv6 address. The value is held as an unsigned 128-bit number in two longs;
 * an IPv4 address has {@code high == 0} and its 32 bits in the low half.
 * An IPv4-mapped IPv6 address ({@code ::ffff:1.2.3.4}) is parsed as the IPv4 address.
 */
public record IpAddress(IpFamily family, long high, long low) implements Comparable<IpAddress> {

    public IpAddress {
        requireNonNull(family, "family is null");
        if (family == IpFamily.IPV4 && (high != 0 || (low >>> 32) != 0)) {
            throw new IllegalArgumentException("IPv4 value out of range: " + Long.toHexString(low));
        }
    }

    public static IpAddress ipv4(long value) {
        return new IpAddress(IpFamily.IPV4, 0, value);
    }

    public static IpAddress ipv6(long high, long low) {
        return new IpAddress(IpFamily.IPV6, high, low);
    }

    /** Parses a single address; throws {@link IllegalArgumentException} saying why it is not one. */
    public static IpAddress parse(String text) {
        IpRange range = IpRange.parse(text);
        if (!range.isSingleAddress() || text.indexOf('/') >= 0 || text.indexOf('-') >= 0) {
            throw new IllegalArgumentException("not a single address: '" + text + "'");
        }
        return range.first();
    }

    @Override
    public int compareTo(IpAddress other) {
        int byFamily = family.compareTo(other.family);
        if (byFamily != 0) {
            return byFamily;
        }
        int byHigh = Long.compareUnsigned(high, other.high);
        return byHigh != 0 ? byHigh : Long.compareUnsigned(low, other.low);
    }

    @Override
    public String toString() {
        return IpFormat.address(family, high, low);
    }
}
