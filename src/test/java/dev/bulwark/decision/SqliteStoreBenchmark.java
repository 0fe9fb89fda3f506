package dev.bulwark.decision;

import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpRange;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the SQLite store costs at a million decisions, on a real file:
 *
 * <pre>
 * ./mvnw -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
 * java --enable-native-access=ALL-UNNAMED -cp target/test-classes:target/classes:$(cat target/classpath.txt) \
 *     dev.bulwark.decision.SqliteStoreBenchmark [DIRECTORY]
 * </pre>
 *
 * DIRECTORY (default: a new one under target/) must be on the disk to measure: a tmpfs makes
 * every fsync free. Not a test: surefire runs classes named *Test.
 */
public final class SqliteStoreBenchmark {
    private static final int DECISIONS = 1_000_000;
    private static final int CHURN = DECISIONS / 100;
    private static final int BANS = 100;
    private static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");
    private static final Duration TTL = Duration.ofDays(1);

    private SqliteStoreBenchmark() {
    }

    public static void main(String[] arguments) throws Exception {
        Path directory = arguments.length > 0 ? Path.of(arguments[0]) : Files.createDirectories(Path.of("target"));
        directory = Files.createTempDirectory(directory, "store-benchmark-");
        Path file = directory.resolve("decisions.db");
        System.out.printf("store %s, %d decisions, JDK %s%n", file, DECISIONS, Runtime.version());

        try (SqliteDecisionStore store = SqliteDecisionStore.open(file)) {
            // a feed's first round: a million new addresses, in an order that is not the key's
            List<String> categories = List.of("scanner", "ssh");
            DecisionBatch firstRound = new DecisionBatch(T0, "feed");
            for (int i = 0; i < DECISIONS; i++) {
                firstRound.put(decision("feed-a", address(i), 20 + i % 80, categories, T0), Change.CREATED);
            }
            long start = System.nanoTime();
            long cpu = cpuNanos();
            store.write(firstRound);
            report("write 1,000,000 new decisions in one batch", start, cpu, DECISIONS);
            firstRound = null;

            long allocatedBefore = allocatedBytes();
            long[] seen = new long[1];
            start = System.nanoTime();
            cpu = cpuNanos();
            store.forEach(decision -> seen[0]++);
            report("forEach over " + seen[0] + " decisions", start, cpu, seen[0]);
            System.out.printf("  allocated during forEach: %.0f bytes per decision%n", (allocatedBytes() - allocatedBefore) / (double) seen[0]);

            Instant t1 = T0.plus(Duration.ofHours(1));
            start = System.nanoTime();
            cpu = cpuNanos();
            store.write(new DecisionBatch(t1, "feed").touch("feed-a", t1, T0.plus(TTL), t1.plus(TTL)));
            report("touch of 1,000,000 (last seen and expiry)", start, cpu, DECISIONS);

            Instant t2 = T0.plus(Duration.ofHours(2));
            DecisionBatch churn = new DecisionBatch(t2, "feed");
            for (int i = 0; i < CHURN; i++) {
                churn.put(decision("feed-a", address(DECISIONS + i), 90, categories, t2), Change.CREATED);
                // every 100th of the first round goes
                churn.remove(decision("feed-a", address(i * 100), 20 + (i * 100) % 80, categories, T0), Change.REMOVED);
            }
            start = System.nanoTime();
            cpu = cpuNanos();
            store.write(churn);
            report("1% change: 10,000 puts + 10,000 removals", start, cpu, 2 * CHURN);

            long[] latencies = new long[BANS];
            for (int i = 0; i < BANS; i++) {
                Instant now = t2.plusSeconds(i);
                DecisionBatch ban = new DecisionBatch(now, "alice")
                        .put(new Decision(Decision.MANUAL, single(IpAddress.ipv4(0xcb007100L + i)), Action.BLOCK, Decision.NO_SCORE,
                                List.of(), "manual ban", now, now, null), Change.CREATED);
                start = System.nanoTime();
                store.write(ban);
                latencies[i] = System.nanoTime() - start;
            }
            percentiles("single-decision batch (a manual ban), " + BANS + "x", latencies);

            int entries = 0;
            for (int i = 0; i < BANS; i++) {
                start = System.nanoTime();
                // decisions of the first round, a few removed by the churn
                entries += store.history(address(i * 99), 10).size();
                latencies[i] = System.nanoTime() - start;
            }
            percentiles("history of one address, " + BANS + "x (" + entries + " entries)", latencies);
            System.out.printf("decisions stored: %d%n", store.count());
        }
        System.out.printf("file size after close: %s%n", sizes(directory));
    }

    /** The i-th address: a multiplicative permutation of 11.0.0.0 and up, so that writes land all over the key space. */
    private static IpAddress address(int i) {
        return IpAddress.ipv4(0x0b000000L + ((i * 2_654_435_761L) & 0x00ffffffL) + ((long) (i >>> 24) << 24));
    }

    private static Decision decision(String origin, IpAddress address, int score, List<String> categories, Instant seen) {
        return new Decision(origin, single(address), Action.BLOCK, score, categories, "listed by " + origin, seen, seen, seen.plus(TTL));
    }

    private static IpRange single(IpAddress address) {
        return new IpRange(address, address);
    }

    // CPU time beside wall time: on a shared machine the wall clock also counts other processes' turns
    private static void report(String what, long startNanos, long startCpuNanos, long rows) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double cpuSeconds = (cpuNanos() - startCpuNanos) / 1e9;
        System.out.printf("%-48s %6.2f s wall %6.2f s cpu  %,10.0f rows/s%n", what, seconds, cpuSeconds, rows / seconds);
    }

    private static void percentiles(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("%-48s median %.2f ms, p90 %.2f ms, max %.2f ms%n", what,
                sorted[sorted.length / 2] / 1e6, sorted[sorted.length * 9 / 10] / 1e6, sorted[sorted.length - 1] / 1e6);
    }

    private static long cpuNanos() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static String sizes(Path directory) throws IOException {
        StringBuilder sizes = new StringBuilder();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.sorted().toList()) {
                sizes.append(String.format("%s %.1f MB  ", file.getFileName(), Files.size(file) / 1e6));
            }
        }
        return sizes.toString().trim();
    }
}
