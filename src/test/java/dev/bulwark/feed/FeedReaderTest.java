package dev.bulwark.feed;

import dev.bulwark.feed.format.EntrySink;
import dev.bulwark.feed.format.FeedFormat;
import dev.bulwark.feed.format.ParseOptions;
import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpRange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FeedReaderTest {
    private static final String FEED = "# test feed\n192.0.2.1\n198.51.100.0/24 ; SBL1\n2001:db8::/32\nnot-an-address\n";
    private static final List<IpRange> FEED_RANGES = List.of(
            IpRange.parse("192.0.2.1"), IpRange.parse("198.51.100.0/24"), IpRange.parse("2001:db8::/32"));
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-01T00:00:00Z"), ZoneOffset.UTC);
    private static final InputStream NO_STDIN = InputStream.nullInputStream();

    private static LocalFeedServer server;
    private static HttpClient http;
    private static String base;

    @BeforeAll
    static void startServer() throws IOException {
        byte[] plain = FEED.getBytes(StandardCharsets.UTF_8);
        byte[] gzipped = LocalFeedServer.gzip(plain);
        server = new LocalFeedServer();
        server.serve("/plain.txt", 200, plain, "Content-Type", "text/plain");
        server.serve("/feed.txt.gz", 200, gzipped, "Content-Type", "application/gzip");
        server.serve("/encoded.txt", 200, gzipped,
                "Content-Type", "text/plain", "Content-Encoding", "gzip");
        server.serve("/moved.txt", 302, new byte[0], "Location", "/plain.txt");
        server.serve("/missing.txt", 404, "not found".getBytes(StandardCharsets.UTF_8));
        server.serve("/abusech.csv", 200,
                resource("abusech/feodotracker_ipblocklist_2024-04-04.csv"), "Content-Type", "text/csv");
        server.start();
        base = server.base();
        http = FeedReader.defaultHttpClient(TIMEOUT);
    }

    @AfterAll
    static void stopServer() {
        http.shutdownNow();
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/plain.txt", "/feed.txt.gz", "/encoded.txt"})
    void readsAFeedOverHttp(String path) throws IOException {
        CollectingSink sink = new CollectingSink();

        FeedFormat format = reader(NO_STDIN).read(FeedSource.of(base + path), null, ParseOptions.DEFAULTS, sink);

        assertThat(format).isEqualTo(FeedFormat.TEXT);
        assertThat(sink.ranges).containsExactlyElementsOf(FEED_RANGES);
        assertThat(sink.rejections).containsExactly("5: not-an-address");
    }

    @Test
    void followsARedirectWithTheDefaultClient() throws IOException {
        CollectingSink sink = new CollectingSink();

        reader(NO_STDIN).read(FeedSource.of(base + "/moved.txt"), null, ParseOptions.DEFAULTS, sink);

        assertThat(sink.ranges).containsExactlyElementsOf(FEED_RANGES);
    }

    @Test
    void detectsCsvServedOverHttp() throws IOException {
        CollectingSink sink = new CollectingSink();

        FeedFormat format = reader(NO_STDIN).read(FeedSource.of(base + "/abusech.csv"), null, ParseOptions.DEFAULTS, sink);

        assertThat(format).isEqualTo(FeedFormat.CSV);
        assertThat(sink.rejections).isEmpty();
        assertThat(sink.ranges).hasSize(28)
                .startsWith(IpRange.parse("192.9.135.73"))
                .endsWith(IpRange.parse("172.233.221.61"));
    }

    @Test
    void anHttpErrorReachesTheCallerAndNothingIsDelivered() {
        CollectingSink sink = new CollectingSink();
        String url = base + "/missing.txt";

        assertThatThrownBy(() -> reader(NO_STDIN).read(FeedSource.of(url), null, ParseOptions.DEFAULTS, sink))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(url)
                .hasMessageContaining("404");
        assertThat(sink.ranges).isEmpty();
    }

    @Test
    void readsAGzipFileWhoseNameDoesNotSaySo(@TempDir Path directory) throws IOException {
        Path file = Files.write(directory.resolve("feed.txt"), LocalFeedServer.gzip(FEED.getBytes(StandardCharsets.UTF_8)));
        CollectingSink sink = new CollectingSink();

        FeedFormat format = readerWithoutHttp(NO_STDIN).read(FeedSource.of(file.toString()), null, ParseOptions.DEFAULTS, sink);

        assertThat(format).isEqualTo(FeedFormat.TEXT);
        assertThat(sink.ranges).containsExactlyElementsOf(FEED_RANGES);
    }

    @Test
    void detectsTheFormatOfAGzippedCsvFile(@TempDir Path directory) throws IOException {
        Path file = Files.write(directory.resolve("ipblocklist.csv.gz"),
                LocalFeedServer.gzip(resource("abusech/feodotracker_ipblocklist_2021-12-20_crlf.csv")));
        CollectingSink sink = new CollectingSink();

        FeedFormat format = readerWithoutHttp(NO_STDIN).read(FeedSource.of(file.toUri().toString()), null, ParseOptions.DEFAULTS, sink);

        assertThat(format).isEqualTo(FeedFormat.CSV);
        assertThat(sink.rejections).isEmpty();
        assertThat(sink.ranges).hasSize(750).startsWith(IpRange.parse("51.178.161.32")).endsWith(IpRange.parse("59.6.7.83"));
    }

    @Test
    void detectionDoesNotEatTheStartOfALargeFeed(@TempDir Path directory) throws IOException {
        // 328 kB, far more than the bytes detection looks at, read plain and gzipped
        byte[] ipsum = resource("ipsum/ipsum.txt");
        Path plain = Files.write(directory.resolve("ipsum.txt"), ipsum);
        Path gzipped = Files.write(directory.resolve("ipsum.txt.gz"), LocalFeedServer.gzip(ipsum));

        for (Path file : List.of(plain, gzipped)) {
            CollectingSink sink = new CollectingSink();
            FeedFormat format = readerWithoutHttp(NO_STDIN).read(FeedSource.of(file.toString()), null, ParseOptions.DEFAULTS, sink);

            assertThat(format).as(file.toString()).isEqualTo(FeedFormat.TEXT);
            assertThat(sink.rejections).as(file.toString()).isEmpty();
            assertThat(sink.ranges).as(file.toString()).hasSize(19_993)
                    .startsWith(IpRange.parse("162.247.74.74"))
                    .endsWith(IpRange.parse("23.224.81.247"));
        }
    }

    @Test
    void detectsJsonAndStixFiles() throws IOException {
        Path abuseIpdb = resourcePath("abuseipdb/abuseipdb_blacklist_data_array_2025-05-18.json");
        Path stix = resourcePath("stix/indicator-for-c2-ip-address.json");

        CollectingSink json = new CollectingSink();
        assertThat(readerWithoutHttp(NO_STDIN).read(FeedSource.of(abuseIpdb.toString()), null, ParseOptions.DEFAULTS, json))
                .isEqualTo(FeedFormat.JSON);
        assertThat(json.ranges).hasSize(10_000);

        CollectingSink indicators = new CollectingSink();
        assertThat(readerWithoutHttp(NO_STDIN).read(FeedSource.of(stix.toString()), null, ParseOptions.DEFAULTS, indicators))
                .isEqualTo(FeedFormat.STIX);
        assertThat(indicators.ranges).containsExactly(IpRange.parse("10.0.0.0"));
    }

    @Test
    void readsStandardInput() throws IOException {
        CollectingSink sink = new CollectingSink();
        InputStream stdin = new ByteArrayInputStream(FEED.getBytes(StandardCharsets.UTF_8));

        FeedFormat format = readerWithoutHttp(stdin).read(FeedSource.of("-"), null, ParseOptions.DEFAULTS, sink);

        assertThat(format).isEqualTo(FeedFormat.TEXT);
        assertThat(sink.ranges).containsExactlyElementsOf(FEED_RANGES);
    }

    @Test
    void aGivenFormatOverridesDetection() throws IOException {
        // a STIX bundle whose first STIX marker lies beyond the bytes detection looks at
        String bundle = "{\"id\": \"bundle--1\", \"objects\": [{\"id\": \"note--1\", \"content\": \"" + "n".repeat(FeedFormat.DETECT_BYTES)
                + "\"}, {\"type\": \"indicator\", \"id\": \"indicator--1\", \"pattern\": \"[ipv4-addr:value = '192.0.2.1']\"}],"
                + " \"type\": \"bundle\"}";
        InputStream stdin = new ByteArrayInputStream(bundle.getBytes(StandardCharsets.UTF_8));
        CollectingSink sink = new CollectingSink();

        FeedFormat format = readerWithoutHttp(stdin).read(FeedSource.of("-"), FeedFormat.STIX, ParseOptions.DEFAULTS, sink);

        assertThat(format).isEqualTo(FeedFormat.STIX);
        assertThat(sink.ranges).containsExactly(IpRange.parse("192.0.2.1"));
    }

    @Test
    void asksForAnHttpClientOnlyForUrls(@TempDir Path directory) throws IOException {
        AtomicInteger clientsCreated = new AtomicInteger();
        Supplier<HttpClient> counting = () -> {
            clientsCreated.incrementAndGet();
            return http;
        };
        FeedReader reader = new FeedReader(counting, TIMEOUT, new ByteArrayInputStream(FEED.getBytes(StandardCharsets.UTF_8)), CLOCK);
        Path file = Files.writeString(directory.resolve("feed.txt"), FEED);

        reader.read(FeedSource.of(file.toString()), null, ParseOptions.DEFAULTS, new CollectingSink());
        reader.read(FeedSource.of("-"), null, ParseOptions.DEFAULTS, new CollectingSink());
        assertThat(clientsCreated).hasValue(0);

        reader.read(FeedSource.of(base + "/plain.txt"), null, ParseOptions.DEFAULTS, new CollectingSink());
        assertThat(clientsCreated).hasValue(1);
    }

    private static FeedReader reader(InputStream stdin) {
        return new FeedReader(() -> http, TIMEOUT, stdin, CLOCK);
    }

    private static FeedReader readerWithoutHttp(InputStream stdin) {
        return new FeedReader(() -> {
            throw new AssertionError("an HTTP client was asked for, but the feed is no URL");
        }, TIMEOUT, stdin, CLOCK);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream input = FeedReaderTest.class.getResourceAsStream("/feeds/" + name)) {
            assertThat(input).as(name).isNotNull();
            return input.readAllBytes();
        }
    }

    private static Path resourcePath(String name) {
        try {
            return Path.of(FeedReaderTest.class.getResource("/feeds/" + name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Keeps entries as ranges and rejections as "line: text" (RecordingSink is private to the format package). */
    private static final class CollectingSink implements EntrySink {
        final List<IpRange> ranges = new ArrayList<>();
        final List<String> rejections = new ArrayList<>();

        @Override
        public void entry(IpFamily family, long firstHigh, long firstLow, long lastHigh, long lastLow, int score, List<String> categories) {
            ranges.add(new IpRange(new IpAddress(family, firstHigh, firstLow), new IpAddress(family, lastHigh, lastLow)));
        }

        @Override
        public void rejected(long line, String text, String reason) {
            rejections.add(line + ": " + text);
        }
    }
}
