package dev.bulwark.feed;

import static java.util.Objects.requireNonNull;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs every feed on its own interval: the first round at {@link #start}, then every
 * {@code every} plus up to {@code jitter} at random, so that many hosts do not all ask at the
 * same second. After a refused round the feed is tried again sooner: {@link #FAILURE_BACKOFF},
 * doubling with each further failure, never later than {@code every}. Rounds run on named
 * daemon threads, one feed's rounds one after another; whatever a round or the listener throws
 * is logged and the feed keeps its schedule, so one bad feed never stops the others.
 *
 * <p>Every round is told to the {@link FeedListener}, which is where the daemon counts things:
 * this package keeps no metrics.
 */
public final class FeedScheduler implements AutoCloseable {
    public static final Duration FAILURE_BACKOFF = Duration.ofMinutes(1);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);
    private static final int MAX_PARALLEL_ONCE = 8;
    private static final Logger LOG = LoggerFactory.getLogger(FeedScheduler.class);

    /** One feed's fetcher and what the scheduler publishes of it. */
    private static final class Feed {
        final FeedFetcher fetcher;
        volatile FeedStatus status;
        /** Rounds in a row that threw instead of returning: they back off like refused ones. */
        int thrownInARow;

        Feed(FeedFetcher fetcher) {
            this.fetcher = fetcher;
            this.status = fetcher.status();
        }

        String name() {
            return fetcher.config().name();
        }
    }

    private final List<Feed> feeds;
    private final FeedListener listener;
    private final Clock clock;
    private final Random random;
    private final ScheduledExecutorService executor;
    private final List<HttpClient> clients;
    private boolean started;
    private volatile boolean closed;

    /** For tests: the given fetchers on the given executor; {@code clients} are shut down by {@link #close}. */
    FeedScheduler(List<FeedFetcher> fetchers, FeedListener listener, Clock clock, Random random, ScheduledExecutorService executor,
                  List<HttpClient> clients) {
        this.feeds = fetchers.stream().map(Feed::new).toList();
        this.listener = requireNonNull(listener, "listener is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.random = requireNonNull(random, "random is null");
        this.executor = requireNonNull(executor, "executor is null");
        this.clients = List.copyOf(clients);
    }

    /**
     * A scheduler for {@code feeds}, keeping their last good copies under {@code stateDir}, each
     * URL feed with an HTTP client of its own timeout. Nothing runs before {@link #start} or
     * {@link #runOnce}. Throws {@link IllegalArgumentException} for a feed that cannot be
     * scheduled and {@link IOException} when the state directory cannot be made.
     */
    public static FeedScheduler create(List<FeedConfig> feeds, Path stateDir, FeedListener listener, Clock clock, Random random)
            throws IOException {
        List<FeedFetcher> fetchers = new ArrayList<>();
        List<HttpClient> clients = new ArrayList<>();
        try {
            for (FeedConfig feed : feeds) {
                HttpClient http = null;
                if (FeedSource.of(feed.url()).uri() != null) {
                    http = FeedFetcher.httpClient(feed);
                    clients.add(http);
                }
                fetchers.add(new FeedFetcher(feed, stateDir, http, clock, FeedFetcher.Sleeper.REAL, random));
            }
        } catch (IOException | RuntimeException e) {
            clients.forEach(HttpClient::shutdownNow);
            throw e;
        }
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(Math.max(1, feeds.size()), namedDaemonThreads("bulwark-feed-"));
        executor.setRemoveOnCancelPolicy(true);
        return new FeedScheduler(fetchers, listener, clock, random, executor, clients);
    }

    static ThreadFactory namedDaemonThreads(String prefix) {
        AtomicInteger number = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Starts the schedule: every feed's first round now, on the feeds' threads. */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("the feed scheduler is closed");
        }
        if (started) {
            throw new IllegalStateException("the feed scheduler is already started");
        }
        started = true;
        Instant now = clock.instant();
        for (Feed feed : feeds) {
            feed.status = feed.status.withNextTry(now);
            schedule(feed, Duration.ZERO);
        }
    }

    /** Every feed's status, in the order of the configuration. */
    public List<FeedStatus> statuses() {
        List<FeedStatus> statuses = new ArrayList<>(feeds.size());
        for (Feed feed : feeds) {
            statuses.add(feed.status);
        }
        return statuses;
    }

    /**
     * Runs one round of every feed now, several feeds at once, and returns when all are done,
     * rounds in the order of the configuration; each is also told to the listener. For a single
     * cycle ({@code bulwark apply}); it does not start the schedule.
     */
    public List<FeedRound> runOnce() throws InterruptedException {
        if (closed) {
            throw new IllegalStateException("the feed scheduler is closed");
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(feeds.size(), MAX_PARALLEL_ONCE)),
                namedDaemonThreads("bulwark-feed-once-"));
        try {
            List<Callable<FeedRound>> rounds = new ArrayList<>();
            for (Feed feed : feeds) {
                rounds.add(() -> named(feed, () -> {
                    FeedRound round = feed.fetcher.round();
                    return publish(feed, round.withStatus(round.status().withNextTry(feed.status.nextTry())));
                }));
            }
            List<FeedRound> results = new ArrayList<>();
            for (Future<FeedRound> result : pool.invokeAll(rounds)) {
                results.add(result.get());
            }
            return results;
        } catch (ExecutionException e) {
            // round() reports bad feeds as outcomes; what escapes is a defect or an Error
            throw new IllegalStateException("a feed round failed unexpectedly: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Stops the schedule, interrupting rounds under way (their last good content stays on disk). */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("feed rounds still running {} after the stop; they are daemon threads and end with the process", STOP_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clients.forEach(HttpClient::shutdownNow);
    }

    private void schedule(Feed feed, Duration delay) {
        if (closed) {
            return;
        }
        try {
            executor.schedule(() -> tick(feed), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            if (!closed) {
                LOG.error("feed {}: cannot schedule the next round: {}", feed.name(), e.toString());
            }
        }
    }

    /** One scheduled round: never lets anything escape, always schedules the next. */
    private void tick(Feed feed) {
        Duration delay = feed.fetcher.config().every();
        try {
            delay = named(feed, () -> {
                FeedRound round = feed.fetcher.round();
                feed.thrownInARow = 0;
                Duration next = nextDelay(feed.fetcher.config(), round.status().consecutiveFailures());
                publish(feed, round.withStatus(round.status().withNextTry(clock.instant().plus(next))));
                return next;
            });
        } catch (Throwable t) {
            feed.thrownInARow++;
            delay = nextDelay(feed.fetcher.config(), feed.status.consecutiveFailures() + feed.thrownInARow);
            LOG.error("feed {}: the round failed unexpectedly; next try in {}", feed.name(), delay, t);
        } finally {
            schedule(feed, delay);
        }
    }

    /**
     * The wait before the next round after {@code failures} refused rounds in a row: {@code every}
     * plus up to {@code jitter} after a success; after failures {@link #FAILURE_BACKOFF} doubling
     * per failure, capped at {@code every}, plus up to {@code jitter} but no more than half of it.
     */
    Duration nextDelay(FeedConfig feed, int failures) {
        long every = feed.every().toMillis();
        long jitter = feed.jitter().toMillis();
        if (failures == 0) {
            return Duration.ofMillis(every + (long) (random.nextDouble() * jitter));
        }
        long backoff = Math.min(every, FAILURE_BACKOFF.toMillis() << Math.min(failures - 1, 30));
        return Duration.ofMillis(backoff + (long) (random.nextDouble() * Math.min(jitter, backoff / 2)));
    }

    /** Publishes the round's status, logs it and tells the listener; a listener that throws is logged. */
    private FeedRound publish(Feed feed, FeedRound round) {
        feed.status = round.status();
        FeedOutcome outcome = round.outcome();
        switch (outcome.kind()) {
            case OK -> LOG.info("{} in {} ms", outcome.message(), round.duration().toMillis());
            case NOT_MODIFIED -> LOG.debug("{}", outcome.message());
            case ERROR, HTTP_STATUS, EMPTY, GARBAGE, SHRUNK -> LOG.warn("{} (attempts: {})", outcome.message(), outcome.attempts());
        }
        try {
            listener.onRound(feed.fetcher.config(), round);
        } catch (Throwable t) {
            LOG.error("feed {}: the feed listener failed on a round ({}); the feed keeps its schedule", feed.name(), outcome.kind().label(), t);
        }
        return round;
    }

    /** Runs {@code work} with the thread named after the feed, so that a thread dump shows which feed a round is stuck in. */
    private static <T> T named(Feed feed, Callable<T> work) throws Exception {
        Thread thread = Thread.currentThread();
        String name = thread.getName();
        thread.setName(name + " " + feed.name());
        try {
            return work.call();
        } finally {
            thread.setName(name);
        }
    }
}
