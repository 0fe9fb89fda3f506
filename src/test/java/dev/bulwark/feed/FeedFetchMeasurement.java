package dev.bulwark.feed;

import static dev.bulwark.feed.TestFeeds.feed;

import dev.bulwark.feed.FeedOutcome.Kind;
import dev.bulwark.feed.format.FeedFormat;
import dev.bulwark.feed.format.TextFeedParser;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Measures one round of a 1,000,000-line text feed through {@link FeedFetcher} from a loopback
 * HTTP server, plain and gzip, and the heap its {@link FeedContent} takes. Each round starts on
 * an empty state directory, so that every one downloads, digests, parses and commits the whole
 * feed. Run (from the project directory, after {@code ./mvnw -o test-compile}):
 *
 * <pre>
 * ./mvnw -q -o dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -Xmx2g -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.bulwark.feed.FeedFetchMeasurement [lines] [rounds]
 * </pre>
 */
public final class FeedFetchMeasurement {
    private FeedFetchMeasurement() {
    }

    public static void main(String[] arguments) throws Exception {
        int lines = arguments.length > 0 ? Integer.parseInt(arguments[0]) : 1_000_000;
        int rounds = arguments.length > 1 ? Integer.parseInt(arguments[1]) : 7;
        byte[] plain = feedOf(lines);
        byte[] packed = LocalFeedServer.gzip(plain);
        System.out.printf("feed: %,d lines, %,d bytes plain, %,d bytes gzip; %d rounds each, the first cold%n",
                lines, plain.length, packed.length, rounds);
        Path work = Files.createTempDirectory("bulwark-feed-measure");
        try (LocalFeedServer server = new LocalFeedServer().start()) {
            server.serve("/plain.txt", 200, plain);
            server.serve("/packed.txt", 200, packed, "Content-Encoding", "gzip");
            HttpClient http = FeedReader.defaultHttpClient(Duration.ofSeconds(30));
            measureRounds("plain", server.base() + "/plain.txt", work, http, lines, rounds);
            measureRounds("gzip ", server.base() + "/packed.txt", work, http, lines, rounds);
            http.shutdownNow();
        } finally {
            deleteTree(work);
        }
        measureParseOnly(plain, lines, rounds);
        measureMemory(plain, lines);
    }

    private static void measureRounds(String label, String url, Path work, HttpClient http, int lines, int rounds) throws IOException {
        long[] millis = new long[rounds];
        for (int round = 0; round < rounds; round++) {
            Path stateDir = Files.createTempDirectory(work, "state");
            FeedConfig config = feed(url).name("measure").timeout(Duration.ofSeconds(60)).build();
            FeedFetcher fetcher = new FeedFetcher(config, stateDir, http, Clock.systemUTC(), FeedFetcher.Sleeper.REAL, new Random());
            long started = System.nanoTime();
            FeedRound result = fetcher.round();
            millis[round] = (System.nanoTime() - started) / 1_000_000;
            if (result.outcome().kind() != Kind.OK || result.content().size() != lines) {
                throw new IllegalStateException("unexpected round: " + result.outcome().message());
            }
            deleteTree(stateDir);
        }
        System.out.printf("FeedFetcher.round, %s: first %,d ms; warm: best %,d ms, median %,d ms  %s%n", label, millis[0],
                best(millis), median(millis), Arrays.toString(millis));
    }

    private static void measureParseOnly(byte[] plain, int lines, int rounds) throws IOException {
        long[] millis = new long[rounds];
        for (int round = 0; round < rounds; round++) {
            long started = System.nanoTime();
            parse(plain, lines);
            millis[round] = (System.nanoTime() - started) / 1_000_000;
        }
        System.out.printf("parse only (bytes in memory -> FeedContent): first %,d ms; warm: best %,d ms, median %,d ms%n",
                millis[0], best(millis), median(millis));
    }

    /** Kept in a field so that the content outlives the second heap reading. */
    private static FeedContent held;

    private static void measureMemory(byte[] plain, int lines) throws IOException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = settledHeap(memory);
        held = parse(plain, lines);
        long after = settledHeap(memory);
        System.out.printf("FeedContent of %,d IPv4 entries: estimated %,d bytes (%.2f per entry); heap grew %,d bytes (%.2f per entry)%n",
                held.size(), held.estimatedBytes(), held.estimatedBytes() / (double) held.size(),
                after - before, (after - before) / (double) held.size());
    }

    private static FeedContent parse(byte[] plain, int lines) throws IOException {
        FeedContent.Builder builder = FeedContent.builder(0, List.of());
        new TextFeedParser().parse(new ByteArrayInputStream(plain), builder);
        FeedContent content = builder.build(FeedFormat.TEXT);
        if (content.size() != lines) {
            throw new IllegalStateException("parsed " + content.size() + " entries, not " + lines);
        }
        return content;
    }

    private static long settledHeap(MemoryMXBean memory) {
        for (int run = 0; run < 5; run++) {
            memory.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** {@code lines} distinct IPv4 addresses, one a line, as a plain blocklist has them. */
    private static byte[] feedOf(int lines) {
        StringBuilder text = new StringBuilder(lines * 15);
        text.append("# measurement feed: ").append(lines).append(" addresses\n");
        long address = 0x0B000000L; // 11.0.0.0
        for (int line = 0; line < lines; line++) {
            address += 7;
            text.append((address >>> 24) & 255).append('.').append((address >>> 16) & 255).append('.')
                    .append((address >>> 8) & 255).append('.').append(address & 255).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static long best(long[] millis) {
        return Arrays.stream(millis, Math.min(1, millis.length - 1), millis.length).min().orElseThrow();
    }

    private static long median(long[] millis) {
        long[] warm = Arrays.copyOfRange(millis, Math.min(1, millis.length - 1), millis.length);
        Arrays.sort(warm);
        return warm[warm.length / 2];
    }

    private static void deleteTree(Path root) throws IOException {
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(paths::add);
        }
        for (Path path : paths) {
            Files.deleteIfExists(path);
        }
    }
}
