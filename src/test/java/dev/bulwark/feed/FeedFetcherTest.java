package dev.bulwark.feed;

import static dev.bulwark.feed.TestFeeds.feed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import dev.bulwark.feed.FeedOutcome.Kind;
import dev.bulwark.feed.format.FeedFormat;
import dev.bulwark.ip.IpFamily;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

class FeedFetcherTest {
    private static final Instant START = Instant.parse("2025-06-01T00:00:00Z");
    /** The real Spamhaus DROP list: 1360 prefixes, CRLF, {@code ;} comments. */
    private static final byte[] DROP = TestFeeds.resource("spamhaus/drop.txt");
    private static final int DROP_ENTRIES = 1360;

    @TempDir
    Path stateDir;

    private final ManualClock clock = new ManualClock(START);
    private final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());
    private final List<Headers> requests = Collections.synchronizedList(new ArrayList<>());
    private final LocalFeedServer server = new LocalFeedServer().start();
    private final HttpClient http = FeedReader.defaultHttpClient(Duration.ofSeconds(5));

    FeedFetcherTest() throws IOException {
    }

    @AfterEach
    void stop() {
        server.close();
        http.shutdownNow();
    }

    @Test
    void acceptsAFeedAndKeepsItAsTheLastGoodCopy() throws IOException {
        script("/drop.txt", answer(200, DROP, "ETag", "\"drop-1\""));
        FeedFetcher fetcher = fetcher(feed(server.base() + "/drop.txt").name("drop").build());

        FeedRound round = fetcher.round();

        assertThat(round.outcome().kind()).isEqualTo(Kind.OK);
        assertThat(round.outcome().message()).isEqualTo("feed drop: 1360 entries (were 0) from " + server.base() + "/drop.txt");
        assertThat(round.outcome().attempts()).isEqualTo(1);
        assertThat(round.changed()).isTrue();
        assertThat(round.content().size()).isEqualTo(DROP_ENTRIES);
        assertThat(round.content().format()).isEqualTo(FeedFormat.TEXT);
        assertThat(round.status()).isEqualTo(new FeedStatus("drop", server.base() + "/drop.txt", START, START, START, DROP_ENTRIES,
                "ok", null, 0, null));
        LastGood.Metadata saved = new LastGood(stateDir, "drop").metadata().orElseThrow();
        assertThat(saved.etag()).isEqualTo("\"drop-1\"");
        assertThat(saved.entries()).isEqualTo(DROP_ENTRIES);
        assertThat(saved.bodySize()).isEqualTo(DROP.length);
        assertThat(requests.getFirst().getFirst("User-Agent")).startsWith("bulwark/");
    }

    @Test
    void sendsTheValidatorsOfTheLastGoodCopyAndA304KeepsTheContent() throws IOException {
        server.handle("/drop.txt", exchange -> {
            requests.add(exchange.getRequestHeaders());
            if ("\"drop-1\"".equals(exchange.getRequestHeaders().getFirst("If-None-Match"))) {
                LocalFeedServer.respond(exchange, 304, new byte[0], "ETag", "\"drop-1\"");
                return;
            }
            LocalFeedServer.respond(exchange, 200, DROP, "ETag", "\"drop-1\"", "Last-Modified", "Sun, 01 Jun 2025 00:00:00 GMT");
        });
        FeedFetcher fetcher = fetcher(feed(server.base() + "/drop.txt").build());
        FeedRound first = fetcher.round();
        clock.advance(Duration.ofHours(1));

        FeedRound second = fetcher.round();

        assertThat(requests.get(0).containsKey("If-None-Match")).isFalse();
        assertThat(requests.get(0).containsKey("If-Modified-Since")).isFalse();
        assertThat(requests.get(1).getFirst("If-None-Match")).isEqualTo("\"drop-1\"");
        assertThat(requests.get(1).getFirst("If-Modified-Since")).isEqualTo("Sun, 01 Jun 2025 00:00:00 GMT");
        assertThat(second.outcome().kind()).isEqualTo(Kind.NOT_MODIFIED);
        assertThat(second.content()).isSameAs(first.content());
        assertThat(second.changed()).isFalse();
        assertThat(second.status().lastResult()).isEqualTo("not-modified");
        assertThat(second.status().lastSuccess()).isEqualTo(START.plus(Duration.ofHours(1)));
        assertThat(second.status().contentSince()).isEqualTo(START);
    }

    @Test
    void readsAGzipBodyAndKeepsItPackedOnDisk() throws IOException {
        script("/drop.txt", answer(200, LocalFeedServer.gzip(DROP), "Content-Encoding", "gzip"));
        FeedFetcher fetcher = fetcher(feed(server.base() + "/drop.txt").name("drop").build());

        FeedRound round = fetcher.round();

        assertThat(requests.getFirst().getFirst("Accept-Encoding")).isEqualTo("gzip");
        assertThat(round.outcome().kind()).isEqualTo(Kind.OK);
        assertThat(round.content().size()).isEqualTo(DROP_ENTRIES);
        LastGood lastGood = new LastGood(stateDir, "drop");
        try (var body = lastGood.openBody(lastGood.metadata().orElseThrow())) {
            byte[] magic = body.readNBytes(2);
            assertThat(magic).containsExactly(0x1f, 0x8b);
        }
    }

    @Test
    void readsAGzipFileThatTheServerPacksAgain() throws IOException {
        script("/drop.txt.gz", answer(200, LocalFeedServer.gzip(LocalFeedServer.gzip(DROP)), "Content-Encoding", "gzip"));

        FeedRound round = fetcher(feed(server.base() + "/drop.txt.gz").build()).round();

        assertThat(round.outcome().kind()).isEqualTo(Kind.OK);
        assertThat(round.content().size()).isEqualTo(DROP_ENTRIES);
    }

    @Test
    void sendsTheConfiguredHeaderAndNeverShowsItsValue() throws IOException {
        String secret = "k3y-7f9a0c-very-secret";
        String url = server.base() + "/threats?limit=10&api_key=url-secret-42";
        server.handle("/threats", exchange -> {
            requests.add(exchange.getRequestHeaders());
            int status = requests.size() == 1 ? 200 : 500;
            LocalFeedServer.respond(exchange, status, DROP);
        });
        FeedConfig config = feed(url).name("scored").header("X-API-KEY", secret).build();
        FeedFetcher fetcher = fetcher(config);
        List<String> shown = new ArrayList<>();

        FeedRound accepted = fetcher.round();
        FeedRound refused = fetcher.round();
        server.close();
        FeedRound unreachable = fetcher.round();

        assertThat(requests.getFirst().getFirst("X-API-KEY")).isEqualTo(secret);
        assertThat(List.of(accepted, refused, unreachable)).extracting(round -> round.outcome().kind())
                .containsExactly(Kind.OK, Kind.HTTP_STATUS, Kind.ERROR);
        for (FeedRound round : List.of(accepted, refused, unreachable)) {
            shown.add(round.outcome().message());
            shown.add(round.toString());
            shown.add(round.status().toString());
        }
        shown.add(config.toString());
        shown.add(fetcher.toString());
        try (Stream<Path> files = Files.walk(stateDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                shown.add(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
            }
        }
        assertThat(shown).noneMatch(text -> text.contains(secret)).noneMatch(text -> text.contains("url-secret-42"));
        assertThat(refused.outcome().message()).contains("HTTP status 500 from " + server.base() + "/threats?limit=10&api_key=***;");
        assertThat(unreachable.outcome().message()).contains("cannot fetch " + server.base() + "/threats?limit=10&api_key=***: ");
    }

    @Test
    void anHttpErrorKeepsTheLastGoodContentAndTheStatusSaysWhy() throws IOException {
        script("/drop.txt", answer(200, DROP), answer(500, "oops".getBytes(StandardCharsets.US_ASCII)),
                answer(404, "gone".getBytes(StandardCharsets.US_ASCII)));
        FeedFetcher fetcher = fetcher(feed(server.base() + "/drop.txt").name("drop").build());
        FeedRound first = fetcher.round();
        clock.advance(Duration.ofMinutes(10));

        FeedRound failed = fetcher.round();
        FeedRound gone = fetcher.round();

        assertThat(failed.outcome().kind()).isEqualTo(Kind.HTTP_STATUS);
        assertThat(failed.content()).isSameAs(first.content());
        assertThat(failed.changed()).isFalse();
        assertThat(failed.status().lastResult()).isEqualTo("http-status");
        assertThat(failed.status().error()).isEqualTo("feed drop: HTTP status 500 from " + server.base() + "/drop.txt;"
                + " keeping the last good content (1360 entries, fetched 2025-06-01T00:00:00Z);"
                + " the server failed; it is tried again at the next round");
        assertThat(failed.status().entries()).isEqualTo(DROP_ENTRIES);
        assertThat(failed.status().lastSuccess()).isEqualTo(START);
        assertThat(failed.status().lastTry()).isEqualTo(START.plus(Duration.ofMinutes(10)));
        assertThat(failed.status().consecutiveFailures()).isEqualTo(1);
        assertThat(gone.outcome().message()).endsWith("check the feed's URL");
        assertThat(gone.status().consecutiveFailures()).isEqualTo(2);
        assertThat(gone.content()).isSameAs(first.content());
    }

    @Test
    void aServerThatStallsIsGivenUpAtTheDeadline() throws IOException {
        CountDownLatch release = new CountDownLatch(1);
        server.handle("/half", exchange -> {
            exchange.sendResponseHeaders(200, DROP.length);
            OutputStream body = exchange.getResponseBody();
            body.write(DROP, 0, DROP.length / 2);
            body.flush();
            await(release);
        });
        server.handle("/silent", exchange -> await(release));
        Duration timeout = Duration.ofMillis(500);
        try {
            for (String path : List.of("/half", "/silent")) {
                FeedFetcher fetcher = fetcher(feed(server.base() + path).name(path.substring(1)).timeout(timeout).build());
                long started = System.nanoTime();

                FeedRound round = fetcher.round();

                Duration took = Duration.ofNanos(System.nanoTime() - started);
                assertThat(round.outcome().kind()).as(path).isEqualTo(Kind.ERROR);
                assertThat(round.outcome().message()).as(path).contains("no complete answer from " + server.base() + path + " within 500 ms");
                assertThat(took).as(path).isGreaterThanOrEqualTo(Duration.ofMillis(450)).isLessThan(Duration.ofSeconds(3));
                assertThat(round.content()).isNull();
            }
        } finally {
            release.countDown();
        }
    }

    @Test
    void refusesGarbageAndKeepsTheLastGoodContent() throws IOException {
        byte[] page = "<!DOCTYPE html>\n<html><body>\n<h1>Maintenance</h1>\n</body></html>\n".getBytes(StandardCharsets.US_ASCII);
        byte[] mostlyBad = "192.0.2.1\n192.0.2.2\nnot-an-ip\n10.0.0.0/99\n999.1.1.1\n".getBytes(StandardCharsets.US_ASCII);
        script("/drop.txt", answer(200, DROP), answer(200, page), answer(200, mostlyBad));
        script("/broken.json", answer(200, "[{\"ip\": \"192.0.2.1\"}, {\"ip\": ".getBytes(StandardCharsets.US_ASCII)));
        FeedFetcher fetcher = fetcher(feed(server.base() + "/drop.txt").name("drop").build());
        FeedRound good = fetcher.round();

        FeedRound html = fetcher.round();
        FeedRound bad = fetcher.round();
        FeedRound broken = fetcher(feed(server.base() + "/broken.json").name("broken").build()).round();

        assertThat(html.outcome().kind()).isEqualTo(Kind.GARBAGE);
        assertThat(html.outcome().message()).startsWith("feed drop: the answer from " + server.base() + "/drop.txt is not a feed of addresses:"
                + " 0 entries and 4 rejected (first: line 1 '<!DOCTYPE html>': ").endsWith("check the feed's url and format (it was read as text)");
        assertThat(bad.outcome().kind()).isEqualTo(Kind.GARBAGE);
        assertThat(bad.outcome().message()).contains("2 entries and 3 rejected");
        assertThat(List.of(html, bad)).allMatch(round -> round.content() == good.content() && !round.changed());
        try (Stream<Path> files = Files.list(stateDir.resolve("feeds/drop"))) {
            // the refused downloads are gone; the last good copy is untouched
            assertThat(files.map(path -> path.getFileName().toString()))
                    .containsExactlyInAnyOrder("meta.json", "body-" + LastGood.sha256(DROP).substring(0, 16));
        }
        assertThat(broken.outcome().kind()).isEqualTo(Kind.GARBAGE);
        assertThat(broken.outcome().message()).contains("cannot be read as a feed: broken JSON").contains("no good content yet, so this feed blocks nothing");
    }

    @Test
    void aBodyPastMaxSizeIsRefusedByItsLengthOrAsItArrivesAndTheLastGoodCopyStays() throws IOException {
        byte[] large = new byte[200_000];
        java.util.Arrays.fill(large, (byte) '\n');
        script("/drop.txt", answer(200, DROP), answer(200, large));
        // the same without a Content-Length: chunked, so only the count of what arrives can tell
        server.handle("/chunked.txt", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (java.io.OutputStream output = exchange.getResponseBody()) {
                output.write(DROP);
                output.write(large);
            } catch (IOException e) {
                // the client hung up once it had enough: what this test wants
            }
        });
        FeedFetcher fetcher = fetcher(feed(server.base() + "/drop.txt").name("drop").maxSize(64 << 10).build());
        FeedRound good = fetcher.round();

        FeedRound tooLarge = fetcher.round();
        FeedRound chunked = fetcher(feed(server.base() + "/chunked.txt").name("chunked").maxSize(64 << 10).build()).round();

        assertThat(good.outcome().kind()).isEqualTo(Kind.OK);
        assertThat(tooLarge.outcome().kind()).isEqualTo(Kind.GARBAGE);
        assertThat(tooLarge.outcome().message()).startsWith("feed drop: the answer from " + server.base() + "/drop.txt is too large: the body"
                + " is 200000 bytes (its Content-Length), past the feed's max_size of 64KiB; ").contains("raise its max_size");
        assertThat(tooLarge.content()).isSameAs(good.content());
        assertThat(tooLarge.outcome().attempts()).as("not tried again: it would be as large").isEqualTo(1);
        assertThat(chunked.outcome().kind()).isEqualTo(Kind.GARBAGE);
        assertThat(chunked.outcome().message()).contains("is too large: more than 65536 bytes of the body arrived, past the feed's max_size of 64KiB");
        try (Stream<Path> files = Files.list(stateDir.resolve("feeds/drop"))) {
            assertThat(files.map(path -> path.getFileName().toString()))
                    .containsExactlyInAnyOrder("meta.json", "body-" + LastGood.sha256(DROP).substring(0, 16));
        }
    }

    @Test
    void aSmallGzipBodyThatUnpacksPastMaxSizeIsRefused() throws IOException {
        // 4 MB of one address a line: about 20 KB packed, under the limit; unpacked, four times over it
        byte[] lines = "192.0.2.1\n".repeat(400_000).getBytes(StandardCharsets.US_ASCII);
        byte[] packed = LocalFeedServer.gzip(lines);
        assertThat(packed.length).isLessThan(1 << 20);
        script("/bomb.txt", answer(200, packed, "Content-Encoding", "gzip"));

        FeedRound round = fetcher(feed(server.base() + "/bomb.txt").name("bomb").maxSize(1 << 20).build()).round();

        assertThat(round.outcome().kind()).isEqualTo(Kind.GARBAGE);
        assertThat(round.outcome().message()).contains("is too large: the content unpacks to more than 1MiB, the feed's max_size");
        assertThat(round.content()).isNull();
    }

    @Test
    void aFileFeedPastMaxSizeIsRefusedBeforeItIsCopied() throws IOException {
        Path file = stateDir.resolve("big.txt");
        Files.write(file, "192.0.2.1\n".repeat(200).getBytes(StandardCharsets.US_ASCII));

        FeedRound round = fetcher(feed(file.toString()).name("big").maxSize(1 << 10).build()).round();

        assertThat(round.outcome().kind()).isEqualTo(Kind.GARBAGE);
        assertThat(round.outcome().message()).contains("feed file " + file + " is too large: 2000 bytes, past the feed's max_size of 1KiB");
    }

    @Test
    void refusesAnEmptyFeed() throws IOException {
        // the real FireHOL feodo set of December 2018: a header and no entry
        script("/feodo.ipset", answer(200, TestFeeds.resource("firehol/feodo.ipset")));

        FeedRound round = fetcher(feed(server.base() + "/feodo.ipset").name("feodo").build()).round();

        assertThat(round.outcome().kind()).isEqualTo(Kind.EMPTY);
        assertThat(round.outcome().message()).isEqualTo("feed feodo: no entries in the answer from " + server.base() + "/feodo.ipset;"
                + " no good content yet, so this feed blocks nothing;"
                + " check the source; if the feed is empty on purpose, remove it from the configuration");
        assertThat(round.content()).isNull();
        assertThat(round.status().lastResult()).isEqualTo("empty");
    }

    @Test
    void refusesAShrinkBeyondTheGuardAndAcceptsOneWithinIt() throws IOException {
        // the real DShield top 1000 attackers, then the same file cut short
        byte[] full = TestFeeds.resource("firehol/dshield_top_1000.ipset");
        script("/dshield", answer(200, full), answer(200, firstEntries(full, 499)), answer(200, firstEntries(full, 500)));
        FeedFetcher fetcher = fetcher(feed(server.base() + "/dshield").name("dshield").shrinkGuard(0.5).build());
        FeedRound first = fetcher.round();

        FeedRound tooSmall = fetcher.round();
        FeedRound halved = fetcher.round();

        assertThat(first.content().size()).isEqualTo(1000);
        assertThat(tooSmall.outcome().kind()).isEqualTo(Kind.SHRUNK);
        assertThat(tooSmall.outcome().message()).isEqualTo("feed dshield: the answer from " + server.base() + "/dshield holds 499 entries,"
                + " fewer than the 500 that shrink_guard 0.5 allows after 1000;"
                + " keeping the last good content (1000 entries, fetched 2025-06-01T00:00:00Z);"
                + " if the feed really shrank, raise the feed's shrink_guard, or delete " + stateDir.resolve("feeds/dshield")
                + " to take it as it is");
        assertThat(tooSmall.content()).isSameAs(first.content());
        assertThat(halved.outcome().kind()).isEqualTo(Kind.OK);
        assertThat(halved.content().size()).isEqualTo(500);
        assertThat(halved.changed()).isTrue();
        assertThat(new LastGood(stateDir, "dshield").metadata().orElseThrow().entries()).isEqualTo(500);
    }

    @Test
    void theLastGoodCopySurvivesARestartAndStaysInForceWhenTheFirstFetchFails() throws IOException {
        script("/drop.txt", answer(200, DROP, "ETag", "\"drop-1\""), answer(503, new byte[0]));
        FeedConfig config = feed(server.base() + "/drop.txt").name("drop").build();
        fetcher(config).round();
        clock.advance(Duration.ofDays(1));

        FeedRound afterRestart = fetcher(config).round();

        assertThat(afterRestart.outcome().kind()).isEqualTo(Kind.HTTP_STATUS);
        assertThat(afterRestart.content().size()).isEqualTo(DROP_ENTRIES);
        assertThat(afterRestart.changed()).as("the first round after a restart reports the content in force").isTrue();
        assertThat(afterRestart.status().entries()).isEqualTo(DROP_ENTRIES);
        assertThat(afterRestart.status().contentSince()).isEqualTo(START);
        assertThat(afterRestart.status().lastSuccess()).isEqualTo(START);
        assertThat(afterRestart.outcome().message()).contains("keeping the last good content (1360 entries, fetched 2025-06-01T00:00:00Z)");
        // the restarted fetcher asks conditionally, with the validators kept on disk
        assertThat(requests.getLast().getFirst("If-None-Match")).isEqualTo("\"drop-1\"");
    }

    @Test
    void retriesWithExponentialBackoffAndJitterWithinTheRound() throws IOException {
        script("/busy", answer(503, new byte[0]));
        script("/flaky", answer(503, new byte[0]), answer(502, new byte[0]), answer(200, DROP));
        script("/missing", answer(404, new byte[0]));

        FeedRound busy = fetcher(feed(server.base() + "/busy").name("busy").retries(3).build()).round();
        List<Duration> busySleeps = List.copyOf(sleeps);
        sleeps.clear();
        FeedRound flaky = fetcher(feed(server.base() + "/flaky").name("flaky").retries(3).build()).round();
        List<Duration> flakySleeps = List.copyOf(sleeps);
        sleeps.clear();
        FeedRound missing = fetcher(feed(server.base() + "/missing").name("missing").retries(3).build()).round();

        // 1s, 2s, 4s, each with half of its own length again as jitter (the random draw is fixed at 0.5)
        assertThat(busySleeps).containsExactly(Duration.ofMillis(1250), Duration.ofMillis(2500), Duration.ofMillis(5000));
        assertThat(busy.outcome().attempts()).isEqualTo(4);
        assertThat(busy.outcome().kind()).isEqualTo(Kind.HTTP_STATUS);
        assertThat(flakySleeps).containsExactly(Duration.ofMillis(1250), Duration.ofMillis(2500));
        assertThat(flaky.outcome().kind()).isEqualTo(Kind.OK);
        assertThat(flaky.outcome().attempts()).isEqualTo(3);
        // a 404 will not be different a second later
        assertThat(sleeps).isEmpty();
        assertThat(missing.outcome().attempts()).isEqualTo(1);
        assertThat(requests).hasSize(4 + 3 + 1);
    }

    @Test
    void retriesAConnectionThatIsRefused() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        FeedRound round = fetcher(feed("http://127.0.0.1:" + closedPort + "/drop.txt").retries(2).build()).round();

        assertThat(round.outcome().kind()).isEqualTo(Kind.ERROR);
        assertThat(round.outcome().attempts()).isEqualTo(3);
        assertThat(sleeps).hasSize(2);
        assertThat(round.outcome().message()).startsWith("feed test: cannot fetch http://127.0.0.1:" + closedPort
                + "/drop.txt: connection refused or unreachable;");
    }

    @Test
    void aFileFeedIsReadAgainOnlyWhenItChanges() throws IOException {
        Path file = Files.write(stateDir.resolve("drop.txt"), DROP);
        FeedFetcher fetcher = fetcher(feed(file.toUri().toString()).name("local").build());

        FeedRound first = fetcher.round();
        FeedRound unchanged = fetcher.round();
        Files.writeString(file, "192.0.2.0/24\n198.51.100.0/24\n".repeat(400));
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(60)));
        FeedRound changed = fetcher.round();
        Files.delete(file);
        FeedRound missing = fetcher.round();

        assertThat(first.outcome().kind()).isEqualTo(Kind.OK);
        assertThat(first.content().size()).isEqualTo(DROP_ENTRIES);
        assertThat(unchanged.outcome().kind()).isEqualTo(Kind.NOT_MODIFIED);
        assertThat(unchanged.content()).isSameAs(first.content());
        assertThat(changed.outcome().kind()).isEqualTo(Kind.OK);
        assertThat(changed.content().size()).isEqualTo(800);
        assertThat(missing.outcome().kind()).isEqualTo(Kind.ERROR);
        assertThat(missing.outcome().message()).isEqualTo("feed local: feed file not found: " + file
                + "; keeping the last good content (800 entries, fetched 2025-06-01T00:00:00Z); create it, or correct the feed's url");
        assertThat(missing.content()).isSameAs(changed.content());
    }

    @Test
    void thePlainPathOfAFileIsAFeedToo() throws IOException {
        Path file = Files.write(stateDir.resolve("edrop.txt"), TestFeeds.resource("spamhaus/edrop.txt"));

        FeedRound round = fetcher(feed(file.toString()).build()).round();

        assertThat(round.outcome().kind()).isEqualTo(Kind.OK);
        assertThat(round.content().size()).isPositive();
    }

    @Test
    void theSameBytesAgainFromAServerWithoutValidatorsAreNoChange() throws IOException {
        script("/drop.txt", answer(200, DROP));
        FeedFetcher fetcher = fetcher(feed(server.base() + "/drop.txt").build());
        FeedRound first = fetcher.round();

        FeedRound again = fetcher.round();

        assertThat(again.outcome().kind()).isEqualTo(Kind.NOT_MODIFIED);
        assertThat(again.outcome().message()).isEqualTo("feed test: the same content again at " + server.base() + "/drop.txt");
        assertThat(again.content()).isSameAs(first.content());
        assertThat(again.changed()).isFalse();
    }

    @Test
    void aStixFeedKeepsValidUntilAsExpiryTheMinimumScoreAndTheFeedsCategories() throws IOException {
        String bundle = """
                {"type": "bundle", "id": "bundle--1", "objects": [
                  {"type": "indicator", "spec_version": "2.1", "id": "indicator--1", "pattern_type": "stix",
                   "pattern": "[ipv4-addr:value = '203.0.113.7']", "valid_from": "2025-01-01T00:00:00Z",
                   "valid_until": "2025-07-01T00:00:00Z", "confidence": 80, "indicator_types": ["malicious-activity"]},
                  {"type": "indicator", "spec_version": "2.1", "id": "indicator--2", "pattern_type": "stix",
                   "pattern": "[ipv6-addr:value = '2001:db8::/64']", "valid_from": "2025-01-01T00:00:00Z", "confidence": 30},
                  {"type": "indicator", "spec_version": "2.1", "id": "indicator--3", "pattern_type": "stix",
                   "pattern": "[ipv4-addr:value = '198.51.100.9']", "valid_from": "2025-01-01T00:00:00Z"}
                ]}
                """;
        script("/taxii", answer(200, bundle.getBytes(StandardCharsets.UTF_8)));

        FeedRound round = fetcher(feed(server.base() + "/taxii").minScore(50).categories("c2").build()).round();

        FeedContent content = round.content();
        assertThat(content.format()).isEqualTo(FeedFormat.STIX);
        assertThat(content.size()).isEqualTo(2);
        assertThat(content.belowMinScore()).isEqualTo(1);
        assertThat(content.family(0)).isEqualTo(IpFamily.IPV4);
        assertThat(content.score(0)).isEqualTo(80);
        assertThat(content.expiresEpochSecond(0)).isEqualTo(Instant.parse("2025-07-01T00:00:00Z").getEpochSecond());
        assertThat(content.categories(0)).containsExactly("malicious-activity", "c2");
        assertThat(content.expiresEpochSecond(1)).isZero();
        assertThat(content.categories(1)).containsExactly("c2");
        assertThat(round.outcome().message()).contains(", 1 below min_score 50");
    }

    @Test
    void aCopyFromAnotherUrlStaysInForceButItsValidatorsAreNotSent() throws IOException {
        script("/old.txt", answer(200, DROP, "ETag", "\"old-1\"", "Last-Modified", "Sun, 01 Jun 2025 00:00:00 GMT"));
        script("/new.txt", answer(500, new byte[0]));
        fetcher(feed(server.base() + "/old.txt").name("drop").build()).round();

        FeedRound moved = fetcher(feed(server.base() + "/new.txt").name("drop").build()).round();

        assertThat(requests.getLast().containsKey("If-None-Match")).isFalse();
        assertThat(requests.getLast().containsKey("If-Modified-Since")).isFalse();
        assertThat(moved.content().size()).isEqualTo(DROP_ENTRIES);
        assertThat(moved.outcome().message()).contains("keeping the last good content (1360 entries, fetched 2025-06-01T00:00:00Z from "
                + server.base() + "/old.txt)");
    }

    @Test
    void goodContentThatCannotBeSavedIsInForceAndTheStatusSaysSo() throws IOException {
        script("/drop.txt", answer(200, DROP));
        FeedFetcher fetcher = fetcher(feed(server.base() + "/drop.txt").name("drop").build());
        // a directory where the body must go: the rename of the download fails
        Path blocker = stateDir.resolve("feeds/drop/body-" + LastGood.sha256(DROP).substring(0, 16));
        Files.createDirectories(blocker);
        Files.writeString(blocker.resolve("in-the-way"), "x");

        FeedRound round = fetcher.round();

        assertThat(round.outcome().kind()).isEqualTo(Kind.OK);
        assertThat(round.content().size()).isEqualTo(DROP_ENTRIES);
        assertThat(round.status().error()).contains("but could not save the last good copy in " + stateDir.resolve("feeds/drop"))
                .endsWith("check free space and permissions, or a restart falls back to the older copy");
        assertThat(new LastGood(stateDir, "drop").metadata()).isEmpty();
    }

    @Test
    void refusesFeedsThatCannotBeFetchedOnASchedule() {
        assertThatThrownBy(() -> fetcher(feed("-").build())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("feed test: standard input ('-') cannot be fetched again and again; give a path or a URL");
        assertThatThrownBy(() -> fetcher(feed(server.base() + "/x").header("Host", "evil.example").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("feed test: header 'Host' cannot be sent").hasMessageNotContaining("evil.example");
    }

    private FeedFetcher fetcher(FeedConfig config) throws IOException {
        return new FeedFetcher(config, stateDir, http, clock, sleeps::add, TestFeeds.fixedRandom(0.5));
    }

    private record Answer(int status, byte[] body, String... headers) {
    }

    private static Answer answer(int status, byte[] body, String... headers) {
        return new Answer(status, body, headers);
    }

    /** Serves {@code path} with the answers in turn, the last one again and again, recording each request's headers. */
    private void script(String path, Answer... answers) {
        List<Answer> script = List.of(answers);
        int[] served = {0};
        server.handle(path, (HttpExchange exchange) -> {
            requests.add(exchange.getRequestHeaders());
            Answer answer;
            synchronized (served) {
                answer = script.get(Math.min(served[0]++, script.size() - 1));
            }
            LocalFeedServer.respond(exchange, answer.status(), answer.body(), answer.headers());
        });
    }

    /** The comment header of a FireHOL set and its first {@code count} entries. */
    private static byte[] firstEntries(byte[] set, int count) {
        StringBuilder cut = new StringBuilder();
        int entries = 0;
        for (String line : new String(set, StandardCharsets.US_ASCII).split("\n")) {
            boolean entry = !line.startsWith("#") && !line.isBlank();
            if (entry && entries++ == count) {
                break;
            }
            cut.append(line).append('\n');
        }
        return cut.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
