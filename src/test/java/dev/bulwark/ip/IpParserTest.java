package dev.bulwark.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpParserTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            192.0.2.1                     | 192.0.2.1
            0.0.0.0                       | 0.0.0.0
            255.255.255.255               | 255.255.255.255
            192.0.2.0/24                  | 192.0.2.0/24
            192.0.2.77/24                 | 192.0.2.0/24
            192.0.2.0/255.255.255.0       | 192.0.2.0/24
            192.0.2.1/32                  | 192.0.2.1
            0.0.0.0/0                     | 0.0.0.0/0
            192.0.2.0-192.0.2.255         | 192.0.2.0/24
            192.0.2.1-192.0.2.9           | 192.0.2.1-192.0.2.9
            ::ffff:192.0.2.1              | 192.0.2.1
            ::FFFF:c000:0201              | 192.0.2.1
            ::ffff:192.0.2.0/120          | 192.0.2.0/24
            2001:db8::1                   | 2001:db8::1
            2001:DB8:0:0:0:0:0:1          | 2001:db8::1
            2001:db8::/32                 | 2001:db8::/32
            2001:db8::1:0:0:1             | 2001:db8::1:0:0:1
            2001:db8:0:0:1:0:0:1          | 2001:db8::1:0:0:1
            ::                            | ::
            ::1                           | ::1
            1::                           | 1::
            64:ff9b::192.0.2.33           | 64:ff9b::c000:221
            ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff
            2001:db8::-2001:db8::ff       | 2001:db8::/120
            """)
    void parsesAndWritesCanonically(String text, String canonical) {
        assertThat(IpRange.parse(text).toString()).isEqualTo(canonical);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            192.030.0.6          | leading zero in IPv4 octet
            010.1.1.1            | leading zero in IPv4 octet
            256.1.1.1            | IPv4 octet out of range
            1.2.3.1000           | IPv4 octet out of range
            1.2.3                | an IPv4 address needs four octets
            1.2.3.4.5            | junk after the address
            1.2.3.4x             | junk after the address
            1.2..4               | empty IPv4 octet
            1.2.3.4/33           | prefix length beyond /32
            1.2.3.4/024          | leading zero in prefix length
            1.2.3.4/             | prefix length must be 0 to 128
            1.2.3.4/255.0.255.0  | netmask is not contiguous
            1.2.3.9-1.2.3.1      | range ends before it starts
            1.2.3.4-::1          | range mixes IPv4 and IPv6
            2001:db8::1%eth0     | IPv6 zone index not allowed
            2001:db8:::1         | not an IP address
            2001:db8::1::2       | more than one '::'
            1:2:3:4:5:6:7:8:9    | too many IPv6 groups
            1:2:3:4:5:6:7        | an IPv6 address needs eight groups or '::'
            12345::              | IPv6 group longer than four digits
            :1::                 | IPv6 address starts with a single ':'
            1::2:                | IPv6 address ends with a single ':'
            2001:db8::/129       | prefix length beyond /128
            example.com          | not an IP address
            """)
    void rejectsWithReason(String text, String reason) {
        assertThatThrownBy(() -> IpRange.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " 1.2.3.4", "1.2.3.4 ", "[::1]", "0x1.2.3.4", "1.2.3.-4", "+1.2.3.4"})
    void rejectsOddForms(String text) {
        assertThat(IpRange.tryParse(text)).isNull();
    }

    @Test
    void parsesInsideALargerBufferWithoutTouchingTheRest() {
        byte[] line = IpParser.ascii("xx203.0.113.7/31yy");
        IpParser parser = new IpParser();
        assertThat(parser.parseRange(line, 2, 16)).isTrue();
        assertThat(parser.family()).isEqualTo(IpFamily.IPV4);
        assertThat(parser.firstLow()).isEqualTo(0xCB007106L);
        assertThat(parser.lastLow()).isEqualTo(0xCB007107L);
    }

    @Test
    void singleAddressParseRefusesPrefixesAndRanges() {
        assertThat(IpAddress.parse("2001:db8::5")).isEqualTo(IpAddress.ipv6(0x20010db800000000L, 5));
        assertThatThrownBy(() -> IpAddress.parse("192.0.2.0/24")).hasMessageContaining("not a single address");
        assertThatThrownBy(() -> IpAddress.parse("192.0.2.1-192.0.2.1")).hasMessageContaining("not a single address");
    }

    @Test
    void rangeSizeAndBreadth() {
        assertThat(IpRange.parse("10.0.0.0/8").size()).hasToString("16777216");
        assertThat(IpRange.parse("::/0").size()).isEqualTo(java.math.BigInteger.ONE.shiftLeft(128));
        assertThat(IpRange.parse("10.0.0.0/8").isBroaderThan(8)).isFalse();
        assertThat(IpRange.parse("10.0.0.0/7").isBroaderThan(8)).isTrue();
        assertThat(IpRange.parse("10.0.0.0-11.0.0.0").isBroaderThan(8)).isTrue();
        assertThat(IpRange.parse("2001:db8::/32").isBroaderThan(32)).isFalse();
        assertThat(IpRange.parse("2001:db8::/31").isBroaderThan(32)).isTrue();
        assertThat(IpRange.parse("::/0").isBroaderThan(0)).isFalse();
    }
}
