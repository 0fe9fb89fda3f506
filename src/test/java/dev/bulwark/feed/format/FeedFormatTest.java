package dev.bulwark.feed.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FeedFormatTest {

    @ParameterizedTest
    @CsvSource({
            "firehol/firehol_level1.netset, TEXT",
            "firehol/spamhaus_drop.netset, TEXT",
            "firehol/dshield.netset, TEXT",
            "firehol/dshield_top_1000.ipset, TEXT",
            "firehol/feodo.ipset, TEXT",
            "firehol/feodo_2015-10-23_firehol-repo.ipset, TEXT",
            "spamhaus/drop.txt, TEXT",
            "spamhaus/edrop.txt, TEXT",
            "spamhaus/dropv6.txt, TEXT",
            // "IP<TAB>count": a tab after an address is no column separator
            "ipsum/ipsum.txt, TEXT",
            "abusech/feodotracker_ipblocklist_2021-12-20_crlf.csv, CSV",
            "abusech/feodotracker_ipblocklist_2024-04-04.csv, CSV",
            "abusech/feodotracker_ipblocklist_2025-06-25_1entry_crlf.csv, CSV",
            // its header is the comment "# DstIP,DstPort"; the rows decide
            "abusech/sslbl_sslipblacklist_2015-10-15.csv, CSV",
            "abusech/sslbl_sslipblacklist_2020-08_noheader.csv, CSV",
            "abuseipdb/abuseipdb_blacklist_data_array_2025-05-18.json, JSON",
            // JSON Lines
            "spamhaus/drop_v4.json, JSON",
            "stix/apt1.json, STIX",
            "stix/elevator_command-and-control-ip-list.json, STIX",
            "stix/indicator-for-c2-ip-address.json, STIX",
            "stix/indicators-for-C2-with-COA.json, STIX",
            "stix/poisonivy.json, STIX",
    })
    void detectsTheFormatOfEveryRealSampleFromItsHead(String resource, FeedFormat expected) throws IOException {
        byte[] head = new byte[FeedFormat.DETECT_BYTES];
        int length;
        try (InputStream input = FeedFormatTest.class.getResourceAsStream("/feeds/" + resource)) {
            assertThat(input).as(resource).isNotNull();
            length = input.readNBytes(head, 0, head.length);
        }

        assertThat(FeedFormat.detect(head, length)).isEqualTo(expected);
    }

    @Test
    void skipsAByteOrderMarkBeforeDeciding() {
        assertThat(detect("\uFEFF[{\"ipAddress\":\"192.0.2.1\"}]")).isEqualTo(FeedFormat.JSON);
        assertThat(detect("\uFEFF  {\"type\": \"bundle\", \"objects\": []}")).isEqualTo(FeedFormat.STIX);
        assertThat(detect("\uFEFFip,score\n192.0.2.1,90\n")).isEqualTo(FeedFormat.CSV);
        assertThat(detect("\uFEFF192.0.2.1\n")).isEqualTo(FeedFormat.TEXT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\n\n", "\r\n\t \r\n", "# only a header\n; and comments\n// nothing else\n"})
    void takesEmptyOrCommentOnlyContentForText(String content) {
        assertThat(detect(content)).isEqualTo(FeedFormat.TEXT);
    }

    @Test
    void tellsTabSeparatedColumnsFromAnAddressFollowedByATab() {
        assertThat(detect("ip\tscore\n192.0.2.1\t90\n")).isEqualTo(FeedFormat.CSV);
        assertThat(detect("# IP\tnumber of lists\n1.2.3.4\t5\n")).isEqualTo(FeedFormat.TEXT);
        assertThat(detect("1.2.3.4\t5\n")).isEqualTo(FeedFormat.TEXT);
    }

    @Test
    void aCommaDecidesForCsvUnlessItIsInATrailingComment() {
        assertThat(detect("first_seen,ip\n2024-01-01,192.0.2.1\n")).isEqualTo(FeedFormat.CSV);
        assertThat(detect("# banner\n#\n192.0.2.1,443\n")).isEqualTo(FeedFormat.CSV);
        assertThat(detect("192.0.2.0/24 ; SBL1, hijacked\n")).isEqualTo(FeedFormat.TEXT);
        assertThat(detect("192.0.2.1 # scanner, ssh\n")).isEqualTo(FeedFormat.TEXT);
        assertThat(detect("192.0.2.1 // scanner, ssh\n")).isEqualTo(FeedFormat.TEXT);
        assertThat(detect("192.0.2.1 - 192.0.2.9\n")).isEqualTo(FeedFormat.TEXT);
    }

    @Test
    void tellsStixFromPlainJson() {
        assertThat(detect("\n  [{\"ip\": \"192.0.2.1\", \"type\": \"scanner\"}]")).isEqualTo(FeedFormat.JSON);
        assertThat(detect("{\"data\": [{\"ipAddress\": \"192.0.2.1\"}]}")).isEqualTo(FeedFormat.JSON);
        assertThat(detect("{\"cidr\":\"192.0.2.0/24\"}\n{\"cidr\":\"198.51.100.0/24\"}\n")).isEqualTo(FeedFormat.JSON);
        assertThat(detect("{\"type\" : \"bundle\", \"id\": \"bundle--1\", \"objects\": []}")).isEqualTo(FeedFormat.STIX);
        assertThat(detect("{\"type\":\"indicator\",\"pattern\":\"[ipv4-addr:value = '192.0.2.1']\"}")).isEqualTo(FeedFormat.STIX);
        assertThat(detect("[{\"type\":\"ipv6-addr\",\"value\":\"2001:db8::1\"}]")).isEqualTo(FeedFormat.STIX);
        assertThat(detect("{\"id\":\"x\",\"spec_version\":\"2.1\"}")).isEqualTo(FeedFormat.STIX);
        assertThat(detect("{\"objects\":[{\"pattern\": \"[ipv4-addr:value = '192.0.2.1']\"}]}")).isEqualTo(FeedFormat.STIX);
    }

    /**
     * Detection sees only the first {@link FeedFormat#DETECT_BYTES} bytes. A STIX bundle whose
     * first STIX marker ({@code "type"}, {@code "spec_version"} or a pattern) comes later is
     * taken for plain JSON, and must be read with its format given explicitly.
     */
    @Test
    void seesAStixMarkerOnlyWithinTheFirst8192Bytes() {
        byte[] within = stixBundleWithMarkersAfter(7_000);
        byte[] beyond = stixBundleWithMarkersAfter(9_000);

        assertThat(detectHead(within)).isEqualTo(FeedFormat.STIX);
        assertThat(detectHead(beyond)).isEqualTo(FeedFormat.JSON);
        assertThat(FeedFormat.detect(beyond, beyond.length)).isEqualTo(FeedFormat.STIX);
    }

    @Test
    void looksOnlyAtTheGivenLength() {
        // a reused buffer: what lies beyond the length (here commas continuing the line) is stale
        byte[] buffer = new byte[FeedFormat.DETECT_BYTES];
        Arrays.fill(buffer, (byte) ',');
        byte[] text = "192.0.2.1".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, buffer, 0, text.length);

        assertThat(FeedFormat.detect(buffer, text.length)).isEqualTo(FeedFormat.TEXT);
        assertThat(FeedFormat.detect(buffer, 0)).isEqualTo(FeedFormat.TEXT);
        assertThat(FeedFormat.detect(buffer, buffer.length)).isEqualTo(FeedFormat.CSV);
    }

    @Test
    void parsesFormatNamesIgnoringCaseAndBlanks() {
        assertThat(FeedFormat.parse("CSV")).isEqualTo(FeedFormat.CSV);
        assertThat(FeedFormat.parse("csv")).isEqualTo(FeedFormat.CSV);
        assertThat(FeedFormat.parse(" Stix ")).isEqualTo(FeedFormat.STIX);
        assertThat(FeedFormat.parse("text")).isEqualTo(FeedFormat.TEXT);
        assertThat(FeedFormat.parse("json")).isEqualTo(FeedFormat.JSON);
    }

    @Test
    void refusesAnUnknownFormatNameSayingWhichExist() {
        assertThatThrownBy(() -> FeedFormat.parse("xml"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown feed format 'xml': use text, csv, json or stix");
        assertThatThrownBy(() -> FeedFormat.parse(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("use text, csv, json or stix");
    }

    private static FeedFormat detect(String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        return FeedFormat.detect(bytes, bytes.length);
    }

    /** As the feed reader does: the first DETECT_BYTES bytes only. */
    private static FeedFormat detectHead(byte[] content) {
        int length = Math.min(content.length, FeedFormat.DETECT_BYTES);
        return FeedFormat.detect(Arrays.copyOf(content, length), length);
    }

    private static byte[] stixBundleWithMarkersAfter(int padding) {
        String bundle = "{\"id\": \"bundle--1\", \"objects\": [{\"id\": \"note--1\", \"content\": \""
                + "n".repeat(padding) + "\"}, {\"type\": \"indicator\", \"pattern\": \"[ipv4-addr:value = '192.0.2.1']\"}],"
                + " \"type\": \"bundle\"}";
        return bundle.getBytes(StandardCharsets.UTF_8);
    }
}
