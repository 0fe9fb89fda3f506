package dev.bulwark.feed.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TextFeedParserTest {
    /** Larger than the parser's 64 KiB line limit, smaller than its whole buffer. */
    private static final int HUNDRED_KIB = 100 * 1024;
    /** Larger than the parser's whole buffer, so that no newline can be seen before the limit. */
    private static final int THREE_HUNDRED_KIB = 300 * 1024;

    // The counts, first and last entries below were checked with Python's ipaddress module and
    // agree with the "Entries" line of each FireHOL header.

    @Test
    void readsFireholLevel1AndPassesItsBogonsThrough() throws IOException {
        RecordingSink sink = parseResource("firehol/firehol_level1.netset");

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.entries).hasSize(2744);
        assertThat(sink.ranges()).containsExactlyElementsOf(firstTokens("firehol/firehol_level1.netset"));
        assertThat(sink.ranges().getFirst()).isEqualTo("0.0.0.0/8");
        assertThat(sink.ranges().getLast()).isEqualTo("224.0.0.0/3");
        // protecting private and reserved space is the policy's job, not the parser's
        assertThat(sink.ranges()).contains("10.0.0.0/8", "127.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16");
        assertThat(sink.ranges()).filteredOn(range -> !range.contains("/")).hasSize(403);
        assertThat(sink.entries).allSatisfy(entry -> {
            assertThat(entry.score()).isEqualTo(EntrySink.NO_SCORE);
            assertThat(entry.categories()).isEmpty();
        });
    }

    @ParameterizedTest
    @CsvSource({
            "firehol/spamhaus_drop.netset, 926, 1.10.16.0/20, 223.254.0.0/16",
            "firehol/dshield.netset, 18, 45.135.232.0/24, 195.54.160.0/24",
            "firehol/dshield_top_1000.ipset, 1000, 1.15.111.150, 223.238.215.181",
            "firehol/feodo_2015-10-23_firehol-repo.ipset, 235, 2.50.11.28, 221.165.153.151",
    })
    void readsFireholSetsWithTheirHeaderComments(String resource, int count, String first, String last) throws IOException {
        RecordingSink sink = parseResource(resource);

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.entries).hasSize(count);
        assertThat(sink.ranges().getFirst()).isEqualTo(first);
        assertThat(sink.ranges().getLast()).isEqualTo(last);
        assertThat(sink.ranges()).containsExactlyElementsOf(firstTokens(resource));
    }

    @Test
    void ipsetsHoldSingleAddresses() throws IOException {
        RecordingSink sink = parseResource("firehol/dshield_top_1000.ipset");

        assertThat(sink.ranges()).hasSize(1000).noneMatch(range -> range.contains("/") || range.contains("-"));
        assertThat(sink.ranges()).contains("1.20.241.119", "87.236.185.102").doesNotHaveDuplicates();
    }

    @Test
    void aFeedWithOnlyItsHeaderIsEmptyNotAnError() throws IOException {
        RecordingSink sink = parseResource("firehol/feodo.ipset");

        assertThat(sink.entries).isEmpty();
        assertThat(sink.rejections).isEmpty();
    }

    @Test
    void readsSpamhausDropWithCrlfTrailingSblCommentsAndEofMarker() throws IOException {
        RecordingSink sink = parseResource("spamhaus/drop.txt");

        // "; EOF" and the four "; Spamhaus ..." header lines are comments, "; SBL256894" is ignored
        assertThat(sink.rejections).isEmpty();
        assertThat(sink.entries).hasSize(1360);
        assertThat(sink.ranges().getFirst()).isEqualTo("1.10.16.0/20");
        assertThat(sink.ranges().getLast()).isEqualTo("223.254.0.0/16");
        assertThat(sink.ranges()).contains("1.19.0.0/16", "2.56.192.0/22", "223.173.0.0/16");
        assertThat(sink.ranges()).containsExactlyElementsOf(firstTokens("spamhaus/drop.txt"));
    }

    @Test
    void readsSpamhausEdropWithoutEofMarker() throws IOException {
        RecordingSink sink = parseResource("spamhaus/edrop.txt");

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.entries).hasSize(124);
        assertThat(sink.ranges().getFirst()).isEqualTo("5.188.11.0/24");
        assertThat(sink.ranges().getLast()).isEqualTo("213.130.88.0/22");
        assertThat(sink.ranges()).containsExactlyElementsOf(firstTokens("spamhaus/edrop.txt"));
    }

    @Test
    void readsSpamhausIpv6Drop() throws IOException {
        RecordingSink sink = parseResource("spamhaus/dropv6.txt");

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.entries).hasSize(56);
        assertThat(sink.ranges()).allMatch(range -> range.contains(":") && range.contains("/"));
        assertThat(sink.ranges().getFirst()).isEqualTo("2803:8700::/32");
        assertThat(sink.ranges().getLast()).isEqualTo("2a0a:ed80::/29");
        assertThat(sink.ranges()).contains("2a0c:9c00::/29", "2a06:2a00::/29");
        assertThat(sink.ranges()).containsExactlyElementsOf(firstTokens("spamhaus/dropv6.txt"));
    }

    @Test
    void readsIpsumTakingTheAddressAndIgnoringItsCount() throws IOException {
        RecordingSink sink = parseResource("ipsum/ipsum.txt");

        // 20,000 lines, of which the first 7 are the "#" header
        assertThat(sink.rejections).isEmpty();
        assertThat(sink.entries).hasSize(19_993);
        assertThat(sink.entries.getFirst()).isEqualTo(new RecordingSink.Entry("162.247.74.74", EntrySink.NO_SCORE, List.of()));
        assertThat(sink.ranges().getLast()).isEqualTo("23.224.81.247");
        assertThat(sink.ranges()).containsExactlyElementsOf(firstTokens("ipsum/ipsum.txt"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "firehol/firehol_level1.netset",
            "firehol/spamhaus_drop.netset",
            "firehol/dshield.netset",
            "firehol/dshield_top_1000.ipset",
            "firehol/feodo_2015-10-23_firehol-repo.ipset",
            "spamhaus/drop.txt",
            "spamhaus/edrop.txt",
            "spamhaus/dropv6.txt",
            "ipsum/ipsum.txt",
    })
    void aRealFeedDeliveredInTinyChunksGivesTheSameResult(String resource) throws IOException {
        byte[] content = resource(resource);

        RecordingSink whole = parse(content);
        RecordingSink chunked = parseInChunks(content, 7);

        assertThat(chunked.entries).isNotEmpty().isEqualTo(whole.entries);
        assertThat(chunked.rejections).isEqualTo(whole.rejections);
    }

    @Test
    void aSyntheticFeedDeliveredInTinyChunksGivesTheSameResult() throws IOException {
        byte[] content = ("\uFEFF192.0.2.1\r\n"
                + "# comment\r\n"
                + "\r\n"
                + "198.51.100.0/24 ; SBL1\r\n"
                + "192.030.0.6\r\n"
                + "1.2.3.4 - 1.2.3.9 // range\n"
                + "2001:db8::/32\t# v6\n"
                + "example.com\n"
                + "203.0.113.7").getBytes(StandardCharsets.UTF_8);

        RecordingSink whole = parse(content);

        assertThat(whole.ranges()).containsExactly("192.0.2.1", "198.51.100.0/24", "1.2.3.4-1.2.3.9", "2001:db8::/32", "203.0.113.7");
        assertThat(whole.rejectedLines()).containsExactly(5L, 8L);
        for (int chunk = 1; chunk <= 7; chunk++) {
            RecordingSink chunked = parseInChunks(content, chunk);
            assertThat(chunked.entries).as("chunks of %d bytes", chunk).isEqualTo(whole.entries);
            assertThat(chunked.rejections).as("chunks of %d bytes", chunk).isEqualTo(whole.rejections);
        }
    }

    @Test
    void linesCrossingManyBufferRefillsAreAllRead() throws IOException {
        // about 1.2 MB: every 64 KiB refill of the parser's buffer cuts a line somewhere
        StringBuilder feed = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (int index = 0; index < 100_000; index++) {
            String address = "10." + (index >> 16) + "." + ((index >> 8) & 0xff) + "." + (index & 0xff);
            expected.add(address);
            feed.append(address).append(index % 3 == 0 ? " ; note\n" : "\n");
        }
        byte[] content = feed.toString().getBytes(StandardCharsets.US_ASCII);

        RecordingSink whole = parse(content);
        RecordingSink chunked = parseInChunks(content, 7);

        assertThat(whole.rejections).isEmpty();
        assertThat(whole.ranges()).containsExactlyElementsOf(expected);
        assertThat(chunked.entries).isEqualTo(whole.entries);
        assertThat(chunked.rejections).isEmpty();
    }

    @Test
    void skipsAByteOrderMarkOnTheFirstLine() throws IOException {
        assertThat(parse("\uFEFF192.0.2.1\n192.0.2.2\n").ranges()).containsExactly("192.0.2.1", "192.0.2.2");

        RecordingSink commentFirst = parse("\uFEFF# exported by a Windows tool\n192.0.2.1\n");
        assertThat(commentFirst.rejections).isEmpty();
        assertThat(commentFirst.ranges()).containsExactly("192.0.2.1");
    }

    @Test
    void acceptsCrlfLineEndings() throws IOException {
        RecordingSink sink = parse("# header\r\n192.0.2.1\r\n\r\n198.51.100.0/24\r\nnot-an-address\r\n2001:db8::1\r\n");

        assertThat(sink.ranges()).containsExactly("192.0.2.1", "198.51.100.0/24", "2001:db8::1");
        // the carriage return is no part of the rejected text
        assertThat(sink.rejections).containsExactly(new RecordingSink.Rejection(5, "not-an-address", "not an IP address"));
    }

    @Test
    void readsTheLastLineWithoutAFinalNewline() throws IOException {
        assertThat(parse("192.0.2.1\n192.0.2.2").ranges()).containsExactly("192.0.2.1", "192.0.2.2");
        assertThat(parse("192.0.2.1\r\n192.0.2.2\r").ranges()).containsExactly("192.0.2.1", "192.0.2.2");
        assertThat(parse("192.0.2.1").ranges()).containsExactly("192.0.2.1");
    }

    @Test
    void emptyAndBlankInputHasNoEntries() throws IOException {
        for (String feed : List.of("", "\n", "\r\n\r\n", "   \n\t\n")) {
            RecordingSink sink = parse(feed);
            assertThat(sink.entries).as("'%s'", feed).isEmpty();
            assertThat(sink.rejections).as("'%s'", feed).isEmpty();
        }
    }

    @Test
    void ignoresWholeLineAndTrailingComments() throws IOException {
        RecordingSink sink = parse("""
                # hash comment
                ; semicolon comment
                // slash comment
                   # indented comment
                192.0.2.1 # hash
                192.0.2.2 ; SBL123
                192.0.2.3 // slashes
                192.0.2.4\t# after a tab
                192.0.2.5#no blank before the hash
                192.0.2.6;no blank before the semicolon
                  192.0.2.7   \t
                """);

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.ranges()).containsExactly(
                "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5", "192.0.2.6", "192.0.2.7");
    }

    @Test
    void readsRangesWithAndWithoutBlanksAroundTheDash() throws IOException {
        RecordingSink sink = parse("""
                1.2.3.4 - 1.2.3.9
                1.2.3.4-1.2.3.9
                1.2.3.4\t-\t1.2.3.9
                1.2.3.4 - 1.2.3.9 ; SBL1
                10.0.0.0 - 10.0.0.255
                2001:db8::1 - 2001:db8::9
                """);

        assertThat(sink.rejections).isEmpty();
        assertThat(sink.ranges()).containsExactly(
                "1.2.3.4-1.2.3.9", "1.2.3.4-1.2.3.9", "1.2.3.4-1.2.3.9", "1.2.3.4-1.2.3.9",
                "10.0.0.0/24", "2001:db8::1-2001:db8::9");
    }

    @Test
    void rejectsRangesThatAreBackwardsOrMixFamilies() throws IOException {
        RecordingSink sink = parse("1.2.3.9 - 1.2.3.4\n1.2.3.4 - 2001:db8::1\n1.2.3.5\n");

        assertThat(sink.ranges()).containsExactly("1.2.3.5");
        assertThat(sink.rejections).containsExactly(
                new RecordingSink.Rejection(1, "1.2.3.9 - 1.2.3.4", "range ends before it starts"),
                new RecordingSink.Rejection(2, "1.2.3.4 - 2001:db8::1", "range mixes IPv4 and IPv6"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "192.030.0.6 | leading zero in IPv4 octet",
            "999.1.1.1   | IPv4 octet out of range",
            "example.com | not an IP address",
            "1.2.3.4junk | junk after the address",
            "1.2.3       | an IPv4 address needs four octets",
            "1.2.3.0/33  | prefix length beyond /32",
    })
    void rejectsAMalformedLineWithItsLineNumberAndKeepsTheLinesAroundIt(String malformed, String reason) throws IOException {
        RecordingSink sink = parse("# header\n192.0.2.1\n\n" + malformed + "\n192.0.2.2\n" + malformed + " ; SBL9\n192.0.2.3\n");

        assertThat(sink.ranges()).containsExactly("192.0.2.1", "192.0.2.2", "192.0.2.3");
        assertThat(sink.rejections).containsExactly(
                new RecordingSink.Rejection(4, malformed, reason),
                new RecordingSink.Rejection(6, malformed + " ; SBL9", reason));
    }

    @Test
    void readsIpv6AndTurnsIpv4MappedAddressesIntoIpv4() throws IOException {
        RecordingSink sink = parse("""
                2001:db8::1
                2001:DB8:0:0:0:0:0:2
                2001:db8::/32 ; SBL1
                ::ffff:192.0.2.1
                ::ffff:198.51.100.0/120
                ::ffff:c000:0207
                fe80::1%eth0
                2001:db8:::1
                """);

        assertThat(sink.ranges()).containsExactly(
                "2001:db8::1", "2001:db8::2", "2001:db8::/32", "192.0.2.1", "198.51.100.0/24", "192.0.2.7");
        assertThat(sink.rejectedLines()).containsExactly(7L, 8L);
        assertThat(sink.rejections.getFirst().reason()).isEqualTo("IPv6 zone index not allowed");
    }

    @Test
    void rejectsA100KibLineOnceAndGoesOnWithTheNextLine() throws IOException {
        byte[] content = ("192.0.2.1\n" + "x".repeat(HUNDRED_KIB) + "\n192.0.2.2\nbad\n192.0.2.3\n").getBytes(StandardCharsets.US_ASCII);

        for (RecordingSink sink : List.of(parse(content), parseInChunks(content, 7))) {
            assertThat(sink.ranges()).containsExactly("192.0.2.1", "192.0.2.2", "192.0.2.3");
            assertThat(sink.rejectedLines()).containsExactly(2L, 4L);
            // the long line is shown shortened, not all 100 KiB of it
            assertThat(sink.rejections.getFirst().text()).hasSize(200).isEqualTo("x".repeat(200));
            assertThat(sink.rejections.get(1)).isEqualTo(new RecordingSink.Rejection(4, "bad", "not an IP address"));
        }
        // the same verdict however the long line arrives
        assertThat(parseInChunks(content, 7).rejections.getFirst().reason()).isEqualTo("line longer than 65536 bytes");
        assertThat(parse(content).rejections.getFirst().reason()).isEqualTo("line longer than 65536 bytes");
        byte[] addressWithLongComment = ("9.9.9.9\n1.2.3.4 " + "x".repeat(HUNDRED_KIB) + "\n5.6.7.8\n").getBytes(StandardCharsets.US_ASCII);
        for (RecordingSink sink : List.of(parse(addressWithLongComment), parseInChunks(addressWithLongComment, 7))) {
            assertThat(sink.ranges()).containsExactly("9.9.9.9", "5.6.7.8");
            assertThat(sink.rejectedLines()).containsExactly(2L);
        }
    }

    @Test
    void rejectsALineLongerThanTheWholeBufferOnce() throws IOException {
        String longLine = "z".repeat(THREE_HUNDRED_KIB);

        RecordingSink middle = parse("192.0.2.1\n" + longLine + "\r\n\r\nbad\n192.0.2.2");
        assertThat(middle.ranges()).containsExactly("192.0.2.1", "192.0.2.2");
        assertThat(middle.rejections).containsExactly(
                new RecordingSink.Rejection(2, "z".repeat(200), "line longer than 65536 bytes"),
                new RecordingSink.Rejection(4, "bad", "not an IP address"));

        RecordingSink first = parse(longLine + "\n192.0.2.1\n");
        assertThat(first.ranges()).containsExactly("192.0.2.1");
        assertThat(first.rejectedLines()).containsExactly(1L);

        RecordingSink last = parse("192.0.2.1\n" + longLine);
        assertThat(last.ranges()).containsExactly("192.0.2.1");
        assertThat(last.rejectedLines()).containsExactly(2L);
    }

    @Test
    void anAddressFollowedByAVeryLongCommentIsStillRejectedAsTooLong() throws IOException {
        // a line this long is no feed entry, whatever it starts with
        RecordingSink sink = parse("192.0.2.1\n192.0.2.2 # " + "c".repeat(THREE_HUNDRED_KIB) + "\n192.0.2.3\n");

        assertThat(sink.ranges()).containsExactly("192.0.2.1", "192.0.2.3");
        assertThat(sink.rejectedLines()).containsExactly(2L);
    }

    private static RecordingSink parse(String feed) throws IOException {
        return parse(feed.getBytes(StandardCharsets.UTF_8));
    }

    private static RecordingSink parse(byte[] content) throws IOException {
        RecordingSink sink = new RecordingSink();
        new TextFeedParser().parse(new ByteArrayInputStream(content), sink);
        return sink;
    }

    private static RecordingSink parseInChunks(byte[] content, int chunk) throws IOException {
        RecordingSink sink = new RecordingSink();
        new TextFeedParser().parse(new TrickleInputStream(new ByteArrayInputStream(content), chunk), sink);
        return sink;
    }

    private static RecordingSink parseResource(String name) throws IOException {
        return parse(resource(name));
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream input = TextFeedParserTest.class.getResourceAsStream("/feeds/" + name)) {
            assertThat(input).as(name).isNotNull();
            return input.readAllBytes();
        }
    }

    /**
     * What the sample's lines say, read the simple way: the first token of every line that is
     * neither blank nor a comment. Valid only for samples written in canonical form, as these are.
     */
    private static List<String> firstTokens(String name) throws IOException {
        List<String> tokens = new ArrayList<>();
        for (String line : new String(resource(name), StandardCharsets.US_ASCII).split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith(";")) {
                continue;
            }
            String token = trimmed.split("[\\s;]", 2)[0];
            boolean ipv4Host = !token.contains(":") && token.endsWith("/32");
            tokens.add(ipv4Host ? token.substring(0, token.length() - 3) : token);
        }
        return tokens;
    }

    /** Hands out at most {@code chunk} bytes a read, as a slow network or pipe may. */
    private static final class TrickleInputStream extends FilterInputStream {
        private final int chunk;

        TrickleInputStream(InputStream input, int chunk) {
            super(input);
            this.chunk = chunk;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            return super.read(buffer, offset, Math.min(length, chunk));
        }
    }
}
