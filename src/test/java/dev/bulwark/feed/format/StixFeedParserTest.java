package dev.bulwark.feed.format;

import dev.bulwark.ip.IpFamily;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StixFeedParserTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-01T00:00:00Z"), ZoneOffset.UTC);

    private final StixFeedParser parser = new StixFeedParser(CLOCK);

    @Test
    void readsTheAddressOfAC2Indicator() throws IOException {
        RecordingSink sink = parseResource("stix/indicator-for-c2-ip-address.json");

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.entries).containsExactly(new RecordingSink.Entry("10.0.0.0", EntrySink.NO_SCORE, List.of("malicious-activity")));
    }

    @Test
    void skipsTheHashIndicatorBesideTheAddressOne() throws IOException {
        RecordingSink sink = parseResource("stix/indicators-for-C2-with-COA.json");

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.ranges()).containsExactly("10.0.0.0");
        assertThat(parser.skipped()).isEqualTo(1);
        assertThat(parser.dropped()).isZero();
    }

    @Test
    void readsTheApt1PrefixesAndSkipsDomainHashAndCertificateIndicators() throws IOException {
        RecordingSink sink = parseResource("stix/apt1.json");

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.ranges()).containsExactly("223.166.0.0/15", "58.246.0.0/15", "112.64.0.0/15", "139.226.0.0/15");
        assertThat(parser.skipped()).isEqualTo(8);
    }

    @Test
    void readsOnlyTheAddressComparisonsOfPoisonIvyOrPatterns() throws IOException {
        RecordingSink sink = parseResource("stix/poisonivy.json");

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.entries).hasSize(40);
        assertThat(sink.ranges().stream().distinct()).hasSize(18)
                .contains("219.76.208.163", "113.10.246.30", "202.65.222.45", "60.2.148.167", "123.183.210.28");
        assertThat(sink.entries).extracting(RecordingSink.Entry::categories)
                .containsOnly(List.of("malicious-activity", "attribution"));
        assertThat(parser.skipped()).isEqualTo(5);
    }

    @Test
    void readsBareIpv4AddressObjects() throws IOException {
        RecordingSink sink = parseResource("stix/elevator_command-and-control-ip-list.json");

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.entries).containsExactly(
                new RecordingSink.Entry("198.51.100.2", EntrySink.NO_SCORE, List.of()),
                new RecordingSink.Entry("198.51.100.17", EntrySink.NO_SCORE, List.of()),
                new RecordingSink.Entry("203.0.113.19", EntrySink.NO_SCORE, List.of()));
    }

    @Test
    void readsIssubsetInListsAndObservationsJoinedByOr() throws IOException {
        RecordingSink sink = parse(bundle(
                indicator("[ipv4-addr:value ISSUBSET '198.51.100.0/24']", ""),
                indicator("[ipv4-addr:value IN ('192.0.2.1', '192.0.2.2')] OR [ipv6-addr:value = '2001:db8::/32']", ""),
                indicator("[network-traffic:dst_port = 443 AND ipv4-addr:value = '203.0.113.7'] WITHIN 300 SECONDS", "")));

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.ranges()).containsExactly("198.51.100.0/24", "192.0.2.1", "192.0.2.2", "2001:db8::/32", "203.0.113.7");
    }

    @Test
    void negatedComparisonsYieldNoEntries() throws IOException {
        RecordingSink sink = parse(bundle(
                indicator("[ipv4-addr:value != '192.0.2.1' AND ipv4-addr:value = '192.0.2.2']", ""),
                indicator("[ipv4-addr:value NOT IN ('192.0.2.3', '192.0.2.4')]", ""),
                indicator("[ipv4-addr:value NOT = '192.0.2.5']", "")));

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.ranges()).containsExactly("192.0.2.2");
        assertThat(parser.skipped()).isEqualTo(2);
    }

    @Test
    void readsQuotedStringsWithEscapes() throws IOException {
        RecordingSink sink = parse(bundle(
                indicator("[domain-name:value = 'it\\\\'s ] OR [ipv4-addr:value = \\\\'' OR ipv4-addr:value = '192.0.2.9']", "")));

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.ranges()).containsExactly("192.0.2.9");
    }

    @Test
    void dropsRevokedAndExpiredIndicatorsWithoutRejectingThem() throws IOException {
        RecordingSink sink = parse(bundle(
                indicator("[ipv4-addr:value = '192.0.2.1']", ", \"revoked\": true"),
                indicator("[ipv4-addr:value = '192.0.2.2']", ", \"valid_until\": \"2016-04-06T20:03:48.000Z\""),
                indicator("[ipv4-addr:value = '192.0.2.3']", ", \"valid_until\": \"2025-06-01T00:00:00Z\""),
                indicator("[ipv4-addr:value = '192.0.2.4']", ", \"valid_until\": \"2025-06-01T00:00:00.001Z\", \"revoked\": false")));

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.ranges()).containsExactly("192.0.2.4");
        assertThat(parser.dropped()).isEqualTo(3);
    }

    @Test
    void validUntilIsTheExpiryOfEveryAddressOfItsIndicator() throws IOException {
        RecordingSink sink = parse(bundle(
                indicator("[ipv4-addr:value = '192.0.2.1' OR ipv6-addr:value = '2001:db8::/48']", ", \"valid_until\": \"2025-07-01T12:00:00Z\""),
                indicator("[ipv4-addr:value = '192.0.2.2']", ", \"valid_until\": \"2025-07-01T12:00:00.250Z\""),
                indicator("[ipv4-addr:value = '192.0.2.3']", ""),
                "{\"type\": \"ipv4-addr\", \"id\": \"ipv4-addr--1\", \"value\": \"192.0.2.4\"}"));

        long noon = Instant.parse("2025-07-01T12:00:00Z").getEpochSecond();
        assertThat(sink.ranges()).containsExactly("192.0.2.1", "2001:db8::/48", "192.0.2.2", "192.0.2.3", "192.0.2.4");
        // a fraction of a second rounds up: never expired before the indicator is
        assertThat(sink.expiries).containsExactly(noon, noon, noon + 1, EntrySink.NO_EXPIRY, EntrySink.NO_EXPIRY);
    }

    @Test
    void aSinkThatKnowsNoExpiryStillGetsTheEntries() throws IOException {
        List<String> received = new ArrayList<>();
        EntrySink plain = new EntrySink() {
            @Override
            public void entry(IpFamily family, long firstHigh, long firstLow, long lastHigh, long lastLow, int score,
                              List<String> categories) {
                received.add(family + " " + firstLow + " " + score);
            }

            @Override
            public void rejected(long line, String text, String reason) {
                received.add("rejected " + reason);
            }
        };

        parser.parse(new ByteArrayInputStream(bundle(indicator("[ipv4-addr:value = '0.0.0.9']",
                ", \"confidence\": 70, \"valid_until\": \"2030-01-01T00:00:00Z\"")).getBytes(StandardCharsets.UTF_8)), plain);

        assertThat(received).containsExactly("IPV4 9 70");
    }

    @Test
    void confidenceIsTheScoreAndLabelsWithIndicatorTypesTheCategories() throws IOException {
        RecordingSink sink = parse(bundle(indicator("[ipv4-addr:value = '192.0.2.1']",
                ", \"confidence\": 85, \"labels\": [\"botnet\"], \"indicator_types\": [\"malicious-activity\", \"botnet\"]")));

        assertThat(sink.entries).containsExactly(new RecordingSink.Entry("192.0.2.1", 85, List.of("botnet", "malicious-activity")));
    }

    @Test
    void readsATaxiiEnvelopeWithMore() throws IOException {
        String envelope = "{\"more\": true, \"next\": \"page-2\", \"objects\": ["
                + indicator("[ipv4-addr:value = '192.0.2.1']", "")
                + ", {\"type\": \"ipv6-addr\", \"spec_version\": \"2.1\", \"id\": \"ipv6-addr--1\", \"value\": \"2001:db8::7\"}]}";

        RecordingSink sink = parse(envelope);

        assertThat(sink.ranges()).containsExactly("192.0.2.1", "2001:db8::7");
    }

    @Test
    void readsABareArrayOfObjects() throws IOException {
        RecordingSink sink = parse("[" + indicator("[ipv4-addr:value = '192.0.2.1']", "") + "]");

        assertThat(sink.ranges()).containsExactly("192.0.2.1");
    }

    @Test
    void rejectsAMalformedAddressWithItsObjectNumberAndKeepsTheRest() throws IOException {
        RecordingSink sink = parse(bundle(
                indicator("[ipv4-addr:value = '192.0.2.1']", ""),
                indicator("[ipv4-addr:value = '192.0.2.256' OR ipv4-addr:value = '192.0.2.2']", ""),
                indicator("[ipv4-addr:value = '192.0.2.3']", ", \"confidence\": 150"),
                indicator("[ipv4-addr:value = '192.0.2.4", "")));

        assertThat(sink.ranges()).containsExactly("192.0.2.1", "192.0.2.2");
        assertThat(sink.rejections).containsExactly(
                new RecordingSink.Rejection(2, "[ipv4-addr:value = '192.0.2.256' OR ipv4-addr:value = '192.0.2.2']",
                        "'192.0.2.256': IPv4 octet out of range"),
                new RecordingSink.Rejection(3, "[ipv4-addr:value = '192.0.2.3']", "confidence 150 is not a whole number from 0 to 100"),
                new RecordingSink.Rejection(4, "[ipv4-addr:value = '192.0.2.4", "pattern: quoted string at offset 19 is not closed"));
    }

    @Test
    void skipsIndicatorsInOtherPatternLanguages() throws IOException {
        RecordingSink sink = parse(bundle(indicator("alert tcp 192.0.2.1 any -> any any", ", \"pattern_type\": \"snort\"")));

        assertThat(sink.entries).isEmpty();
        assertThat(sink.rejections).isEmpty();
        assertThat(parser.skipped()).isEqualTo(1);
    }

    @Test
    void brokenJsonFailsWithItsLine() {
        String broken = "{\"type\": \"bundle\",\n \"objects\": [\n {\"type\": \"indicator\",]}";

        assertThatThrownBy(() -> parse(broken))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("broken JSON at line 3");
    }

    private static String bundle(String... objects) {
        return "{\"type\": \"bundle\", \"id\": \"bundle--1\", \"objects\": [" + String.join(", ", objects) + "]}";
    }

    /** An indicator object; {@code extra} adds fields, starting with a comma. The pattern is written as JSON string content. */
    private static String indicator(String pattern, String extra) {
        return "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"indicator--1\","
                + " \"created\": \"2016-04-06T20:03:48.000Z\", \"modified\": \"2016-04-06T20:03:48.000Z\","
                + " \"pattern\": \"" + pattern + "\", \"valid_from\": \"2016-01-01T00:00:00Z\"" + extra + "}";
    }

    private RecordingSink parse(String json) throws IOException {
        RecordingSink sink = new RecordingSink();
        parser.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), sink);
        return sink;
    }

    private RecordingSink parseResource(String name) throws IOException {
        RecordingSink sink = new RecordingSink();
        try (InputStream input = StixFeedParserTest.class.getResourceAsStream("/feeds/" + name)) {
            assertThat(input).as(name).isNotNull();
            parser.parse(input, sink);
        }
        return sink;
    }
}
