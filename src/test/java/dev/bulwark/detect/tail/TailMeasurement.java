package dev.bulwark.detect.tail;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Measures {@link FileFollower}: (a) throughput reading a file of sshd lines from its start,
 * and (b) the delay from an append (a write by another thread, straight to the file) to the
 * line's delivery by the running follower, woken by inotify, over many appends one at a time;
 * then the same while a second file of the same follower takes 100 lines every 2 ms (about
 * 40,000 lines/s).
 * Run (from the project directory):
 *
 * <pre>
 * ./mvnw -q -o test-compile
 * ./mvnw -q -o dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.bulwark.detect.tail.TailMeasurement [lines] [appends]
 * </pre>
 */
public final class TailMeasurement {
    private static final String LINE = "Mar  1 10:00:00 web1 sshd[4242]: Failed password for invalid user admin from 203.0.113.%d port %d ssh2\n";

    private TailMeasurement() {
    }

    public static void main(String[] arguments) throws Exception {
        int lines = arguments.length > 0 ? Integer.parseInt(arguments[0]) : 500_000;
        int appends = arguments.length > 1 ? Integer.parseInt(arguments[1]) : 500;
        Path work = Files.createTempDirectory("bulwark-tail-measure");
        try {
            measureThroughput(work, lines, 5);
            measureLatency(work.resolve("quiet"), appends, false, false);
            measureLatency(work.resolve("busy"), appends, true, false);
            measureLatency(work.resolve("polled"), appends, false, true);
        } finally {
            deleteTree(work);
        }
    }

    private static void measureThroughput(Path work, int lines, int rounds) throws IOException {
        Path log = work.resolve("auth.log");
        try (OutputStream output = new BufferedOutputStream(Files.newOutputStream(log), 1 << 16)) {
            for (int i = 0; i < lines; i++) {
                output.write(String.format(LINE, i % 250, 1024 + i % 60000).getBytes(StandardCharsets.UTF_8));
            }
        }
        long bytes = Files.size(log);
        System.out.printf("throughput: %,d lines, %,d bytes, read from the start, %d rounds (the file is in the page cache)%n", lines, bytes, rounds);
        for (int round = 1; round <= rounds; round++) {
            Path state = work.resolve("state-" + round);
            AtomicLong count = new AtomicLong();
            AtomicLong length = new AtomicLong();
            LineSink sink = (source, origin, line, time) -> {
                count.incrementAndGet();
                length.addAndGet(line.length());
            };
            long start = System.nanoTime();
            try (FileFollower follower = new FileFollower(List.of(new FileSource("sshd", List.of(log.toString()), true)), state, sink,
                    TailSettings.DEFAULTS, Clock.systemUTC())) {
                while (follower.poll()) {
                    // reads on until every line is delivered
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (count.get() != lines) {
                throw new IllegalStateException("delivered " + count.get() + " lines of " + lines);
            }
            System.out.printf("  round %d: %.3f s, %,.0f lines/s, %.0f MB/s%n", round, seconds, lines / seconds, bytes / seconds / 1e6);
        }
    }

    /**
     * Appends one line at a time, each carrying the {@code nanoTime} just before its write, and
     * waits for its delivery before the next (with a pause of 2 to 6 ms between, so that appends
     * do not line up with anything; without inotify, of 0 to the poll interval). With {@code busy}, another thread appends to a second file
     * of the same follower all the while. With {@code pollOnly}, the follower is not started:
     * a loop here looks every poll interval, as the follower's thread does where inotify
     * reports nothing (a network file system).
     */
    private static void measureLatency(Path work, int appends, boolean busy, boolean pollOnly) throws Exception {
        Files.createDirectories(work);
        Path log = work.resolve("auth.log");
        Path other = work.resolve("access.log");
        Files.createFile(log);
        Files.createFile(other);
        BlockingQueue<Long> delays = new ArrayBlockingQueue<>(appends);
        AtomicLong busyLines = new AtomicLong();
        LineSink sink = (source, origin, line, time) -> {
            if (source.equals("busy")) {
                busyLines.incrementAndGet();
                return;
            }
            long now = System.nanoTime();
            delays.add(now - Long.parseLong(line.substring(line.lastIndexOf(' ') + 1)));
        };
        AtomicBoolean stop = new AtomicBoolean();
        Thread noise = new Thread(() -> appendFast(other, stop), "busy-writer");
        long[] measured = new long[appends];
        try (FileFollower follower = new FileFollower(List.of(new FileSource("sshd", List.of(log.toString()), false),
                new FileSource("busy", List.of(other.toString()), false)), work.resolve("state"), sink, TailSettings.DEFAULTS, Clock.systemUTC());
             FileOutputStream output = new FileOutputStream(log.toFile(), true)) {
            Thread poller = new Thread(() -> pollEvery(follower, stop), "poll-only");
            if (pollOnly) {
                poller.setDaemon(true);
                poller.start();
            } else {
                follower.start();
            }
            Thread.sleep(500);
            if (busy) {
                noise.start();
            }
            Random random = new Random(5);
            for (int i = 0; i < appends; i++) {
                // without inotify, a pause that always followed a look would always wait nearly a whole interval
                Thread.sleep(pollOnly ? random.nextInt((int) TailSettings.DEFAULTS.pollInterval().toMillis()) : 2 + random.nextInt(5));
                byte[] line = ("Failed password for root from 203.0.113.7 port 22 ssh2 at " + System.nanoTime() + "\n").getBytes(StandardCharsets.UTF_8);
                output.write(line);
                output.flush();
                Long delay = delays.poll(5, TimeUnit.SECONDS);
                if (delay == null) {
                    throw new IllegalStateException("append " + i + " was not delivered within 5 s");
                }
                measured[i] = delay;
            }
            stop.set(true);
            if (pollOnly) {
                poller.join();
            }
        } finally {
            stop.set(true);
            if (busy) {
                noise.join();
            }
        }
        Arrays.sort(measured);
        System.out.printf("latency append -> delivery, %d appends%s%s: median %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n", appends,
                busy ? String.format(" while another file of the follower took %,d lines", busyLines.get()) : "",
                pollOnly ? ", without inotify (a look every " + TailSettings.DEFAULTS.pollInterval().toMillis() + " ms)" : "",
                millis(measured, 0.50), millis(measured, 0.90), millis(measured, 0.99), measured[appends - 1] / 1e6);
    }

    private static void pollEvery(FileFollower follower, AtomicBoolean stop) {
        try {
            while (!stop.get()) {
                follower.poll();
                Thread.sleep(TailSettings.DEFAULTS.pollInterval().toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void appendFast(Path file, AtomicBoolean stop) {
        byte[] block = String.format(LINE, 9, 4000).repeat(100).getBytes(StandardCharsets.UTF_8);
        try (FileOutputStream output = new FileOutputStream(file.toFile(), true)) {
            while (!stop.get()) {
                output.write(block);
                Thread.sleep(2);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static double millis(long[] sorted, double quantile) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] / 1e6;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

}
