package dev.bulwark.detect.tail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

class JournalFollowerTest {
    private static final JournalSettings FAST = new JournalSettings("journalctl", List.of(), Duration.ofSeconds(5), Duration.ofSeconds(1),
            Duration.ofSeconds(4));
    private static final JournalSource SSHD = new JournalSource("sshd", List.of("_SYSTEMD_UNIT=ssh.service", "+", "_COMM=sshd"),
            Duration.ZERO);

    @TempDir
    Path temp;
    Path state;
    Path fake;
    final TestClock clock = new TestClock();
    final RecordingSink sink = new RecordingSink();
    final List<Duration> sleeps = new ArrayList<>();

    /**
     * A stand-in for journalctl: run N writes its arguments to {@code args-N}, prints
     * {@code out-N} if there is one, says something on stderr and exits with 1.
     */
    @BeforeEach
    void fakeJournalctl() throws IOException {
        state = temp.resolve("state");
        fake = temp.resolve("journalctl");
        Files.writeString(fake, """
                #!/bin/sh
                dir=$(dirname "$0")
                n=$(cat "$dir/runs" 2>/dev/null || echo 0)
                n=$((n + 1))
                echo "$n" > "$dir/runs"
                printf '%s\\n' "$@" > "$dir/args-$n"
                if [ -f "$dir/out-$n" ]; then cat "$dir/out-$n"; fi
                echo "fake journalctl run $n ends" >&2
                exit 1
                """);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private JournalFollower follower(JournalSource source) throws IOException {
        JournalSettings settings = new JournalSettings(fake.toString(), List.of("--directory=/var/log/journal"), FAST.saveInterval(),
                FAST.firstBackoff(), FAST.maxBackoff());
        return new JournalFollower(source, settings, state, sink, clock, sleeps::add);
    }

    /** A follower of {@code executable} whose waits between runs go to {@code waits}, and whose loop ends at the {@code last}th. */
    private JournalFollower recordingWaits(String executable, List<Duration> waits, int last) throws IOException {
        JournalSettings settings = new JournalSettings(executable, List.of(), FAST.saveInterval(), FAST.firstBackoff(), FAST.maxBackoff());
        return new JournalFollower(SSHD, settings, state, sink, clock, duration -> {
            waits.add(duration);
            if (waits.size() == last) {
                throw new InterruptedException("enough");
            }
        });
    }

    private List<String> arguments(int run) throws IOException {
        return Files.readAllLines(temp.resolve("args-" + run));
    }

    private static String recorded() throws IOException {
        try (InputStream input = JournalFollowerTest.class.getResourceAsStream("journal-entries.json")) {
            return new String(input.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void deliversEachEntryAsFail2bansLineWithItsTimeAndSavesTheCursor() throws Exception {
        String entries = recorded();
        Files.writeString(temp.resolve("out-1"), entries + "not json at all\n");
        JournalFollower follower = follower(SSHD);

        int code = follower.runOnce();

        assertThat(code).isEqualTo(1);
        List<RecordingSink.Line> lines = sink.takeLines();
        assertThat(lines).extracting(RecordingSink.Line::text).containsExactlyElementsOf(JournalEntriesTest.FAIL2BAN_LINES);
        assertThat(lines).extracting(RecordingSink.Line::time).containsExactlyElementsOf(JournalEntriesTest.FAIL2BAN_TIMES);
        assertThat(lines).extracting(RecordingSink.Line::source, RecordingSink.Line::origin).containsOnly(
                org.assertj.core.groups.Tuple.tuple("sshd", "journal"));
        assertThat(follower.badEntries()).isEqualTo(1);
        assertThat(arguments(1)).containsExactly("--follow", "--output=json", "--all", "--no-pager", "--quiet",
                "--directory=/var/log/journal", "--lines=0", "_SYSTEMD_UNIT=ssh.service", "+", "_COMM=sshd");
        String lastCursor = JournalEntriesTest.recordedEntries().getLast().get("__CURSOR").stringValue();
        assertThat(follower.cursor()).isEqualTo(lastCursor);
        assertThat(Files.readString(state.resolve("journal").resolve("sshd.json"))).contains(lastCursor);
        assertThat(sink.checkpoints).isEqualTo(1);
    }

    @Test
    void aRestartStartsAfterTheSavedCursor() throws Exception {
        Files.writeString(temp.resolve("out-1"), recorded());
        follower(SSHD).runOnce();
        String lastCursor = JournalEntriesTest.recordedEntries().getLast().get("__CURSOR").stringValue();

        JournalFollower restarted = follower(SSHD);
        restarted.runOnce();

        assertThat(arguments(2)).contains("--after-cursor=" + lastCursor, "--no-tail").doesNotContain("--lines=0");
    }

    @Test
    void aFirstStartWithALookbackReadsSinceThen() throws Exception {
        JournalFollower follower = follower(new JournalSource("sshd", List.of(), Duration.ofMinutes(10)));

        follower.runOnce();

        long since = clock.instant().minus(Duration.ofMinutes(10)).getEpochSecond();
        assertThat(arguments(1)).endsWith("--directory=/var/log/journal", "--since=@" + since, "--no-tail");
    }

    @Test
    void journalctlIsStartedAgainWithABackoffThatDoublesAndStartsOverAfterARunWithEntries() throws Exception {
        // the third run delivers entries, so the wait after it is the first one again
        Files.writeString(temp.resolve("out-3"), recorded());
        List<Duration> waits = new ArrayList<>();
        JournalFollower follower = recordingWaits(fake.toString(), waits, 7);

        follower.follow();

        assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(4), Duration.ofSeconds(4), Duration.ofSeconds(4));
        assertThat(follower.runs()).isEqualTo(7);
        assertThat(arguments(4)).anySatisfy(argument -> assertThat(argument).startsWith("--after-cursor="));
    }

    @Test
    void aCursorJournalctlKeepsFailingOnGivesWayToTheTimeOfTheLastEntry() throws Exception {
        Files.writeString(temp.resolve("out-1"), recorded());
        List<Duration> waits = new ArrayList<>();
        JournalFollower follower = recordingWaits(fake.toString(), waits, 5);

        follower.follow();

        String lastCursor = JournalEntriesTest.recordedEntries().getLast().get("__CURSOR").stringValue();
        for (int run = 2; run <= 1 + JournalFollower.CURSOR_ATTEMPTS; run++) {
            assertThat(arguments(run)).contains("--after-cursor=" + lastCursor);
        }
        assertThat(arguments(2 + JournalFollower.CURSOR_ATTEMPTS)).contains("--since=@1740823206", "--no-tail")
                .noneSatisfy(argument -> assertThat(argument).startsWith("--after-cursor"));
        assertThat(Files.readString(state.resolve("journal").resolve("sshd.json"))).contains("\"time\" : \"2025-03-01T10:00:06Z\"");
    }

    @Test
    void aMissingJournalctlIsToldAndRetried() throws Exception {
        List<Duration> waits = new ArrayList<>();
        JournalFollower follower = recordingWaits(temp.resolve("no-such-journalctl").toString(), waits, 1);

        assertThatThrownBy(follower::runOnce).isInstanceOf(IOException.class).hasMessageContaining("no-such-journalctl")
                .hasMessageContaining("is systemd's journalctl installed");
        follower.follow();
        assertThat(waits).containsExactly(Duration.ofSeconds(1));
    }

    @Test
    void matchesThatLookLikeOptionsAreRefused() {
        assertThatThrownBy(() -> new JournalSource("sshd", List.of("--file=/etc/shadow"), Duration.ZERO))
                .hasMessageContaining("is not a journal match");
        assertThatThrownBy(() -> new JournalSettings("journalctl", List.of("-D", "/x"), Duration.ZERO, Duration.ofSeconds(1),
                Duration.ofSeconds(1))).hasMessageContaining("starting with --");
    }

    /**
     * The real journalctl following a real journal file, which systemd-journal-remote writes
     * from entries in the journal export format: no journald runs on a build machine.
     */
    @Test
    void followsARealJournalAndResumesAfterItsCursor() throws Exception {
        JournalFiles.assumeInstalled();
        Path journal = Files.createDirectories(temp.resolve("journal"));
        Path file = journal.resolve("remote.journal");
        JournalSettings settings = new JournalSettings("journalctl", List.of("--directory=" + journal), Duration.ZERO,
                Duration.ofMillis(100), Duration.ofSeconds(1));
        // a lookback, not --lines=0, so that what is written before journalctl opens the journal is not missed either
        JournalSource source = new JournalSource("sshd", List.of("SYSLOG_IDENTIFIER=sshd"), Duration.ofHours(1));
        JournalFiles.append(file, 1740823200L + 1, 1, "sshd", "before the start from 192.0.2.1");

        JournalFollower first = new JournalFollower(source, settings, state, sink, clock, JournalFollower.Sleeper.REAL);
        first.start();
        RecordingSink.Line beforeStart = sink.lines.poll(20, TimeUnit.SECONDS);
        JournalFiles.append(file, 1740823200L + 2, 2, "cron", "not matched");
        JournalFiles.append(file, 1740823200L + 3, 3, "sshd", "Failed password for root from 203.0.113.7 port 22 ssh2");
        RecordingSink.Line followed = sink.lines.poll(20, TimeUnit.SECONDS);
        first.close();
        JournalFiles.append(file, 1740823200L + 4, 4, "sshd", "written while stopped from 198.51.100.9");

        JournalFollower second = new JournalFollower(source, settings, state, sink, clock, JournalFollower.Sleeper.REAL);
        second.start();
        RecordingSink.Line afterRestart = sink.lines.poll(20, TimeUnit.SECONDS);
        second.close();

        assertThat(beforeStart).isNotNull().extracting(RecordingSink.Line::text).isEqualTo("web1 sshd[1001]: before the start from 192.0.2.1");
        assertThat(followed).isNotNull();
        assertThat(followed.text()).isEqualTo("web1 sshd[1003]: Failed password for root from 203.0.113.7 port 22 ssh2");
        assertThat(followed.time()).isEqualTo(java.time.Instant.ofEpochSecond(1740823200L + 3));
        assertThat(afterRestart).isNotNull().extracting(RecordingSink.Line::text).isEqualTo("web1 sshd[1004]: written while stopped from 198.51.100.9");
        assertThat(sink.take()).isEmpty();
        assertThat(second.runs()).isEqualTo(1);
    }
}
