package dev.bulwark.feed.format;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CsvFeedParserTest {
    private static final ParseOptions DEFAULTS = ParseOptions.DEFAULTS;

    @Test
    void readsFeodoTrackerWithBannerQuotedHeaderAndCrlf() throws IOException {
        RecordingSink sink = parseResource("abusech/feodotracker_ipblocklist_2021-12-20_crlf.csv", DEFAULTS);

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.entries).hasSize(750);
        assertThat(sink.entries.getFirst()).isEqualTo(new RecordingSink.Entry("51.178.161.32", EntrySink.NO_SCORE, List.of()));
        // the last row has no final newline, only the "# END" comment after it
        assertThat(sink.ranges().getLast()).isEqualTo("59.6.7.83");
        assertThat(sink.ranges()).contains("103.150.68.124", "87.121.52.177");
    }

    @Test
    void readsFeodoTrackerWithLf() throws IOException {
        RecordingSink sink = parseResource("abusech/feodotracker_ipblocklist_2024-04-04.csv", DEFAULTS);

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.entries).hasSize(28);
        assertThat(sink.ranges().getFirst()).isEqualTo("192.9.135.73");
        assertThat(sink.ranges().getLast()).isEqualTo("172.233.221.61");
    }

    @Test
    void readsFeodoTrackerWithOneEntry() throws IOException {
        RecordingSink sink = parseResource("abusech/feodotracker_ipblocklist_2025-06-25_1entry_crlf.csv", DEFAULTS);

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.ranges()).containsExactly("162.243.103.246");
    }

    @Test
    void takesTheCommentedHeaderOfSslbl2015ThoughRowsHaveAThirdColumn() throws IOException {
        RecordingSink sink = parseResource("abusech/sslbl_sslipblacklist_2015-10-15.csv", DEFAULTS);

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.entries).hasSize(83);
        assertThat(sink.ranges().getFirst()).isEqualTo("104.130.17.100");
        assertThat(sink.ranges().getLast()).isEqualTo("95.215.108.70");
        // the columns are known by the comment's names: DstIP can be asked for, a wrong name is refused
        assertThat(parseResource("abusech/sslbl_sslipblacklist_2015-10-15.csv", new ParseOptions("dstip", null, null, null)).entries)
                .hasSize(83);
        assertThatThrownBy(() -> parseResource("abusech/sslbl_sslipblacklist_2015-10-15.csv", new ParseOptions("dst_ip_address", null, null, null)))
                .hasMessageContaining("its columns are: DstIP, DstPort");
    }

    @Test
    void readsSslbl2020WithAPlainHeaderAndNoBanner() throws IOException {
        RecordingSink sink = parseResource("abusech/sslbl_sslipblacklist_2020-08_noheader.csv", DEFAULTS);

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.entries).hasSize(114);
        assertThat(sink.ranges().getFirst()).isEqualTo("194.5.97.33");
        assertThat(sink.ranges().getLast()).isEqualTo("78.31.63.30");
    }

    @Test
    void readsTabSeparatedAddressesWithScores() throws IOException {
        RecordingSink sink = parse("ip\tscore\n192.0.2.1\t90\n198.51.100.0/24\t12.5\n2001:db8::1\t\n", DEFAULTS);

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.entries).containsExactly(
                new RecordingSink.Entry("192.0.2.1", 90, List.of()),
                new RecordingSink.Entry("198.51.100.0/24", 13, List.of()),
                new RecordingSink.Entry("2001:db8::1", EntrySink.NO_SCORE, List.of()));
    }

    @Test
    void roundsDecimalScoresHalfUpAndAcceptsTheBounds() throws IOException {
        RecordingSink sink = parse("address,risk_score\n192.0.2.1,49.5\n192.0.2.2,49.49\n192.0.2.3,0\n192.0.2.4,100\n192.0.2.5,100.0\n", DEFAULTS);

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.entries).extracting(RecordingSink.Entry::score).containsExactly(50, 49, 0, 100, 100);
    }

    @Test
    void rejectsMalformedRowsWithTheirLineAndKeepsTheGoodOnes() throws IOException {
        String feed = """
                # a comment before the header
                ip_address,threat_score
                192.0.2.1,10
                192.0.2.256,20

                192.0.2.3,150
                # a comment between rows
                192.0.2.4,abc
                192.0.2.5
                192.0.2.6,-5
                192.0.2.7,100.4
                192.0.2.8,80
                """;

        RecordingSink sink = parse(feed, DEFAULTS);

        assertThat(sink.entries).containsExactly(
                new RecordingSink.Entry("192.0.2.1", 10, List.of()),
                new RecordingSink.Entry("192.0.2.8", 80, List.of()));
        assertThat(sink.rejections).containsExactly(
                new RecordingSink.Rejection(4, "192.0.2.256,20", "column ip_address: IPv4 octet out of range"),
                new RecordingSink.Rejection(6, "192.0.2.3,150", "column threat_score: score '150' is out of range 0 to 100"),
                new RecordingSink.Rejection(8, "192.0.2.4,abc", "column threat_score: score 'abc' is not a number"),
                new RecordingSink.Rejection(9, "192.0.2.5", "row has 1 column; column threat_score is column 2"),
                new RecordingSink.Rejection(10, "192.0.2.6,-5", "column threat_score: score '-5' is out of range 0 to 100"),
                new RecordingSink.Rejection(11, "192.0.2.7,100.4", "column threat_score: score '100.4' is out of range 0 to 100"));
    }

    @Test
    void shortensALongRejectedRow() throws IOException {
        String note = "x".repeat(500);
        RecordingSink sink = parse("ip,note\nnot-an-address," + note + "\n", DEFAULTS);

        assertThat(sink.rejections).hasSize(1);
        RecordingSink.Rejection rejection = sink.rejections.getFirst();
        assertThat(rejection.line()).isEqualTo(2);
        assertThat(rejection.text()).startsWith("not-an-address,xxx").hasSizeLessThanOrEqualTo(FeedFields.SHOWN_TEXT + 3);
        assertThat(rejection.reason()).startsWith("column ip: ");
    }

    @Test
    void followsQuotingRulesWithEscapesAndLineBreaksInsideQuotes() throws IOException {
        String feed = """
                "ip","note"
                "192.0.2.1","said ""hi"", twice"
                "192.0.2.2","two
                lines"
                "192.0.2.999","bad"
                "192.0.2.4",""
                """;

        RecordingSink sink = parse(feed, DEFAULTS);

        assertThat(sink.ranges()).containsExactly("192.0.2.1", "192.0.2.2", "192.0.2.4");
        // the quoted line break makes the bad row line 5, not 4
        assertThat(sink.rejectedLines()).containsExactly(5L);
        assertThat(sink.rejections.getFirst().text()).isEqualTo("\"192.0.2.999\",\"bad\"");
    }

    @Test
    void acceptsByteOrderMarkSemicolonsCrlfAndNoFinalNewline() throws IOException {
        RecordingSink sink = parse("\uFEFFAddress;Score\r\n192.0.2.1;50\r\n\r\n192.0.2.2;75", DEFAULTS);

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.entries).containsExactly(
                new RecordingSink.Entry("192.0.2.1", 50, List.of()),
                new RecordingSink.Entry("192.0.2.2", 75, List.of()));
    }

    @Test
    void withoutHeaderTakesTheFirstColumnHoldingAnAddress() throws IOException {
        RecordingSink sink = parse("2024-01-01 10:00:00,192.0.2.7,443\n2024-01-02 11:00:00,198.51.100.9,8080\n", DEFAULTS);

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.ranges()).containsExactly("192.0.2.7", "198.51.100.9");
    }

    @Test
    void withAHeaderOfUnknownNamesTakesTheColumnOfTheFirstAddress() throws IOException {
        RecordingSink sink = parse("seen,where,port\n2024-01-01,192.0.2.7,443\n2024-01-02,2001:db8::9,80\n", DEFAULTS);

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.ranges()).containsExactly("192.0.2.7", "2001:db8::9");
    }

    @Test
    void prefersTheMostTellingAddressColumnName() throws IOException {
        String feed = "host,src_ip,dst_ip\n192.0.2.1,192.0.2.2,192.0.2.3\n";

        assertThat(parse(feed, DEFAULTS).ranges()).containsExactly("192.0.2.3");
    }

    @Test
    void columnOptionByNameOrByNumberChoosesTheColumn() throws IOException {
        String feed = "src_ip,dst_ip,confidence,weight\n192.0.2.1,198.51.100.1,70,30\n";

        assertThat(parse(feed, new ParseOptions("Src-IP", null, null, null)).entries)
                .containsExactly(new RecordingSink.Entry("192.0.2.1", 70, List.of()));
        assertThat(parse(feed, new ParseOptions("2", "4", null, null)).entries)
                .containsExactly(new RecordingSink.Entry("198.51.100.1", 30, List.of()));
        assertThat(parse("192.0.2.1,198.51.100.1\n", new ParseOptions("2", null, null, null)).ranges())
                .containsExactly("198.51.100.1");
    }

    @Test
    void anUnknownColumnNameIsAnErrorListingTheHeader() {
        String feed = "first_seen_utc,dst_ip,dst_port\n2021-01-17 07:44:46,51.178.161.32,4643\n";

        assertThatThrownBy(() -> parse(feed, new ParseOptions("source", null, null, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'source'")
                .hasMessageContaining("first_seen_utc, dst_ip, dst_port");
        assertThatThrownBy(() -> parse(feed, new ParseOptions(null, "rating", null, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("score column 'rating'");
    }

    @Test
    void aColumnNameWithoutHeaderIsAnError() {
        assertThatThrownBy(() -> parse("192.0.2.1,10\n", new ParseOptions("ip", null, null, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'ip'")
                .hasMessageContaining("no header");
    }

    @Test
    void anEmptyOrCommentOnlyFeedHasNoEntries() throws IOException {
        assertThat(parse("", DEFAULTS).entries).isEmpty();
        RecordingSink sink = parse("# nothing today\n\n# END 0 entries\n", DEFAULTS);
        assertThat(sink.entries).isEmpty();
        assertThat(sink.rejections).isEmpty();
    }

    @Test
    void readsRowsSpanningManyBufferRefills() throws IOException {
        StringBuilder feed = new StringBuilder("\"first_seen_utc\",\"dst_ip\",\"dst_port\"\r\n");
        int rows = 200_000;
        for (int row = 0; row < rows; row++) {
            feed.append("\"2024-01-01 00:00:00\",\"10.").append(row >> 16).append('.').append((row >> 8) & 0xff)
                    .append('.').append(row & 0xff).append("\",\"443\"\r\n");
        }

        RecordingSink sink = parse(feed.toString(), DEFAULTS);

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.entries).hasSize(rows);
        assertThat(sink.ranges().get(70_000)).isEqualTo("10.1.17.112");
    }

    @Test
    void anUnclosedQuoteCostsOneRowNotTheRestOfTheFeed() throws IOException {
        StringBuilder feed = new StringBuilder("ip,note\n192.0.2.1,\"never closed\n");
        int rows = 100_000;
        for (int row = 0; row < rows; row++) {
            feed.append("10.").append(row >> 16).append('.').append((row >> 8) & 0xff).append('.').append(row & 0xff).append(",fine\n");
        }

        RecordingSink sink = parse(feed.toString(), DEFAULTS);

        assertThat(sink.rejections).hasSize(1);
        assertThat(sink.rejections.getFirst().line()).isEqualTo(2);
        assertThat(sink.rejections.getFirst().reason()).contains("unclosed quote");
        // the rows swallowed by the quote come back, from the line after it
        assertThat(sink.entries).hasSize(rows);
        assertThat(sink.ranges().getFirst()).isEqualTo("10.0.0.0");
    }

    private static RecordingSink parse(String feed, ParseOptions options) throws IOException {
        RecordingSink sink = new RecordingSink();
        new CsvFeedParser(options).parse(new ByteArrayInputStream(feed.getBytes(StandardCharsets.UTF_8)), sink);
        return sink;
    }

    private static RecordingSink parseResource(String name, ParseOptions options) throws IOException {
        RecordingSink sink = new RecordingSink();
        try (InputStream input = CsvFeedParserTest.class.getResourceAsStream("/feeds/" + name)) {
            assertThat(input).as(name).isNotNull();
            new CsvFeedParser(options).parse(input, sink);
        }
        return sink;
    }
}
