package dev.bulwark.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.cli.ExternalTool;
import dev.bulwark.enforce.NetnsLab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon as a user runs it, enforcing through nftables, proven with real packets:
 * {@code bulwark run} is a process inside network namespace {@code daemon}, joined by a veth
 * pair to namespace {@code peers}, whose addresses send echo requests to the daemon's host.
 * Its API listens on that namespace's own loopback, so the requests to it are made from inside
 * the namespace as well ({@link NetnsDaemon}).
 *
 * <p>The addresses are documentation ones (198.51.100.0/24, 2001:db8::/32), not private ones:
 * the default policy protects private ranges, and this test keeps the default policy.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DaemonNftablesNetnsTest {
    private static final String HOST_V4 = "198.51.100.1";
    private static final String HOST_V6 = "2001:db8:77::1";
    /** Listed by no feed: its probes pass unless it is banned by hand. */
    private static final String CLEAN_V4 = "198.51.100.2";
    private static final String CLEAN_V6 = "2001:db8:77::2";
    /** Listed by feed {@code lab} in every test. */
    private static final String LISTED_V4 = "198.51.100.66";
    private static final String LISTED_V6 = "2001:db8:77::66";
    /** Also listed by feed {@code lab}, until a test takes it out. */
    private static final String OTHER_V4 = "198.51.100.77";
    /** Listed by feeds {@code extra-a} and {@code extra-b} only, each by one. */
    private static final String EXTRA_A_V4 = "198.51.100.88";
    private static final String EXTRA_B_V4 = "198.51.100.99";
    private static final List<String> PEERS_V4 = List.of(CLEAN_V4, LISTED_V4, OTHER_V4, EXTRA_A_V4, EXTRA_B_V4);
    private static final List<String> PEERS_V6 = List.of(CLEAN_V6, LISTED_V6);
    private static final int API_PORT = 8750;
    private static final Duration DEADLINE = Duration.ofSeconds(15);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path directory;

    private NetnsLab lab;
    private Path stateDir;
    private Path config;
    private Path labFeed;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void makeLab() throws Exception {
        ExternalTool.assumeInstalled("nft");
        lab = NetnsLab.create(HOST_V4, HOST_V6, 24, concat(PEERS_V4, PEERS_V6));
        for (String source : PEERS_V4) {
            assertThat(lab.reaches(source)).as("before the daemon runs, %s reaches the host", source).isTrue();
        }
        for (String source : PEERS_V6) {
            assertThat(lab.reaches(source)).as("before the daemon runs, %s reaches the host", source).isTrue();
        }
        stateDir = directory.resolve("state");
        config = directory.resolve("bulwark.yml");
        labFeed = directory.resolve("lab.txt");
        writeFeed(labFeed, LISTED_V4, OTHER_V4, LISTED_V6);
        writeFeed(directory.resolve("extra-a.txt"), EXTRA_A_V4);
        writeFeed(directory.resolve("extra-b.txt"), EXTRA_B_V4);
        writeConfig();
    }

    @AfterEach
    void deleteLab() throws Exception {
        NetnsDaemon.stopAll(processes, lab);
    }

    @Test
    void aFeedListingAPeerDropsItsPacketsAndNoOneElses() throws Exception {
        NetnsDaemon daemon = start();

        awaitReaches(LISTED_V4, false, daemon);

        assertThat(lab.reaches(CLEAN_V4)).as("an address no feed lists").isTrue();
        assertThat(lab.reaches(CLEAN_V6)).as("an IPv6 address no feed lists").isTrue();
        assertThat(lab.reaches(OTHER_V4)).as("the feed's second address").isFalse();
        assertThat(lab.reaches(LISTED_V6)).as("the feed's IPv6 address").isFalse();
        assertThat(kernelElements()).containsExactlyInAnyOrder(LISTED_V4, OTHER_V4, LISTED_V6);
    }

    @Test
    void aBanThroughTheApiDropsThePeerAndTheUnbanLetsItThroughAgain() throws Exception {
        NetnsDaemon daemon = start();
        awaitReaches(LISTED_V4, false, daemon);
        assertThat(lab.reaches(CLEAN_V4)).isTrue();

        NetnsDaemon.Answer ban = api("POST", "/v1/decisions", "{\"target\": \"" + CLEAN_V4 + "\", \"reason\": \"netns test\"}");
        assertThat(ban.status()).as(ban.body()).isEqualTo(201);
        awaitReaches(CLEAN_V4, false, daemon);

        JsonNode explained = JSON.readTree(api("GET", "/v1/explain/" + CLEAN_V4, null).body());
        assertThat(explained.path("blocked").asBoolean()).isTrue();
        assertThat(explained.path("enforcers").toString()).isEqualTo("[\"nftables\"]");
        assertThat(explained.path("sources").path(0).path("origin").asString()).isEqualTo("manual");
        assertThat(explained.path("sources").path(0).path("reason").asString()).isEqualTo("netns test");

        NetnsDaemon.Answer unban = api("DELETE", "/v1/decisions?target=" + CLEAN_V4, null);
        assertThat(unban.status()).as(unban.body()).isEqualTo(200);
        awaitReaches(CLEAN_V4, true, daemon);

        JsonNode looked = JSON.readTree(api("GET", "/v1/ip/" + CLEAN_V4, null).body());
        assertThat(looked.path("blocked").asBoolean()).isFalse();
        assertThat(lab.reaches(LISTED_V4)).as("the unban of another address leaves the feed's in force").isFalse();
        assertThat(kernelElements()).containsExactlyInAnyOrder(LISTED_V4, OTHER_V4, LISTED_V6);
    }

    /**
     * Stops the daemon with SIGTERM, starts it again, kills it with SIGKILL and starts it again,
     * while probes from a listed address and from a clean one run throughout. Each time one feed
     * is taken out of the configuration while the daemon is down: that makes the first apply
     * after the restart a real difference (one element out), so its report shows whether the
     * sets were changed by difference or flushed and reloaded. (With nothing changed that apply
     * is not logged at all.)
     */
    @Test
    void restartsAfterSigtermAndSigkillLeaveNoGapAndApplyOnlyTheDifference() throws Exception {
        writeConfig("extra-a", "extra-b");
        NetnsDaemon daemon = start();
        awaitReaches(LISTED_V4, false, daemon);
        awaitKernel(Set.of(LISTED_V4, OTHER_V4, LISTED_V6, EXTRA_A_V4, EXTRA_B_V4), daemon);
        Probe blocked = new Probe(LISTED_V4);
        Probe clean = new Probe(CLEAN_V4);

        daemon = restart(daemon, Stop.SIGTERM, EXTRA_A_V4, "extra-b");
        daemon = restart(daemon, Stop.SIGKILL, EXTRA_B_V4);

        Probe.Count blockedCount = blocked.stop();
        Probe.Count cleanCount = clean.stop();
        assertThat(blockedCount.replies()).as("replies to a listed address over both restarts").isZero();
        assertThat(blockedCount.sent()).as("probes sent from a listed address over both restarts").isGreaterThan(200);
        assertThat(cleanCount.replies()).as("replies to a clean address over both restarts, of %s sent", cleanCount.sent())
                .isGreaterThan(cleanCount.sent() / 2).isGreaterThan(200);
        assertThat(kernelElements()).containsExactlyInAnyOrder(LISTED_V4, OTHER_V4, LISTED_V6);
    }

    enum Stop { SIGTERM, SIGKILL }

    /**
     * Stops {@code daemon} with {@code stop}, checks that the kernel still enforces while it is
     * down, takes the feed listing {@code retired} out of the configuration (leaving
     * {@code extraFeeds}), and starts it again; returns the new daemon once it has had its
     * first feed round.
     */
    private NetnsDaemon restart(NetnsDaemon daemon, Stop stop, String retired, String... extraFeeds) throws Exception {
        Set<String> before = kernelElements();
        switch (stop) {
            case SIGTERM -> daemon.process().destroy();
            case SIGKILL -> daemon.process().destroyForcibly();
        }
        assertThat(daemon.process().waitFor(30, TimeUnit.SECONDS)).as("the daemon ended after %s", stop).isTrue();

        assertThat(kernelElements()).as("the sets while the daemon is down after %s", stop).isEqualTo(before).contains(retired);
        assertThat(lab.reaches(retired)).as("a listed address while the daemon is down after %s", stop).isFalse();

        writeConfig(extraFeeds);
        NetnsDaemon restarted = start();
        List<String> applies = restarted.lines(line -> line.contains("Reconciler: nftables: "));
        assertThat(applies).as(restarted.log()).isNotEmpty();
        assertThat(applies.get(0)).as("the first apply after the restart that followed %s", stop).contains(
                "nftables: incremental: 0 added, 1 removed, 0 refreshed, %d kept; %d elements".formatted(before.size() - 1, before.size() - 1));
        assertThat(lab.reaches(retired)).as("the address of the feed taken out of the configuration").isTrue();
        // the restarted daemon's first feed round is in: the probes still run while it is applied
        awaitLog(restarted, line -> line.contains("feed lab: "));
        assertThat(lab.reaches(OTHER_V4)).as("a listed address after the restart that followed %s", stop).isFalse();
        assertThat(restarted.lines(line -> line.contains("full load"))).as("full loads after the restart that followed %s", stop).isEmpty();
        return restarted;
    }

    @Test
    void anEntryTakenOutOfTheFeedFileIsUnblockedAtTheNextRound() throws Exception {
        NetnsDaemon daemon = start();
        awaitReaches(OTHER_V4, false, daemon);

        writeFeed(labFeed, LISTED_V4, LISTED_V6);

        awaitReaches(OTHER_V4, true, daemon);
        assertThat(lab.reaches(LISTED_V4)).as("the entries still listed").isFalse();
        assertThat(kernelElements()).containsExactlyInAnyOrder(LISTED_V4, LISTED_V6);
        awaitLog(daemon, line -> line.contains("feed lab: ") && line.contains(": 2 entries, 0 new, 0 changed, 1 gone"));
    }

    /** A configuration with feed {@code lab} and the given others (each {@code NAME.txt} in {@link #directory}), fetched every second. */
    private void writeConfig(String... extraFeeds) throws IOException {
        StringBuilder feeds = new StringBuilder("  - { name: lab, url: " + labFeed + ", every: 1s, jitter: 0s }\n");
        for (String name : extraFeeds) {
            feeds.append("  - { name: ").append(name).append(", url: ").append(directory.resolve(name + ".txt"))
                    .append(", every: 1s, jitter: 0s }\n");
        }
        Files.writeString(config, """
                state_dir: %s
                api: { listen: 127.0.0.1:%d }
                feeds:
                %senforce:
                  - nftables: { hooks: [input] }
                """.formatted(stateDir, API_PORT, feeds));
    }

    /** Replaces the feed file at once, so that a round never reads half of it. */
    private static void writeFeed(Path feed, String... entries) throws IOException {
        Path next = feed.resolveSibling(feed.getFileName() + ".next");
        Files.writeString(next, "# the lab's feed\n" + String.join("\n", entries) + "\n");
        Files.move(next, feed, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Starts {@code bulwark run} inside the daemon's namespace; returns once it says it is running (restored, reconciled, API up). */
    private NetnsDaemon start() throws Exception {
        return NetnsDaemon.start(lab, config, API_PORT, processes);
    }

    /** Polls, within {@link #DEADLINE}, until probes from {@code source} reach the host ({@code reaches}) or do not. */
    private void awaitReaches(String source, boolean reaches, NetnsDaemon daemon) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (lab.reaches(source) != reaches) {
            assertThat(System.nanoTime()).as("%s still %s the host after %s; the daemon said:\n%s", source,
                    reaches ? "does not reach" : "reaches", DEADLINE, daemon.log()).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Polls, within {@link #DEADLINE}, until the daemon's sets hold exactly {@code elements}. */
    private void awaitKernel(Set<String> elements, NetnsDaemon daemon) throws Exception {
        daemon.awaitKernel(lab, elements, DEADLINE);
    }

    private static void awaitLog(NetnsDaemon daemon, Predicate<String> wanted) throws InterruptedException {
        daemon.awaitLog(wanted, DEADLINE);
    }

    /** One request to the daemon's API, made from inside its namespace with the token it wrote. */
    private NetnsDaemon.Answer api(String method, String pathAndQuery, String body) throws Exception {
        return NetnsDaemon.api(lab, stateDir, API_PORT, method, pathAndQuery, body);
    }

    /** Every element of the daemon's nftables sets, as Bulwark writes addresses and prefixes. */
    private Set<String> kernelElements() throws Exception {
        return lab.nftablesElements("bulwark");
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /**
     * Echo requests from {@code source} every 10 ms until stopped, over a window whose length
     * the test does not know in advance. With {@code -O} ping writes a line for each request
     * left unanswered as well as for each reply, so the counts are read from its output and it
     * can simply be killed.
     */
    private final class Probe {
        private final Process process;
        private final AtomicInteger replies = new AtomicInteger();
        private final AtomicInteger unanswered = new AtomicInteger();
        private final Thread reader;

        record Count(int sent, int replies) {
        }

        Probe(String source) throws IOException {
            process = new ProcessBuilder("ip", "netns", "exec", lab.attacker, "ping", "-n", "-O", "-i", "0.01", "-W", "1", "-I", source, HOST_V4)
                    .redirectErrorStream(true).start();
            processes.add(process);
            BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            reader = Thread.ofPlatform().daemon(true).name("probe " + source).start(() -> {
                try {
                    for (String line = output.readLine(); line != null; line = output.readLine()) {
                        if (line.contains(" bytes from ")) {
                            replies.incrementAndGet();
                        } else if (line.startsWith("no answer yet")) {
                            unanswered.incrementAndGet();
                        }
                    }
                } catch (IOException e) {
                    // ping is gone
                }
            });
        }

        Count stop() throws InterruptedException {
            assertThat(process.isAlive()).as("ping ended early").isTrue();
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
            reader.join(Duration.ofSeconds(10));
            return new Count(replies.get() + unanswered.get(), replies.get());
        }
    }
}
