package dev.bulwark.ip;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The IPv4 parser against a reference written from the grammar alone, on random strings made
 * of the characters that near-miss addresses are made of: exactly four decimal octets of 0 to
 * 255 without leading zeros, optionally a prefix length of 0 to 32 without leading zeros;
 * everything else rejected.
 */
class IpParserStrictnessProperties {
    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    private static final Pattern REFERENCE = Pattern.compile(
            OCTET + "\\." + OCTET + "\\." + OCTET + "\\." + OCTET + "(?:/(3[0-2]|[12]?[0-9]))?");

    @Property(tries = 20_000)
    void acceptsExactlyWhatTheGrammarAllows(@ForAll("nearAddresses") String text) {
        Matcher matcher = REFERENCE.matcher(text);
        IpRange parsed = IpRange.tryParse(text);
        if (!matcher.matches()) {
            assertThat(parsed).as("'%s' must be rejected", text).isNull();
            return;
        }
        assertThat(parsed).as("'%s' must be accepted", text).isNotNull();
        long value = 0;
        for (int group = 1; group <= 4; group++) {
            value = (value << 8) | Integer.parseInt(matcher.group(group));
        }
        int length = matcher.group(5) == null ? 32 : Integer.parseInt(matcher.group(5));
        long size = 1L << (32 - length);
        long network = value & ~(size - 1);
        assertThat(parsed.family()).isEqualTo(IpFamily.IPV4);
        assertThat(parsed.first().low()).isEqualTo(network);
        assertThat(parsed.last().low()).isEqualTo(network + size - 1);
    }

    @Provide
    Arbitrary<String> nearAddresses() {
        Arbitrary<String> octet = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 255).map(String::valueOf),
                Arbitraries.integers().between(0, 999).map(String::valueOf),
                Arbitraries.strings().withChars("0123456789").ofMinLength(0).ofMaxLength(4));
        Arbitrary<String> address = octet.list().ofMinSize(3).ofMaxSize(5).map(octets -> String.join(".", octets));
        Arbitrary<String> suffix = Arbitraries.oneOf(
                Arbitraries.just(""),
                Arbitraries.integers().between(0, 40).map(length -> "/" + length),
                Arbitraries.strings().withChars("0123456789/.x ").ofMinLength(1).ofMaxLength(4));
        Arbitrary<String> wellFormed = net.jqwik.api.Combinators.combine(address, suffix).as(String::concat);
        Arbitrary<String> noise = Arbitraries.strings().withChars("0123456789./").ofMinLength(0).ofMaxLength(20);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, wellFormed), net.jqwik.api.Tuple.of(1, noise));
    }
}
