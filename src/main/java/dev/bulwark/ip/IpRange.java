package dev.bulwark.ip;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/** An inclusive range of addresses of one family: a single address, a prefix or any {@code a-b}. */
public record IpRange(IpAddress first, IpAddress last) {

    public IpRange {
        requireNonNull(first, "first is null");
        requireNonNull(last, "last is null");
        if (first.family() != last.family()) {
            throw new IllegalArgumentException("range mixes families: " + first + "-" + last);
        }
        if (first.compareTo(last) > 0) {
            throw new IllegalArgumentException("range ends before it starts: " + first + "-" + last);
        }
    }

    /**
     * Parses an address, a prefix ({@code 192.0.2.0/24}, {@code 2001:db8::/32}, or an IPv4
     * netmask {@code 192.0.2.0/255.255.255.0}) or a range ({@code 192.0.2.1-192.0.2.9}).
     * Throws {@link IllegalArgumentException} saying what is wrong.
     */
    public static IpRange parse(String text) {
        IpParser parser = new IpParser();
        byte[] bytes = IpParser.ascii(text);
        if (!parser.parseRange(bytes, 0, bytes.length)) {
            throw new IllegalArgumentException("not an IP address, prefix or range: '" + text + "' (" + parser.error() + ")");
        }
        return parser.toRange();
    }

    /** Parses like {@link #parse} but returns null instead of throwing. */
    public static IpRange tryParse(String text) {
        IpParser parser = new IpParser();
        byte[] bytes = IpParser.ascii(text);
        return parser.parseRange(bytes, 0, bytes.length) ? parser.toRange() : null;
    }

    /**
     * Whether {@code [first, last]} holds more addresses than a prefix of {@code length} bits,
     * i.e. is broader than /length (IPv4 values in the low half).
     */
    public static boolean isBroaderThan(IpFamily family, long firstHigh, long firstLow, long lastHigh, long lastLow, int length) {
        long spanLow = lastLow - firstLow;
        long spanHigh = lastHigh - firstHigh - (Long.compareUnsigned(lastLow, firstLow) < 0 ? 1 : 0);
        int spanBits = 128 - U128.leadingZeros(spanHigh, spanLow);
        return spanBits > family.bits() - length;
    }

    public boolean isBroaderThan(int length) {
        return isBroaderThan(family(), first.high(), first.low(), last.high(), last.low(), length);
    }

    public IpFamily family() {
        return first.family();
    }

    public boolean isSingleAddress() {
        return first.equals(last);
    }

    /** Number of addresses in the range. */
    public BigInteger size() {
        return U128.toBigInteger(last.high(), last.low()).subtract(U128.toBigInteger(first.high(), first.low())).add(BigInteger.ONE);
    }

    /** The minimal list of prefixes covering exactly this range, ascending. */
    public List<String> toPrefixes() {
        List<String> prefixes = new ArrayList<>();
        IpFamily family = family();
        Cidr.decompose(family.bits(), first.high(), first.low(), last.high(), last.low(),
                (high, low, length) -> prefixes.add(IpFormat.prefix(family, high, low, length)));
        return prefixes;
    }

    @Override
    public String toString() {
        List<String> prefixes = toPrefixes();
        return prefixes.size() == 1 ? prefixes.get(0) : first + "-" + last;
    }
}
