package dev.bulwark.feed;

import static dev.bulwark.feed.TestFeeds.feed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.feed.FeedOutcome.Kind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

class FeedSchedulerTest {
    private static final Instant START = Instant.parse("2025-06-01T00:00:00Z");
    private static final byte[] DROP = TestFeeds.resource("spamhaus/drop.txt");

    @TempDir
    Path stateDir;

    private final ManualClock clock = new ManualClock(START);
    private final ManualScheduledExecutor executor = new ManualScheduledExecutor(clock);
    private final Random random = TestFeeds.fixedRandom(0.5);
    private final List<String> told = Collections.synchronizedList(new ArrayList<>());
    private final LocalFeedServer server = new LocalFeedServer().start();
    private final HttpClient http = FeedReader.defaultHttpClient(Duration.ofSeconds(5));

    FeedSchedulerTest() throws IOException {
    }

    @AfterEach
    void stop() {
        server.close();
        http.shutdownNow();
    }

    @Test
    void runsEveryFeedAtStartThenOnItsOwnIntervalPlusJitter() throws IOException {
        FeedConfig often = feed(file("often.txt").toString()).name("often").every(Duration.ofMinutes(10)).jitter(Duration.ofMinutes(1)).build();
        FeedConfig hourly = feed(file("hourly.txt").toString()).name("hourly").every(Duration.ofHours(1)).build();
        FeedScheduler scheduler = scheduler(List.of(fetcher(often), fetcher(hourly)), recording());

        scheduler.start();
        executor.advance(Duration.ZERO);
        List<FeedStatus> afterStart = scheduler.statuses();
        executor.advance(Duration.ofHours(1));

        // every 10 minutes plus half of the 1 minute jitter (the random draw is fixed at 0.5)
        assertThat(told).containsExactly(
                "00:00 often ok changed", "00:00 hourly ok changed",
                "00:10:30 often not-modified", "00:21 often not-modified", "00:31:30 often not-modified",
                "00:42 often not-modified", "00:52:30 often not-modified", "01:00 hourly not-modified");
        assertThat(afterStart).extracting(FeedStatus::nextTry)
                .containsExactly(START.plus(Duration.ofSeconds(630)), START.plus(Duration.ofHours(1)));
        assertThat(scheduler.statuses()).extracting(FeedStatus::entries).containsExactly(1360L, 1360L);
        assertThat(scheduler.statuses()).extracting(FeedStatus::lastResult).containsOnly("not-modified");
    }

    @Test
    void triesAFailingFeedSoonerWithABackoffCappedAtItsInterval() throws IOException {
        Path missing = stateDir.resolve("later.txt");
        FeedConfig config = feed(missing.toString()).name("later").every(Duration.ofMinutes(10)).build();
        FeedScheduler scheduler = scheduler(List.of(fetcher(config)), recording());

        scheduler.start();
        executor.advance(Duration.ofMinutes(35));
        Files.write(missing, DROP);
        executor.advance(Duration.ofMinutes(20));

        // 1, 2, 4 and 8 minutes after failures, then no later than every 10 minutes; after a success, every 10 minutes
        assertThat(told).containsExactly("00:00 later error", "00:01 later error", "00:03 later error", "00:07 later error",
                "00:15 later error", "00:25 later error", "00:35 later error", "00:45 later ok changed", "00:55 later not-modified");
        assertThat(scheduler.statuses().getFirst().consecutiveFailures()).isZero();
    }

    @Test
    void theWaitIsTheIntervalPlusJitterOrAfterFailuresADoublingBackoffWithLessJitter() throws IOException {
        FeedConfig config = feed("/nowhere").every(Duration.ofHours(12)).jitter(Duration.ofHours(1)).build();
        FeedScheduler scheduler = scheduler(List.of(), FeedListener.NONE);

        assertThat(scheduler.nextDelay(config, 0)).isEqualTo(Duration.ofMinutes(12 * 60 + 30));
        // jitter at most half the backoff: a retry one minute later must not wait an extra half hour
        assertThat(scheduler.nextDelay(config, 1)).isEqualTo(Duration.ofSeconds(60 + 15));
        assertThat(scheduler.nextDelay(config, 2)).isEqualTo(Duration.ofSeconds(120 + 30));
        assertThat(scheduler.nextDelay(config, 10)).isEqualTo(Duration.ofMinutes(512 + 30));
        assertThat(scheduler.nextDelay(config, 11)).isEqualTo(Duration.ofMinutes(12 * 60 + 30));
        assertThat(scheduler.nextDelay(config, 1000)).isEqualTo(Duration.ofMinutes(12 * 60 + 30));
    }

