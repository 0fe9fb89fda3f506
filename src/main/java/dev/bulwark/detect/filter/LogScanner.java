package dev.bulwark.detect.filter;

import static java.util.Objects.requireNonNull;

import dev.bulwark.detect.LogLines;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs a filter over a whole log (an offline replay: {@code filter-test}, {@code detect}) on
 * every core. A single-line filter's regexes and date need no state, so batches of lines are
 * scanned on worker threads, each with a filter of its own, and the scans are applied in line
 * order on the calling thread, the one filter that keeps the state (dates carried over,
 * multi-line failures merged); the verdicts are those of one filter reading line by line. A
 * filter with {@code maxlines} above one reads on the calling thread alone.
 */
public final class LogScanner {
    private static final int BATCH = 4096;

    /** Receives every line, in order, with what the filter found in it. */
    @FunctionalInterface
    public interface Handler {
        void line(long number, String line, List<Filter.Match> matches, boolean ignored) throws IOException;
    }

    private final FilterDefinition definition;
    private final Supplier<DateFinder> dates;
    private final boolean testMode;
    private final int threads;

    /**
     * {@code dates}: a new date finder for each filter (they keep state); {@code testMode} as in
     * {@link FilterDefinition#newFilter}; {@code threads}: scanning threads, 0 for none.
     */
    public LogScanner(FilterDefinition definition, Supplier<DateFinder> dates, boolean testMode, int threads) {
        this.definition = requireNonNull(definition, "definition is null");
        this.dates = requireNonNull(dates, "dates is null");
        this.testMode = testMode;
        this.threads = threads;
    }

    /** Reads {@code in} to its end; {@code skip} lines (comments) are handed on with no matches and not filtered. */
    public long run(InputStream in, Instant now, java.util.function.Predicate<String> skip, Handler handler) throws IOException {
        Filter filter = definition.newFilter(dates.get(), testMode);
        if (threads <= 0 || definition.maxLines() > 1) {
            return LogLines.read(in, (number, line) -> {
                if (skip.test(line)) {
                    handler.line(number, line, List.of(), false);
                    return;
                }
                List<Filter.Match> matches = filter.processLine(line, now);
                handler.line(number, line, matches, filter.lastLineIgnored());
            });
        }
        AtomicInteger names = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "bulwark-scan-" + names.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        ThreadLocal<Filter> scanners = ThreadLocal.withInitial(() -> definition.newFilter(dates.get(), testMode));
        ArrayDeque<Batch> pending = new ArrayDeque<>();
        int inFlight = threads * 4;
        try {
            Batch[] current = {new Batch(1)};
            long total = LogLines.read(in, (number, line) -> {
                Batch batch = current[0];
                batch.lines[batch.size++] = line;
                if (batch.size == BATCH) {
                    batch.submit(workers, scanners, skip, now);
                    pending.add(batch);
                    current[0] = new Batch(number + 1);
                    while (pending.size() >= inFlight) {
                        apply(pending.poll(), filter, now, handler);
                    }
                }
            });
            if (current[0].size > 0) {
                current[0].submit(workers, scanners, skip, now);
                pending.add(current[0]);
            }
            while (!pending.isEmpty()) {
                apply(pending.poll(), filter, now, handler);
            }
            return total;
        } finally {
            workers.shutdownNow();
        }
    }

    private static void apply(Batch batch, Filter filter, Instant now, Handler handler) throws IOException {
        Filter.Scan[] scans = batch.await();
        for (int index = 0; index < batch.size; index++) {
            Filter.Scan scan = scans[index];
            long number = batch.first + index;
            if (scan == null) {
                handler.line(number, batch.lines[index], List.of(), false);
                continue;
            }
            List<Filter.Match> matches = filter.apply(scan, now);
            handler.line(number, batch.lines[index], matches, filter.lastLineIgnored());
        }
    }

    private static final class Batch {
        final long first;
        final String[] lines = new String[BATCH];
        int size;
        Future<Filter.Scan[]> scans;

        Batch(long first) {
            this.first = first;
        }

        void submit(ExecutorService workers, ThreadLocal<Filter> scanners, java.util.function.Predicate<String> skip, Instant now) {
            scans = workers.submit(() -> {
                Filter scanner = scanners.get();
                Filter.Scan[] result = new Filter.Scan[size];
                for (int index = 0; index < size; index++) {
                    if (!skip.test(lines[index])) {
                        result[index] = scanner.scan(lines[index], now);
                    }
                }
                return result;
            });
        }

        Filter.Scan[] await() throws IOException {
            try {
                return scans.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while scanning the log", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new UncheckedIOException(new IOException(e.getCause()));
            }
        }
    }
}
