package dev.bulwark.ip;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Random;

import org.junit.jupiter.api.Test;

class IpSetTest {

    @Test
    void aBuilderBuildsAgainAndTakesMoreRangesAfterABuild() {
        IpSet.Builder builder = IpSet.builder();
        for (long address = 0x0A000000L; address < 0x0A000000L + 40_000; address += 2) {
            builder.addIpv4(address, address); // past the radix sort's threshold
        }
        builder.add(IpRange.parse("192.0.2.0/24")).add(IpRange.parse("2001:db8::/32"));
        IpSet first = builder.build();

        IpSet again = builder.build();
        builder.add(IpRange.parse("198.51.100.7"));
        IpSet more = builder.build();

        assertThat(again).isEqualTo(first);
        assertThat(first.rangeCount(IpFamily.IPV4)).isEqualTo(20_001);
        assertThat(more).isEqualTo(first.union(IpSet.of("198.51.100.7")));
    }

    @Test
    void anAllowedAddressSplitsABlockedSixteenIntoMinimalPrefixes() {
        IpSet result = IpSet.of("198.18.0.0/16").difference(IpSet.of("198.18.77.9"));
        assertThat(result.toPrefixes()).containsExactly(
                "198.18.0.0/18", "198.18.64.0/21", "198.18.72.0/22", "198.18.76.0/24", "198.18.77.0/29",
                "198.18.77.8", "198.18.77.10/31", "198.18.77.12/30", "198.18.77.16/28", "198.18.77.32/27",
                "198.18.77.64/26", "198.18.77.128/25", "198.18.78.0/23", "198.18.80.0/20", "198.18.96.0/19",
                "198.18.128.0/17");
        assertThat(result.size()).isEqualTo(BigInteger.valueOf(65535));
        assertThat(result.contains(IpAddress.parse("198.18.77.9"))).isFalse();
        assertThat(result.contains(IpAddress.parse("198.18.77.10"))).isTrue();
    }

    @Test
    void mergesOverlappingAndAdjacentEntriesOfBothFamilies() {
        IpSet set = IpSet.of("2001:db8::/33", "192.0.2.0/25", "192.0.2.128-192.0.2.255", "2001:db8:8000::/33",
                "192.0.2.7", "10.1.1.1", "::ffff:10.1.1.2");
        assertThat(set.toPrefixes()).containsExactly("10.1.1.1", "10.1.1.2", "192.0.2.0/24", "2001:db8::/32");
        assertThat(set.rangeCount(IpFamily.IPV4)).isEqualTo(2);
        assertThat(set.prefixCount(IpFamily.IPV4)).isEqualTo(3);
    }

    @Test
    void wholeAddressSpacesAtTheEdges() {
        IpSet everything = IpSet.of("0.0.0.0/0", "::/0");
        assertThat(everything.toPrefixes()).containsExactly("0.0.0.0/0", "::/0");
        assertThat(everything.size()).isEqualTo(BigInteger.ONE.shiftLeft(32).add(BigInteger.ONE.shiftLeft(128)));
        IpSet withoutEnds = everything.difference(IpSet.of("0.0.0.0", "255.255.255.255", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
        assertThat(withoutEnds.contains(IpAddress.parse("255.255.255.254"))).isTrue();
        assertThat(withoutEnds.contains(IpAddress.parse("255.255.255.255"))).isFalse();
        assertThat(withoutEnds.contains(IpAddress.parse("::1"))).isTrue();
        assertThat(withoutEnds.prefixCount(IpFamily.IPV4)).isEqualTo(62);
        assertThat(withoutEnds.prefixCount(IpFamily.IPV6)).isEqualTo(254);
    }

    @Test
    void sizeCarriesAcrossTheHalvesOfIpv6() {
        // two ranges of 2^63 + 1 addresses each: their low halves overflow when added
        IpSet set = IpSet.of("1::-1::8000:0:0:0", "2::-2::8000:0:0:0");
        assertThat(set.size()).isEqualTo(BigInteger.ONE.shiftLeft(64).add(BigInteger.TWO));
        assertThat(IpSet.of("::/1", "c000::/2").size()).isEqualTo(BigInteger.ONE.shiftLeft(127).add(BigInteger.ONE.shiftLeft(126)));
    }

    @Test
    void rangeContainingTellsTheMaximalRange() {
        IpSet set = IpSet.of("203.0.113.0/25", "203.0.113.128/26");
        assertThat(set.rangeContaining(IpAddress.parse("203.0.113.150"))).hasToString("203.0.113.0-203.0.113.191");
        assertThat(set.rangeContaining(IpAddress.parse("203.0.113.200"))).isNull();
    }

    @Test
    void containsAgreesWithALinearScanOnALargeRandomSet() {
        Random random = new Random(7);
        IpSet.Builder builder = IpSet.builder();
        long[][] ranges = new long[20_000][];
        for (int index = 0; index < ranges.length; index++) {
            long start = random.nextLong(0x100000000L);
            long end = Math.min(0xffffffffL, start + random.nextInt(1 << random.nextInt(16)));
            ranges[index] = new long[] {start, end};
            builder.addIpv4(start, end);
        }
        IpSet set = builder.build();
        for (int probe = 0; probe < 20_000; probe++) {
            long address = probe % 2 == 0 ? random.nextLong(0x100000000L) : ranges[probe / 2][random.nextBoolean() ? 0 : 1];
            boolean expected = false;
            for (long[] range : ranges) {
                if (range[0] <= address && address <= range[1]) {
                    expected = true;
                    break;
                }
            }
            assertThat(set.containsIpv4(address)).as("%d", address).isEqualTo(expected);
        }
    }
}