    @Test
    void whatOneFeedThrowsStopsNeitherItsScheduleNorTheOthers() throws IOException {
        server.handle("/busy", exchange -> LocalFeedServer.respond(exchange, 503, new byte[0]));
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger defects = new AtomicInteger();
        // a round that throws an Error (it escapes the fetcher), and one that throws a RuntimeException (the fetcher reports it)
        FeedFetcher fatal = new FeedFetcher(feed(server.base() + "/busy").name("fatal").every(Duration.ofMinutes(5)).retries(1).build(),
                stateDir, http, clock, duration -> {
                    errors.incrementAndGet();
                    throw new AssertionError("simulated failure");
                }, random);
        FeedFetcher defect = new FeedFetcher(feed(server.base() + "/busy").name("defect").every(Duration.ofMinutes(5)).retries(1).build(),
                stateDir, http, clock, duration -> {
                    defects.incrementAndGet();
                    throw new IllegalStateException("simulated defect");
                }, random);
        FeedFetcher loud = fetcher(feed(file("loud.txt").toString()).name("loud").every(Duration.ofMinutes(5)).build());
        FeedFetcher quiet = fetcher(feed(file("quiet.txt").toString()).name("quiet").every(Duration.ofMinutes(5)).build());
        FeedListener listener = (feed, round) -> {
            recording().onRound(feed, round);
            if (feed.name().equals("loud")) {
                throw new IllegalStateException("a listener that fails");
            }
        };
        List<String> defectMessages = Collections.synchronizedList(new ArrayList<>());
        FeedScheduler scheduler = scheduler(List.of(fatal, defect, loud, quiet), (feed, round) -> {
            if (feed.name().equals("defect")) {
                defectMessages.add(round.outcome().message());
            }
            listener.onRound(feed, round);
        });

        scheduler.start();
        executor.advance(Duration.ofMinutes(10));

        assertThat(told).filteredOn(line -> line.contains("loud")).hasSize(3);
        assertThat(told).filteredOn(line -> line.contains("quiet")).hasSize(3);
        // the Error: never told (the round did not finish), tried again after 1, 2 and 4 minutes, then capped at 5
        assertThat(errors).hasValue(4);
        assertThat(told).noneMatch(line -> line.contains("fatal"));
        // the RuntimeException: an error outcome, with backoff 1, 2, 4 minutes, then capped at 5
        assertThat(told).filteredOn(line -> line.contains("defect"))
                .containsExactly("00:00 defect error", "00:01 defect error", "00:03 defect error", "00:07 defect error");
        assertThat(defects).hasValue(4);
        assertThat(defectMessages.getFirst()).startsWith("feed defect: unexpected failure fetching " + server.base()
                + "/busy: java.lang.IllegalStateException: simulated defect;").endsWith("this is a defect in bulwark: please report it with the log");
        assertThat(executor.pending()).isEqualTo(4);
    }

    @Test
    void runOnceRunsEveryFeedOnceAndReturnsTheirRoundsInOrder() throws Exception {
        server.handle("/drop.txt", exchange -> LocalFeedServer.respond(exchange, 200, DROP));
        server.handle("/down", exchange -> LocalFeedServer.respond(exchange, 500, new byte[0]));
        FeedScheduler scheduler = scheduler(List.of(
                fetcher(feed(server.base() + "/drop.txt").name("web").build()),
                fetcher(feed(server.base() + "/down").name("down").build()),
                fetcher(feed(file("local.txt").toString()).name("local").build())), recording());

        List<FeedRound> rounds = scheduler.runOnce();

        assertThat(rounds).extracting(round -> round.status().name()).containsExactly("web", "down", "local");
        assertThat(rounds).extracting(round -> round.outcome().kind()).containsExactly(Kind.OK, Kind.HTTP_STATUS, Kind.OK);
        assertThat(rounds.get(1).content()).isNull();
        assertThat(told).containsExactlyInAnyOrder("00:00 web ok changed", "00:00 down http-status", "00:00 local ok changed");
        assertThat(scheduler.statuses()).extracting(FeedStatus::lastResult).containsExactly("ok", "http-status", "ok");
        assertThat(executor.pending()).as("runOnce starts no schedule").isZero();
    }

    @Test
    void roundsRunOnNamedDaemonThreadsUntilClosed() throws Exception {
        FeedConfig config = feed(file("real.txt").toString()).name("real").build();
        CountDownLatch firstRound = new CountDownLatch(1);
        List<String> threads = Collections.synchronizedList(new ArrayList<>());
        FeedScheduler scheduler = FeedScheduler.create(List.of(config), stateDir, (feed, round) -> {
            threads.add(Thread.currentThread().getName() + (Thread.currentThread().isDaemon() ? " daemon" : ""));
            firstRound.countDown();
        }, Clock.systemUTC(), new Random());

        scheduler.start();
        assertThat(firstRound.await(10, TimeUnit.SECONDS)).as("the first round runs at start").isTrue();
        scheduler.close();

        assertThat(threads).containsExactly("bulwark-feed-1 real daemon");
        assertThat(scheduler.statuses().getFirst().lastResult()).isEqualTo("ok");
        assertThat(scheduler.statuses().getFirst().nextTry()).isAfter(Instant.now().plus(Duration.ofMinutes(59)));
        assertThatThrownBy(scheduler::start).isInstanceOf(IllegalStateException.class).hasMessage("the feed scheduler is closed");
    }

    @Test
    void closingStopsTheSchedule() throws IOException {
        FeedScheduler scheduler = scheduler(List.of(fetcher(feed(file("a.txt").toString()).name("a").every(Duration.ofMinutes(1)).build())),
                recording());
        scheduler.start();
        executor.advance(Duration.ofMinutes(2));

        scheduler.close();
        executor.advance(Duration.ofMinutes(10));

        assertThat(told).hasSize(3);
        assertThat(executor.isShutdown()).isTrue();
    }

    private FeedScheduler scheduler(List<FeedFetcher> fetchers, FeedListener listener) {
        return new FeedScheduler(fetchers, listener, clock, random, executor, List.of());
    }

    private FeedFetcher fetcher(FeedConfig config) throws IOException {
        return new FeedFetcher(config, stateDir, http, clock, duration -> clock.advance(duration), random);
    }

    /** Tells each round as {@code "HH:MM[:SS] name result [changed]"}, the time from the manual clock. */
    private FeedListener recording() {
        return (feed, round) -> {
            Duration since = Duration.between(START, clock.instant());
            String time = String.format("%02d:%02d", since.toHours(), since.toMinutesPart())
                    + (since.toSecondsPart() == 0 ? "" : String.format(":%02d", since.toSecondsPart()));
            told.add(time + " " + feed.name() + " " + round.outcome().kind().label() + (round.changed() ? " changed" : ""));
        };
    }

    private Path file(String name) throws IOException {
        return Files.write(stateDir.resolve(name), DROP);
    }
}
