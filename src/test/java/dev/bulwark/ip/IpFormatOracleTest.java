package dev.bulwark.ip;

import static org.assertj.core.api.Assertions.assertThat;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;

import java.math.BigInteger;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Our hand-written parser and formatter against the IPAddress library, on random addresses. */
class IpFormatOracleTest {

    @Property(tries = 2000)
    void ipv4FormatsAndParsesLikeTheLibrary(@ForAll("ipv4") long value) {
        IPv4Address reference = new IPv4Address((int) value);
        String ours = IpFormat.address(IpFamily.IPV4, 0, value);
        assertThat(ours).isEqualTo(reference.toCanonicalString());
        assertThat(IpAddress.parse(ours)).isEqualTo(IpAddress.ipv4(value));
    }

    @Property(tries = 5000)
    void ipv6FormatsAndParsesLikeTheLibrary(@ForAll("ipv6") BigInteger value) {
        IPv6Address reference = new IPv6Address(value);
        long high = value.shiftRight(64).longValue();
        long low = value.longValue();
        String ours = IpFormat.address(IpFamily.IPV6, high, low);
        boolean mapped = high == 0 && (low >>> 32) == 0xffffL;
        if (!mapped) {
            assertThat(ours).isEqualTo(reference.toCanonicalString());
        }
        for (String form : new String[] {reference.toFullString(), reference.toCompressedString(),
                reference.toMixedString(), reference.toCanonicalString().toUpperCase()}) {
            IpAddress parsed = IpAddress.parse(form);
            if (mapped) {
                assertThat(parsed).isEqualTo(IpAddress.ipv4(low & 0xffffffffL));
            } else {
                assertThat(parsed).as(form).isEqualTo(IpAddress.ipv6(high, low));
            }
        }
    }

    @Property(tries = 2000)
    void prefixesMatchTheLibrary(@ForAll("ipv6") BigInteger value, @ForAll("lengths") int length) {
        IPAddress reference = new IPv6Address(value).toPrefixBlock(length);
        IpRange ours = IpRange.parse(new IPv6Address(value).toCanonicalString() + "/" + length);
        IPAddress lower = reference.getLower();
        IPAddress upper = reference.getUpper();
        if (ours.family() == IpFamily.IPV6) {
            assertThat(U128.toBigInteger(ours.first().high(), ours.first().low())).isEqualTo(lower.getValue());
            assertThat(U128.toBigInteger(ours.last().high(), ours.last().low())).isEqualTo(upper.getValue());
            assertThat(ours.toString()).isEqualTo(new IPAddressString(reference.toCanonicalString()).getAddress()
                    .toPrefixBlock().toCanonicalString().replace("/128", ""));
        }
    }

    @Provide
    Arbitrary<Long> ipv4() {
        return Arbitraries.oneOf(Arbitraries.longs().between(0, 0xffffffffL), Arbitraries.of(0L, 0xffffffffL, 0x7fffffffL, 0x80000000L));
    }

    @Provide
    Arbitrary<BigInteger> ipv6() {
        // groups drawn mostly zero, so that runs of zeros (and their '::') are common
        Arbitrary<Integer> group = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.just(0)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 0xffff)));
        return group.list().ofSize(8).map(groups -> {
            BigInteger result = BigInteger.ZERO;
            for (int value : groups) {
                result = result.shiftLeft(16).or(BigInteger.valueOf(value));
            }
            return result;
        });
    }

    @Provide
    Arbitrary<Integer> lengths() {
        return Arbitraries.integers().between(0, 128);
    }
}
