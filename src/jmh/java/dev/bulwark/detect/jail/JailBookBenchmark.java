package dev.bulwark.detect.jail;

import dev.bulwark.detect.Failure;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One failure through {@link JailBook#failure}: 100,000 IPv4 and 10,000 IPv6 offenders (each
 * counted as its /64) in random order, a millisecond apart, sshd's defaults with escalation on,
 * so that offenders are banned, prolonged and banned again; ban counts in memory (the daemon's
 * SQLite file adds a synced write per new ban). Run:
 * {@code ./mvnw -Pjmh -DskipTests package && java -jar target/benchmarks.jar JailBookBenchmark}
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class JailBookBenchmark {
    static final int IPV4_OFFENDERS = 100_000;
    static final int IPV6_OFFENDERS = 10_000;
    static final int FAILURES = 1 << 20;

    Failure[] failures;
    JailBook book;
    int next;
    Instant now;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Random random = new Random(42);
        String[] ids = new String[IPV4_OFFENDERS + IPV6_OFFENDERS];
        for (int index = 0; index < IPV4_OFFENDERS; index++) {
            ids[index] = "10." + (index >> 16) + "." + (index >> 8 & 255) + "." + (index & 255);
        }
        for (int index = 0; index < IPV6_OFFENDERS; index++) {
            ids[IPV4_OFFENDERS + index] = "2001:db8:" + Integer.toHexString(index) + ":1::" + Integer.toHexString(1 + random.nextInt(65_000));
        }
        failures = new Failure[FAILURES];
        Instant start = Instant.parse("2026-11-23T10:00:00Z");
        for (int index = 0; index < FAILURES; index++) {
            failures[index] = new Failure(ids[random.nextInt(ids.length)], start,
                    List.of("sshd[1234]: Failed password for invalid user admin from 10.0.0.1 port 22 ssh2"));
        }
        Increment increment = new Increment(true, 1, List.of(), Duration.ofDays(7), Duration.ZERO, false, Increment.DEFAULT_FORGET_AFTER);
        JailRules rules = new JailRules("sshd", 5, Duration.ofMinutes(10), Duration.ofMinutes(10), dev.bulwark.ip.IpSet.empty(), increment, 64,
                List.of("bruteforce"));
        book = new JailBook(new JailsConfig(List.of(new JailConfig(rules, new JailFilter("sshd", null, Map.of()),
                new JailSource.Journal(List.of()), false)), JailsConfig.defaultRecidive()), new MemoryBanCounts(), new Random(1));
        now = start;
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public List<Ban> failure() {
        Failure failure = failures[next++ & (FAILURES - 1)];
        now = now.plusMillis(1);
        return book.failure("sshd", new Failure(failure.id(), now, failure.lines()), now);
    }
}
