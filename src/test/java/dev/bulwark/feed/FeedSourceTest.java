package dev.bulwark.feed;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class FeedSourceTest {
    private static final String FEED = "# test feed\n192.0.2.1\n198.51.100.0/24 ; SBL1\n2001:db8::/32\n";
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Duration SHORT_TIMEOUT = Duration.ofMillis(300);
    private static final Supplier<HttpClient> NO_HTTP = () -> {
        throw new AssertionError("an HTTP client was asked for, but the feed is no URL");
    };
    private static final InputStream NO_STDIN = InputStream.nullInputStream();

    /** Holds the slow endpoint's answer until the tests are over. */
    private static final CountDownLatch RELEASE_SLOW = new CountDownLatch(1);
    private static final AtomicReference<String> USER_AGENT = new AtomicReference<>();
    private static final AtomicReference<String> ACCEPT_ENCODING = new AtomicReference<>();

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
        server.serve("/missing.txt", 404, "not found".getBytes(StandardCharsets.UTF_8));
        server.serve("/broken.txt", 500, "oops".getBytes(StandardCharsets.UTF_8));
        server.serve("/moved.txt", 302, new byte[0], "Location", "/plain.txt");
        server.handle("/slow.txt", exchange -> {
            try {
                RELEASE_SLOW.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LocalFeedServer.respond(exchange, 200, plain);
        });
        server.handle("/stalls.txt", exchange -> {
            // the headers and the first entry, then nothing until the tests are over
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write("192.0.2.1\n".getBytes(StandardCharsets.US_ASCII));
            exchange.getResponseBody().flush();
            try {
                RELEASE_SLOW.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.handle("/headers.txt", exchange -> {
            USER_AGENT.set(exchange.getRequestHeaders().getFirst("User-Agent"));
            ACCEPT_ENCODING.set(exchange.getRequestHeaders().getFirst("Accept-Encoding"));
            LocalFeedServer.respond(exchange, 200, plain);
        });
        server.start();
        base = server.base();
        http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    @AfterAll
    static void stopServer() {
        RELEASE_SLOW.countDown();
        http.shutdownNow();
        server.close();
    }

    @Test
    void readsAPath(@TempDir Path directory) throws IOException {
        Path file = Files.writeString(directory.resolve("feed.txt"), FEED);

        FeedSource source = FeedSource.of(file.toString());

        assertThat(read(source)).isEqualTo(FEED);
        assertThat(source.isStdin()).isFalse();
        assertThat(source.displayName()).isEqualTo(file.toString());
    }

    @Test
    void unpacksAGzipFile(@TempDir Path directory) throws IOException {
        Path file = Files.write(directory.resolve("feed.txt.gz"), LocalFeedServer.gzip(FEED.getBytes(StandardCharsets.UTF_8)));

        assertThat(read(FeedSource.of(file.toString()))).isEqualTo(FEED);
    }

    @Test
    void unpacksGzipByItsContentWhateverTheName(@TempDir Path directory) throws IOException {
        Path gzipWithoutSuffix = Files.write(directory.resolve("feed.txt"), LocalFeedServer.gzip(FEED.getBytes(StandardCharsets.UTF_8)));
        Path plainWithGzSuffix = Files.writeString(directory.resolve("plain.gz"), FEED);

        assertThat(read(FeedSource.of(gzipWithoutSuffix.toString()))).isEqualTo(FEED);
        assertThat(read(FeedSource.of(plainWithGzSuffix.toString()))).isEqualTo(FEED);
    }

    @Test
    void readsEmptyAndOneByteFilesAsTheyAre(@TempDir Path directory) throws IOException {
        Path empty = Files.write(directory.resolve("empty.txt"), new byte[0]);
        // the first byte of the gzip magic number alone is no gzip
        Path oneByte = Files.write(directory.resolve("one.txt"), new byte[] {0x1f});

        assertThat(readBytes(FeedSource.of(empty.toString()), NO_STDIN)).isEmpty();
        assertThat(readBytes(FeedSource.of(oneByte.toString()), NO_STDIN)).containsExactly(0x1f);
    }

    @Test
    void readsAFileUrl(@TempDir Path directory) throws IOException {
        Path file = Files.writeString(directory.resolve("feed list.txt"), FEED);
        String url = file.toUri().toString();

        assertThat(url).startsWith("file:");
        assertThat(read(FeedSource.of(url))).isEqualTo(FEED);
    }

    @Test
    void readsStandardInputForADash() throws IOException {
        FeedSource source = FeedSource.of("-");

        assertThat(source.isStdin()).isTrue();
        assertThat(source.displayName()).isEqualTo("stdin");
        assertThat(readBytes(source, new ByteArrayInputStream(FEED.getBytes(StandardCharsets.UTF_8))))
                .asString(StandardCharsets.UTF_8).isEqualTo(FEED);
        // a piped archive: zcat is not needed
        assertThat(readBytes(source, new ByteArrayInputStream(LocalFeedServer.gzip(FEED.getBytes(StandardCharsets.UTF_8)))))
                .asString(StandardCharsets.UTF_8).isEqualTo(FEED);
    }

    @Test
    void namesTheAbsolutePathOfAMissingFile() {
        String relative = "no-such-directory-for-bulwark-tests/absent-feed.txt";
        String absolute = Path.of(relative).toAbsolutePath().toString();

        assertThatThrownBy(() -> read(FeedSource.of(relative)))
                .isInstanceOf(IOException.class)
                .hasMessage("feed file not found: " + absolute);
    }

    @Test
    void namesTheAbsolutePathOfAMissingFileUrl(@TempDir Path directory) {
        Path absent = directory.resolve("absent.txt");

        assertThatThrownBy(() -> read(FeedSource.of(absent.toUri().toString())))
                .isInstanceOf(IOException.class)
                .hasMessage("feed file not found: " + absent.toAbsolutePath());
    }

    @Test
    void fetchesAUrl() throws IOException {
        assertThat(read(FeedSource.of(base + "/plain.txt"))).isEqualTo(FEED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/feed.txt.gz", "/encoded.txt"})
    void unpacksAGzipBodyWhetherServedAsAFileOrWithContentEncoding(String path) throws IOException {
        assertThat(read(FeedSource.of(base + path))).isEqualTo(FEED);
    }

    @Test
    void asksForGzipAndSaysWhoItIs() throws IOException {
        read(FeedSource.of(base + "/headers.txt"));

        assertThat(ACCEPT_ENCODING.get()).isEqualTo("gzip");
        assertThat(USER_AGENT.get()).startsWith("bulwark/");
    }

    @ParameterizedTest
    @CsvSource({"/missing.txt, 404", "/broken.txt, 500"})
    void anHttpErrorNamesTheUrlAndTheStatus(String path, int status) {
        String url = base + path;

        assertThatThrownBy(() -> read(FeedSource.of(url)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(url)
                .hasMessageContaining("HTTP status " + status);
    }

    @Test
    void aRedirectIsAnErrorForAClientThatDoesNotFollowIt() {
        // FeedReader.defaultHttpClient follows redirects; see FeedReaderTest
        String url = base + "/moved.txt";

        assertThatThrownBy(() -> read(FeedSource.of(url)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(url)
                .hasMessageContaining("HTTP status 302");
    }

    @Test
    void givesUpOnASlowServerAfterTheTimeout() {
        String url = base + "/slow.txt";

        IOException failure = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            long started = System.nanoTime();
            IOException thrown = catchThrowableOfType(IOException.class,
                    () -> FeedSource.of(url).open(NO_STDIN, () -> http, SHORT_TIMEOUT));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
            return thrown;
        });

        assertThat(failure).isNotNull();
        assertThat(failure.getMessage()).contains(url).containsIgnoringCase("timed out");
    }

    @Test
    void givesUpOnAServerThatStallsHalfwayThroughTheBody() {
        String url = base + "/stalls.txt";

        IOException failure = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> catchThrowableOfType(IOException.class,
                () -> {
                    try (InputStream input = FeedSource.of(url).open(NO_STDIN, () -> http, SHORT_TIMEOUT)) {
                        input.readAllBytes();
                    }
                }));

        assertThat(failure).isNotNull();
        assertThat(failure.getMessage()).contains(url).containsIgnoringCase("timed out");
    }

    @Test
    void aRefusedConnectionNamesTheUrl() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort + "/feed.txt";

        assertThatThrownBy(() -> read(FeedSource.of(url)))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot fetch " + url);
    }

    @Test
    void refusesAnUnsupportedSchemeSayingWhatWorks() {
        assertThatThrownBy(() -> FeedSource.of("ftp://ftp.example.org/feeds/drop.txt"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unsupported feed URL scheme")
                .hasMessageContaining("ftp://ftp.example.org/feeds/drop.txt")
                .hasMessageContaining("file:, http: or https:");
        assertThatThrownBy(() -> FeedSource.of("ftp://user:hunter2@ftp.example.org/drop.txt?token=abc"))
                .isInstanceOf(IllegalArgumentException.class)
                .message().doesNotContain("hunter2").doesNotContain("abc");
    }

    @Test
    void refusesAnEmptyLocationAndAUrlWithoutHost() {
        assertThatThrownBy(() -> FeedSource.of("  "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("empty feed location");
        assertThatThrownBy(() -> FeedSource.of("http:///feed.txt"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no host");
    }

    @Test
    void redactionHidesSecretQueryValuesAndKeepsTheOthers() {
        String redacted = Redaction.url("https://feeds.example.org/list.txt?api_key=SECRET123&limit=5");

        assertThat(redacted)
                .doesNotContain("SECRET123")
                .contains("limit=5")
                .isEqualTo("https://feeds.example.org/list.txt?api_key=***&limit=5");
    }

    @ParameterizedTest
    @ValueSource(strings = {"key", "API_KEY", "token", "access_token", "secret", "client_secret", "password", "passwd",
            "auth", "authorization", "sig", "X-Amz-Signature"})
    void redactionHidesEverySecretLookingParameter(String name) {
        String redacted = Redaction.url("https://feeds.example.org/list.txt?format=txt&" + name + "=SECRET123#top");

        assertThat(redacted).isEqualTo("https://feeds.example.org/list.txt?format=txt&" + name + "=***#top");
    }

    @Test
    void redactionHidesUserInfo() {
        String redacted = Redaction.url("https://user:pw@host/x");

        assertThat(redacted).doesNotContain("pw").doesNotContain("user").isEqualTo("https://***@host/x");
        assertThat(Redaction.url("https://host/x?limit=5")).isEqualTo("https://host/x?limit=5");
    }

    @Test
    void displayNameHidesSecretsButTheLocationKeepsThemForTheFetch() {
        FeedSource withKey = FeedSource.of("https://feeds.example.org/list.txt?api_key=SECRET123&limit=5");
        FeedSource withUser = FeedSource.of("https://user:pw@feeds.example.org/x");

        assertThat(withKey.displayName()).doesNotContain("SECRET123").contains("limit=5");
        assertThat(withKey.toString()).doesNotContain("SECRET123");
        assertThat(withKey.location()).contains("SECRET123");
        assertThat(withUser.displayName()).doesNotContain("pw").contains("feeds.example.org/x");
    }

    @Test
    void aFailedFetchDoesNotTellTheSecret() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }
        String[] urls = {
                base + "/missing.txt?key=SECRET123",
                base + "/broken.txt?limit=5&api_key=SECRET123",
                "http://user:SECRET123@127.0.0.1:" + closedPort + "/feed.txt",
        };
        for (String url : urls) {
            IOException failure = catchThrowableOfType(IOException.class, () -> read(FeedSource.of(url)));

            assertThat(failure).as(url).isNotNull();
            assertThat(failure.getMessage()).as(url).startsWith("cannot fetch http://").doesNotContain("SECRET123");
            assertThat(stackTrace(failure)).as(url).doesNotContain("SECRET123");
        }

        IOException timedOut = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> catchThrowableOfType(IOException.class,
                () -> FeedSource.of(base + "/slow.txt?token=SECRET123").open(NO_STDIN, () -> http, SHORT_TIMEOUT)));
        assertThat(timedOut).isNotNull();
        assertThat(stackTrace(timedOut)).contains("token=***").doesNotContain("SECRET123");
    }

    private static String read(FeedSource source) throws IOException {
        return new String(readBytes(source, NO_STDIN), StandardCharsets.UTF_8);
    }

    private static byte[] readBytes(FeedSource source, InputStream stdin) throws IOException {
        Supplier<HttpClient> client = source.location().startsWith("http") ? () -> http : NO_HTTP;
        try (InputStream input = source.open(stdin, client, TIMEOUT)) {
            return input.readAllBytes();
        }
    }

    private static String stackTrace(Throwable throwable) {
        StringWriter text = new StringWriter();
        throwable.printStackTrace(new PrintWriter(text));
        return text.toString();
    }
}
