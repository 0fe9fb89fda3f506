package dev.bulwark.feed.format;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonFeedParserTest {
    private static final ParseOptions DEFAULTS = ParseOptions.DEFAULTS;

    @Test
    void readsAbuseIpdbBlacklistDataWithScores() throws IOException {
        RecordingSink sink = parseResource("abuseipdb/abuseipdb_blacklist_data_array_2025-05-18.json");

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.entries).hasSize(10_000);
        assertThat(sink.entries.getFirst()).isEqualTo(new RecordingSink.Entry("128.199.118.234", 100, List.of()));
        assertThat(sink.entries.getLast()).isEqualTo(new RecordingSink.Entry("101.198.0.151", 100, List.of()));
        assertThat(sink.entries).extracting(RecordingSink.Entry::score).containsOnly(100);
        assertThat(sink.ranges()).filteredOn(range -> range.contains(":")).hasSize(27)
                .contains("2602:fb54:c7b::", "2001:41d0:303:1719::404");
    }

    @Test
    void readsSpamhausDropJsonLinesAndSkipsTheMetadataLine() throws IOException {
        RecordingSink sink = parseResource("spamhaus/drop_v4.json");

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.entries).hasSize(1406);
        assertThat(sink.entries.getFirst()).isEqualTo(new RecordingSink.Entry("1.10.16.0/20", EntrySink.NO_SCORE, List.of()));
        assertThat(sink.ranges().get(1403)).isEqualTo("223.169.0.0/16");
        assertThat(sink.ranges().getLast()).isEqualTo("223.254.0.0/16");
    }

    @Test
    void readsAnAbuseIpdbResponseInsideItsMetaWrapper() throws IOException {
        String response = """
                {"meta": {"generatedAt": "2025-05-18T19:17:02+00:00"},
                 "data": [
                   {"ipAddress": "192.0.2.1", "countryCode": "US", "abuseConfidenceScore": 100, "lastReportedAt": "2025-05-18T19:17:02+00:00"},
                   {"ipAddress": "2001:db8::5", "countryCode": "NL", "abuseConfidenceScore": 75, "lastReportedAt": "2025-05-18T19:16:49+00:00"}
                 ]}
                """;

        RecordingSink sink = parse(response, DEFAULTS);

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.entries).containsExactly(
                new RecordingSink.Entry("192.0.2.1", 100, List.of()),
                new RecordingSink.Entry("2001:db8::5", 75, List.of()));
    }

    @Test
    void readsAThreatsWrapperWithCategoriesAndSkipsFieldsAfterIt() throws IOException {
        String feed = """
                {"version": 3, "threats": [
                  {"ip_address": "192.0.2.1", "threat_score": 87, "tags": ["ssh", "bruteforce"]},
                  {"ip_address": "198.51.100.0/24", "threat_score": 40.5, "category": "scanner", "geo": {"ip": "10.0.0.1"}}
                 ], "extra": [{"ip": "203.0.113.1"}]}
                """;

        RecordingSink sink = parse(feed, DEFAULTS);

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.entries).containsExactly(
                new RecordingSink.Entry("192.0.2.1", 87, List.of("ssh", "bruteforce")),
                new RecordingSink.Entry("198.51.100.0/24", 41, List.of("scanner")));
    }

    @Test
    void readsOnlyTheNamedItemsArrayEvenWhenAnotherComesFirst() throws IOException {
        String feed = """
                {"whitelist": [{"ip": "198.51.100.9"}], "meta": {"count": 2},
                 "threats": [{"ip_address": "192.0.2.1", "threat_score": 87}, "192.0.2.2"],
                 "extra": [{"ip": "203.0.113.1"}]}
                """;

        RecordingSink sink = parse(feed, new ParseOptions(null, null, null, null, "threats"));

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.entries).containsExactly(
                new RecordingSink.Entry("192.0.2.1", 87, List.of()),
                new RecordingSink.Entry("192.0.2.2", EntrySink.NO_SCORE, List.of()));
    }

    @Test
    void anEmptyNamedItemsArrayIsNoEntriesAndNoError() throws IOException {
        RecordingSink sink = parse("{\"threats\": [], \"meta\": {}}", new ParseOptions(null, null, null, null, "threats"));

        assertThat(sink.entries).isEmpty();
        assertThat(sink.rejections).isEmpty();
    }

    @Test
    void aMissingNamedItemsArrayIsAnErrorNamingItAndTheFieldsThere() {
        ParseOptions threats = new ParseOptions(null, null, null, null, "threats");

        assertThatThrownBy(() -> parse("{\"meta\": {\"n\": 1}, \"data\": [{\"ip\": \"192.0.2.1\"}]}", threats))
                .isInstanceOf(IOException.class)
                .hasMessage("JSON feed has no array \"threats\" at its top level (its top-level fields are: meta, data):"
                        + " correct the feed's json items option, or leave it out to read the first array");
        assertThatThrownBy(() -> parse("[{\"ip\": \"192.0.2.1\"}]", threats))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no array \"threats\"").hasMessageContaining("the document is an array");
        assertThatThrownBy(() -> parse("{\"threats\": {\"ip\": \"192.0.2.1\"}}", threats))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("JSON feed: field \"threats\" holds {..., not an array of entries");
    }

    @Test
    void readsAnArrayOfStringsAndRejectsTheOneThatIsNoAddress() throws IOException {
        RecordingSink sink = parse("[\"192.0.2.1\", \"198.51.100.0/24\", \"192.0.2.300\", \"2001:db8::/32\", 7]", DEFAULTS);

        assertThat(sink.ranges()).containsExactly("192.0.2.1", "198.51.100.0/24", "2001:db8::/32");
        assertThat(sink.rejections).containsExactly(
                new RecordingSink.Rejection(3, "192.0.2.300", "IPv4 octet out of range"),
                new RecordingSink.Rejection(5, "7", "element is neither an object nor a string"));
    }

    @Test
    void rejectsMalformedEntriesWithTheirRecordNumberAndKeepsTheGoodOnes() throws IOException {
        String feed = """
                [
                  {"ip": "192.0.2.1", "score": 10},
                  {"ip": "192.0.2.999", "score": 20},
                  {"ip": "192.0.2.3", "score": 150},
                  {"ip": "192.0.2.4", "score": "abc"},
                  {"ip": 3221225989, "score": 50},
                  {"country": "NL", "score": 50},
                  {"ip": "192.0.2.7", "score": "60"}
                ]
                """;

        RecordingSink sink = parse(feed, DEFAULTS);

        assertThat(sink.entries).containsExactly(
                new RecordingSink.Entry("192.0.2.1", 10, List.of()),
                new RecordingSink.Entry("192.0.2.7", 60, List.of()));
        assertThat(sink.rejections).containsExactly(
                new RecordingSink.Rejection(2, "192.0.2.999", "field ip: IPv4 octet out of range"),
                new RecordingSink.Rejection(3, "192.0.2.3", "field score: score '150' is out of range 0 to 100"),
                new RecordingSink.Rejection(4, "192.0.2.4", "field score: score 'abc' is not a number"),
                new RecordingSink.Rejection(5, "3221225989", "field ip is not a string"),
                new RecordingSink.Rejection(6, "{country, score}", "no address field"));
    }

    @Test
    void rejectsJsonLinesByLineButSkipsOnlyMetadataWithoutAddress() throws IOException {
        String feed = """
                {"cidr": "192.0.2.0/24", "sblid": "SBL1", "rir": "arin"}
                {"cidr": "192.0.2.0/33", "sblid": "SBL2", "rir": "arin"}
                {"sblid": "SBL3", "rir": "arin"}

                {"cidr": "2001:db8::/32", "sblid": "SBL4", "rir": "ripencc"}
                {"type": "metadata", "timestamp": 1744682874, "records": 4}
                """;

        RecordingSink sink = parse(feed, DEFAULTS);

        assertThat(sink.ranges()).containsExactly("192.0.2.0/24", "2001:db8::/32");
        assertThat(sink.rejections).containsExactly(
                new RecordingSink.Rejection(2, "192.0.2.0/33", "field cidr: prefix length beyond /32"),
                new RecordingSink.Rejection(3, "{sblid, rir}", "no address field"));
    }

    @Test
    void takesScoresAsIntegersDecimalsNumericStringsOrNull() throws IOException {
        String feed = """
                [{"ip": "192.0.2.1", "confidence": 49.5},
                 {"ip": "192.0.2.2", "confidence": "80"},
                 {"ip": "192.0.2.3", "confidence": null},
                 {"ip": "192.0.2.4"}]
                """;

        assertThat(parse(feed, DEFAULTS).entries).extracting(RecordingSink.Entry::score)
                .containsExactly(50, 80, EntrySink.NO_SCORE, EntrySink.NO_SCORE);
    }

    @Test
    void fieldOptionsNameTheAddressAndScoreFields() throws IOException {
        String feed = "[{\"src\": \"192.0.2.1\", \"dst\": \"198.51.100.1\", \"ip\": \"203.0.113.1\", \"weight\": 33, \"score\": 99}]";

        RecordingSink sink = parse(feed, new ParseOptions(null, null, "dst", "weight"));

        assertThat(sink.entries).containsExactly(new RecordingSink.Entry("198.51.100.1", 33, List.of()));
    }

    @Test
    void namesAreComparedIgnoringCaseUnderscoresAndHyphens() throws IOException {
        String feed = "[{\"IP-Address\": \"192.0.2.1\", \"Threat_Score\": 5}]";

        assertThat(parse(feed, DEFAULTS).entries).containsExactly(new RecordingSink.Entry("192.0.2.1", 5, List.of()));
    }

    @Test
    void anEmptyWrapperHasNoEntriesAndNoRejections() throws IOException {
        RecordingSink sink = parse("{\"meta\": {\"count\": 0}, \"data\": []}", DEFAULTS);

        assertThat(sink.entries).isEmpty();
        assertThat(sink.rejections).isEmpty();
    }

    @Test
    void brokenJsonFailsWithItsLineAfterDeliveringTheEntriesBeforeIt() throws IOException {
        String feed = """
                [{"ip": "192.0.2.1"},
                 {"ip": "192.0.2.2"},
                 {"ip": "192.0.2.3" "score": 1}]
                """;
        RecordingSink sink = new RecordingSink();
        JsonFeedParser parser = new JsonFeedParser(DEFAULTS);

        assertThatThrownBy(() -> parser.parse(new ByteArrayInputStream(feed.getBytes(StandardCharsets.UTF_8)), sink))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("broken JSON at line 3, column ");
        assertThat(sink.ranges()).containsExactly("192.0.2.1", "192.0.2.2");
    }

    private static RecordingSink parse(String feed, ParseOptions options) throws IOException {
        RecordingSink sink = new RecordingSink();
        new JsonFeedParser(options).parse(new ByteArrayInputStream(feed.getBytes(StandardCharsets.UTF_8)), sink);
        return sink;
    }

    private static RecordingSink parseResource(String name) throws IOException {
        RecordingSink sink = new RecordingSink();
        try (InputStream input = JsonFeedParserTest.class.getResourceAsStream("/feeds/" + name)) {
            assertThat(input).as(name).isNotNull();
            new JsonFeedParser(DEFAULTS).parse(input, sink);
        }
        return sink;
    }
}
