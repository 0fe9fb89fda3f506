package dev.bulwark.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import dev.bulwark.cli.ExternalTool;
import dev.bulwark.detect.tail.JournalFiles;
import dev.bulwark.enforce.NetnsLab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Log detection in the daemon as a user runs it, proven with real packets: {@code bulwark run}
 * in network namespace {@code host} follows an sshd log in a temporary directory with jail
 * {@code sshd} (the built-in filter, maxretry 3), and the test appends real-format
 * "Failed password" lines, dated now, for addresses of the peers' namespace, which is joined to
 * the host by a veth pair. What is asserted is what an administrator sees: the nftables sets,
 * whether echo requests are answered, and {@code bulwark explain}.
 *
 * <p>The log is read by one thread, in order. So once a later line has had its effect (a
 * witness's ban), every earlier line has been counted, and "not banned" is then an answer, not
 * an early look.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DaemonDetectNetnsTest {
    private static final String HOST_V4 = "198.51.100.1";
    private static final String HOST_V6 = "2001:db8:77::1";
    /** Never in the log: always passes. */
    private static final String CLEAN_V4 = "198.51.100.2";
    /** Fails its passwords until banned. */
    private static final String ATTACKER_V4 = "198.51.100.66";
    /** Fails three times after the others' lines: its ban shows that the lines before it were read. */
    private static final String WITNESS_V4 = "198.51.100.77";
    /** Fails twice before a restart and once while the daemon is down: banned, since the stop kept its two failures. */
    private static final String SECOND_V4 = "198.51.100.88";
    /** Fails three times while the daemon is down. */
    private static final String LATE_V4 = "198.51.100.99";
    private static final List<String> PEERS = List.of(CLEAN_V4, ATTACKER_V4, WITNESS_V4, SECOND_V4, LATE_V4);
    private static final int API_PORT = 8750;
    private static final Duration DEADLINE = Duration.ofSeconds(15);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** How sshd's syslog lines are dated: local time, no year, the day padded with a blank. */
    private static final DateTimeFormatter SYSLOG_TIME = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ROOT);

    @TempDir
    Path directory;

    private NetnsLab lab;
    private Path stateDir;
    private Path config;
    private Path authLog;
    private int sshdPid = 4000;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void makeLab() throws Exception {
        ExternalTool.assumeInstalled("nft");
        lab = NetnsLab.create(HOST_V4, HOST_V6, 24, PEERS);
        for (String source : PEERS) {
            assertThat(lab.reaches(source)).as("before the daemon runs, %s reaches the host", source).isTrue();
        }
        stateDir = directory.resolve("state");
        config = directory.resolve("bulwark.yml");
        authLog = Files.createDirectories(directory.resolve("log")).resolve("auth.log");
        Files.writeString(authLog, "");
        writeConfig("logpath: [" + authLog + "]");
    }

    /** The daemon's configuration: one jail, sshd, reading {@code source} (YAML keys, one a line). */
    private void writeConfig(String... source) throws IOException {
        Files.writeString(config, """
                state_dir: %s
                api: { listen: 127.0.0.1:%d }
                jails:
                  - name: sshd
                    filter: sshd
                    %s
                    maxretry: 3
                    findtime: 10m
                    bantime: 1h
                enforce:
                  - nftables: { hooks: [input] }
                """.formatted(stateDir, API_PORT, String.join("\n    ", source)));
    }

    @AfterEach
    void deleteLab() throws Exception {
        NetnsDaemon.stopAll(processes, lab);
    }

    @Test
    void theThirdFailedPasswordDropsThePeerAndExplainSaysWhichJailAndWhy() throws Exception {
        NetnsDaemon daemon = start();

        failPasswords(ATTACKER_V4, 2);
        failPasswords(WITNESS_V4, 3);
        awaitKernel(Set.of(WITNESS_V4), daemon);
        assertThat(lab.reaches(ATTACKER_V4)).as("after two failures, one fewer than maxretry").isTrue();
        assertThat(lab.reaches(WITNESS_V4)).as("after the witness's three failures").isFalse();

        String third = failPasswords(ATTACKER_V4, 1);
        awaitKernel(Set.of(WITNESS_V4, ATTACKER_V4), daemon);
        assertThat(lab.received(ATTACKER_V4, 3, 100)).as("replies to 3 echo requests after the third failure").isZero();
        assertThat(lab.reaches(CLEAN_V4)).as("an address that is not in the log").isTrue();
        // written once the ban is published, so maybe after the kernel holds it
        daemon.awaitLog(line -> line.contains(" jail sshd: ban " + ATTACKER_V4 + ":"), DEADLINE);
        assertThat(daemon.lines(line -> line.contains(" jail sshd: ban "))).as(daemon.log()).hasSize(2)
                .last(STRING).contains(" INFO  LogDetection: jail sshd: ban " + ATTACKER_V4 + ": 3 failures in ").endsWith(third.strip());

        Pattern reason = Pattern.compile("3 failures in (\\d+[wdhms])+ \\(1h\\): " + Pattern.quote(third.strip()));
        JsonNode explained = JSON.readTree(explain("--json"));
        assertThat(explained.path("blocked").asBoolean()).as(explained.toString()).isTrue();
        assertThat(explained.path("enforcers").toString()).isEqualTo("[\"nftables\"]");
        assertThat(explained.path("sources")).hasSize(1);
        JsonNode source = explained.path("sources").path(0);
        assertThat(source.path("origin").asString()).isEqualTo("jail:sshd");
        assertThat(source.path("action").asString()).isEqualTo("block");
        assertThat(source.path("reason").asString()).matches(reason);
        String human = explain();
        assertThat(human).as(human).startsWith(ATTACKER_V4 + ": BLOCKED, until ").contains("jail:sshd").contains("3 failures in ")
                .containsPattern("Enforced by: +nftables\n");

        // status, as fail2ban-client status sshd: the log followed, two bans in force, six failures in six lines, none failing now
        ExternalTool.Result status = NetnsDaemon.cli(lab, "status", "--api", "http://127.0.0.1:" + API_PORT, "--token-file",
                stateDir.resolve("api.token").toString());
        assertThat(status.code()).as("bulwark status: %s%s", status.stdout(), status.stderr()).isZero();
        assertThat(status.stdout()).as(status.stdout())
                .containsPattern("Jails:\n +NAME +FAILING +BANNED +FAILURES +BANS +LINES +LOGS\n +sshd +0 +2 +6 +2 +6 +"
                        + Pattern.quote(authLog.toString()) + "\n");
    }

    /**
     * A clean stop and a start again: the ban stays in the kernel throughout and in the
     * decisions after, the log is read on from the offset saved at the stop (not again from its
     * start, not from its end), so what was written meanwhile counts and nothing counts twice,
     * and the failures not yet banned at the stop count on.
     */
    @Test
    void aRestartKeepsTheBanAndReadsOnFromTheOffsetSavedAtTheStop() throws Exception {
        NetnsDaemon daemon = start();
        failPasswords(ATTACKER_V4, 3);
        failPasswords(SECOND_V4, 2);
        failPasswords(WITNESS_V4, 3);
        awaitKernel(Set.of(ATTACKER_V4, WITNESS_V4), daemon);
        long length = Files.size(authLog);

        daemon.process().destroy();
        assertThat(daemon.process().waitFor(30, TimeUnit.SECONDS)).as("the daemon ended after SIGTERM").isTrue();
        assertThat(savedOffset()).as("the offset saved at the stop, of a log of %d bytes", length).isEqualTo(length);
        assertThat(kernelElements()).as("the sets while the daemon is down").containsExactlyInAnyOrder(ATTACKER_V4, WITNESS_V4);
        assertThat(lab.reaches(ATTACKER_V4)).as("the banned address while the daemon is down").isFalse();
        failPasswords(SECOND_V4, 1);
        failPasswords(LATE_V4, 3);

        NetnsDaemon restarted = start();
        assertThat(restarted.lines(line -> line.contains("restored "))).as(restarted.log()).singleElement(STRING)
                .contains("restored 2 decisions from the store (2 bans of jails)");
        assertThat(restarted.lines(line -> line.contains("Reconciler: nftables: "))).as(restarted.log()).first(STRING)
                .contains("nftables: unchanged: 0 added, 0 removed, 0 refreshed, 2 kept; 2 elements");
        awaitKernel(Set.of(ATTACKER_V4, WITNESS_V4, LATE_V4, SECOND_V4), restarted);
        assertThat(lab.reaches(LATE_V4)).as("three failures written while the daemon was down").isFalse();
        assertThat(lab.reaches(SECOND_V4)).as("two failures before the stop (kept over it) and one after").isFalse();
        // the second's two in sshd, and the two bans before the stop as one failure each for the recidive rule
        assertThat(restarted.lines(line -> line.contains("counting on from "))).as(restarted.log()).singleElement(STRING)
                .contains("jails: counting on from 3 offenders' failures not yet banned, kept at the last stop");
        assertThat(lab.reaches(ATTACKER_V4)).as("the ban from before the restart").isFalse();

        JsonNode explained = JSON.readTree(NetnsDaemon.api(lab, stateDir, API_PORT, "GET", "/v1/explain/" + ATTACKER_V4, null).body());
        assertThat(explained.path("sources").path(0).path("origin").asString()).as(explained.toString()).isEqualTo("jail:sshd");
        // the decision kept over the restart, not removed and made again: one entry in its history
        assertThat(explained.path("history")).as(explained.toString()).singleElement()
                .satisfies(entry -> assertThat(entry.path("change").asString()).isEqualTo("created"));
    }

    /**
     * A jail that reads a journal (fail2ban's backend systemd with journalpath): its entries go
     * through the sshd filter's journal variant to a ban in the kernel, and status names the
     * journal it reads. The journal is a real file that systemd-journal-remote writes, read by
     * the real journalctl.
     */
    @Test
    void aJailReadingTheJournalBansTheThirdFailureToo() throws Exception {
        JournalFiles.assumeInstalled();
        Path journal = Files.createDirectories(directory.resolve("journal"));
        Path file = journal.resolve("remote.journal");
        writeConfig("journal: [SYSLOG_IDENTIFIER=sshd]", "journal_path: " + journal, "from_start: true");
        long now = System.currentTimeMillis() / 1000;
        // a first entry before the start, so that the journal file exists when journalctl opens it; from_start reads it
        JournalFiles.append(file, now, 1, "sshd", "Failed password for root from " + ATTACKER_V4 + " port 4242 ssh2");
        NetnsDaemon daemon = start();

        // three of another program's, which the jail's match leaves out: the witness would be banned if they were read
        for (int entry = 2; entry <= 4; entry++) {
            JournalFiles.append(file, now + 1, entry, "cron", "Failed password for root from " + WITNESS_V4 + " port 4242 ssh2");
        }
        JournalFiles.append(file, now + 1, 5, "sshd", "Failed password for root from " + ATTACKER_V4 + " port 4242 ssh2");
        JournalFiles.append(file, now + 2, 6, "sshd", "Failed password for root from " + ATTACKER_V4 + " port 4242 ssh2");
        awaitKernel(Set.of(ATTACKER_V4), daemon);
        assertThat(lab.received(ATTACKER_V4, 3, 100)).as("replies to 3 echo requests after the third failure").isZero();
        // the journal is read in order: by the attacker's ban the witness's entries, before it, were passed over
        assertThat(lab.reaches(WITNESS_V4)).as("three failures in another program's entries").isTrue();
        daemon.awaitLog(line -> line.contains(" jail sshd: ban " + ATTACKER_V4 + ":"), DEADLINE);

        ExternalTool.Result status = NetnsDaemon.cli(lab, "status", "--api", "http://127.0.0.1:" + API_PORT, "--token-file",
                stateDir.resolve("api.token").toString());
        assertThat(status.code()).as("bulwark status: %s%s", status.stdout(), status.stderr()).isZero();
        assertThat(status.stdout()).as(status.stdout()).containsPattern(
                " +sshd +0 +1 +3 +1 +3 +" + Pattern.quote("journal " + journal + " SYSLOG_IDENTIFIER=sshd") + "\n");
    }

    /**
     * Appends {@code times} lines of sshd refusing a password from {@code address}, each a
     * connection of its own and dated now, each in one write as syslog writes it; returns the
     * last.
     */
    private String failPasswords(String address, int times) throws IOException {
        String line = null;
        for (int i = 0; i < times; i++) {
            line = "%s host sshd[%d]: Failed password for root from %s port 4242 ssh2\n".formatted(SYSLOG_TIME.format(ZonedDateTime.now()),
                    sshdPid++, address);
            Files.writeString(authLog, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        }
        return line;
    }

    /** {@code bulwark explain ATTACKER [OPTIONS]}, run as a user would on the daemon's host; its output. */
    private String explain(String... options) throws Exception {
        List<String> arguments = new ArrayList<>(List.of("explain", ATTACKER_V4, "--api", "http://127.0.0.1:" + API_PORT, "--token-file",
                stateDir.resolve("api.token").toString()));
        arguments.addAll(List.of(options));
        ExternalTool.Result result = NetnsDaemon.cli(lab, arguments.toArray(String[]::new));
        assertThat(result.code()).as("bulwark explain: %s%s", result.stdout(), result.stderr()).isZero();
        return result.stdout();
    }

    /** The offset the daemon saved for the log, in {@code state_dir/tail/sshd.json}. */
    private long savedOffset() throws IOException {
        JsonNode saved = JSON.readTree(Files.readString(stateDir.resolve("tail").resolve("sshd.json")));
        assertThat(saved.path("files")).as(saved.toString()).hasSize(1);
        return saved.path("files").path(0).path("offset").asLong(-1);
    }

    private NetnsDaemon start() throws Exception {
        return NetnsDaemon.start(lab, config, API_PORT, processes);
    }

    private void awaitKernel(Set<String> elements, NetnsDaemon daemon) throws Exception {
        daemon.awaitKernel(lab, elements, DEADLINE);
    }

    private Set<String> kernelElements() throws Exception {
        return lab.nftablesElements("bulwark");
    }
}
