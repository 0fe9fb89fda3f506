package dev.bulwark.detect.tail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

class FileFollowerTest {
    private static final TailSettings SETTINGS = new TailSettings(Duration.ofMillis(250), Duration.ofSeconds(5), Duration.ofSeconds(30),
            1024, 64 * 1024);

    @TempDir
    Path temp;
    Path logs;
    Path state;
    final TestClock clock = new TestClock();
    final RecordingSink sink = new RecordingSink();
    final List<FileFollower> followers = new ArrayList<>();

    @BeforeEach
    void directories() throws IOException {
        logs = Files.createDirectories(temp.resolve("logs"));
        state = temp.resolve("state");
    }

    @AfterEach
    void closeFollowers() throws IOException {
        for (FileFollower follower : followers) {
            follower.close();
        }
    }

    private FileFollower follow(FileSource... sources) throws IOException {
        FileFollower follower = new FileFollower(List.of(sources), state, sink, SETTINGS, clock);
        followers.add(follower);
        return follower;
    }

    private FileFollower follow(String... paths) throws IOException {
        return follow(new FileSource("sshd", List.of(paths), false));
    }

    /** A follower of the one file {@code log}, after its first look at it while it was empty. */
    private FileFollower followingEmpty(Path log) throws IOException {
        append(log, "");
        FileFollower follower = follow(log.toString());
        follower.poll();
        return follower;
    }

    /** The same, after it read {@code text} appended to the file. */
    private FileFollower followingAfter(Path log, String text) throws IOException {
        FileFollower follower = followingEmpty(log);
        append(log, text);
        follower.poll();
        return follower;
    }

    /** Something done to the files while no follower runs. */
    private interface FileChange {
        void run() throws IOException;
    }

    /**
     * A second follower of {@code log} after its first look: the first read {@code before}
     * and stopped, then {@code whileStopped} happened.
     */
    private FileFollower restartedAfter(Path log, String before, FileChange whileStopped) throws IOException {
        followingAfter(log, before).close();
        whileStopped.run();
        FileFollower second = follow(log.toString());
        second.poll();
        return second;
    }

    /** A follower this test does not close: the process dies. */
    private FileFollower crashing(Path log, LineSink lineSink) throws IOException {
        return new FileFollower(List.of(new FileSource("sshd", List.of(log.toString()), false)), state, lineSink, SETTINGS, clock);
    }

    private static void append(Path file, String text) throws IOException {
        append(file, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void append(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void truncate(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(0);
        }
    }

    @Test
    void startsAtTheEndAndDeliversWhatIsAppendedOnce() throws IOException {
        Path log = logs.resolve("auth.log");
        append(log, "before start 1\nbefore start 2\n");
        FileFollower follower = follow(log.toString());

        follower.poll();
        assertThat(sink.take()).isEmpty();
        append(log, "first\nsecond\n");
        follower.poll();
        follower.poll();

        assertThat(sink.takeLines()).containsExactly(
                new RecordingSink.Line("sshd", log.toString(), "first", null),
                new RecordingSink.Line("sshd", log.toString(), "second", null));
    }

    @Test
    void readsExistingLinesWithFromStart() throws IOException {
        Path log = logs.resolve("auth.log");
        append(log, "one\ntwo\n");
        FileFollower follower = follow(new FileSource("sshd", List.of(log.toString()), true));

        follower.poll();

        assertThat(sink.take()).containsExactly("one", "two");
    }

    @Test
    void aLineBeingWrittenAtStartIsDeliveredWholeOnceComplete() throws IOException {
        Path log = logs.resolve("auth.log");
        append(log, "old\nhalf of a li");
        FileFollower follower = follow(log.toString());
        follower.poll();

        append(log, "ne\n");
        follower.poll();

        assertThat(sink.take()).containsExactly("half of a line");
    }

    @Test
    void aPartialLineWaitsForItsNewline() throws IOException {
        Path log = logs.resolve("auth.log");
        FileFollower follower = followingEmpty(log);

        append(log, "Failed password for root from 192.0.2.");
        follower.poll();
        assertThat(sink.take()).isEmpty();
        append(log, "7 port 22\nnext");
        follower.poll();

        assertThat(sink.take()).containsExactly("Failed password for root from 192.0.2.7 port 22");
        assertThat(follower.files()).singleElement().extracting(FileStatus::offset).isEqualTo(48L);
    }

    @Test
    void stripsTheCarriageReturnOfCrlfAndReplacesMalformedUtf8() throws IOException {
        Path log = logs.resolve("access.log");
        FileFollower follower = followingEmpty(log);

        append(log, "caf\u00e9 crlf\r\n".getBytes(StandardCharsets.UTF_8));
        append(log, new byte[] {(byte) 0xff, (byte) 0xc3, 'b', 'a', 'd', '\n', '\r', '\r', '\n', '\n'});
        follower.poll();

        assertThat(sink.take()).containsExactly("caf\u00e9 crlf", "\ufffd\ufffdbad", "\r", "");
    }

    @Test
    void linesAcrossReadBoundariesAndAReadLimitArriveWhole() throws IOException {
        Path log = logs.resolve("big.log");
        StringBuilder text = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 30_000; i++) {
            String line = "line " + i + " from 198.51.100." + (i % 250);
            expected.add(line);
            text.append(line).append('\n');
        }
        append(log, text.toString());
        FileFollower follower = follow(new FileSource("big", List.of(log.toString()), true));

        int polls = 1;
        while (follower.poll()) {
            polls++;
        }

        assertThat(sink.take()).isEqualTo(expected);
        assertThat(polls).as("a look reads at most 64 KiB of the %d bytes", text.length()).isGreaterThan(10);
    }

    @Test
    void anOverlongLineIsCutAndItsRestIsNotDeliveredAsLines() throws IOException {
        Path log = logs.resolve("auth.log");
        FileFollower follower = followingEmpty(log);

        String attack = "x".repeat(1500) + "Failed password for root from 203.0.113.9";
        append(log, attack.substring(0, 700));
        follower.poll();
        append(log, attack.substring(700) + "\nshort\n");
        follower.poll();

        assertThat(sink.take()).containsExactly("x".repeat(1024), "short");
        assertThat(follower.files()).singleElement().extracting(FileStatus::cutLines).isEqualTo(1L);
    }

    @Test
    void renameAndCreateReadsTheOldFileToItsEndBeforeTheNewOneFromItsStart() throws IOException {
        Path log = logs.resolve("auth.log");
        FileFollower follower = followingAfter(log, "a1\n");
        assertThat(sink.take()).containsExactly("a1");

        // written after the last look, then rotated; the new file is already longer than the old offset
        append(log, "a2\na3 unfinished");
        Files.move(log, logs.resolve("auth.log.1"));
        append(log, "b1 in the new file, longer than the whole old one\nb2\n");
        follower.poll();

        assertThat(sink.take()).containsExactly("a2", "b1 in the new file, longer than the whole old one", "b2");
        assertThat(follower.files()).extracting(FileStatus::path, FileStatus::rotated).containsExactly(
                org.assertj.core.groups.Tuple.tuple(logs.resolve("auth.log.1").toString(), true),
                org.assertj.core.groups.Tuple.tuple(log.toString(), false));
    }

    @Test
    void aRotatedFileIsReadUntilItHasBeenQuietForTheGrace() throws IOException {
        Path log = logs.resolve("auth.log");
        FileFollower follower = followingEmpty(log);
        Path rotated = logs.resolve("auth.log.1");
        Files.move(log, rotated);
        append(log, "new 1\n");
        follower.poll();

        // a writer that has not reopened yet still writes to the old file
        clock.advance(Duration.ofSeconds(20));
        append(rotated, "late to the old file\nlast without newline");
        follower.poll();
        clock.advance(Duration.ofSeconds(29));
        follower.poll();
        assertThat(follower.files()).hasSize(2);
        clock.advance(Duration.ofSeconds(1));
        follower.poll();

        assertThat(sink.take()).containsExactly("new 1", "late to the old file", "last without newline");
        assertThat(follower.files()).extracting(FileStatus::path).containsExactly(log.toString());
    }

    @Test
    void copytruncateReadsTheLinesWrittenBeforeTheTruncationFromTheCopy() throws IOException {
        Path log = logs.resolve("auth.log");
        FileFollower follower = followingAfter(log, "a1\n");

        append(log, "a2\n");
        Files.copy(log, logs.resolve("auth.log.1"));
        truncate(log);
        append(log, "b1\n");
        follower.poll();

        assertThat(sink.take()).containsExactly("a1", "a2", "b1");
    }

    @Test
    void copytruncateWithoutACopyStartsAgainAtZero() throws IOException {
        Path log = logs.resolve("auth.log");
        FileFollower follower = followingAfter(log, "a1 a long first line\n");

        truncate(log);
        append(log, "b1\n");
        follower.poll();

        assertThat(sink.take()).containsExactly("a1 a long first line", "b1");
    }

    @Test
    void aTruncatedFileWrittenPastTheOldOffsetBeforeTheNextLookIsToldByItsFirstBytes() throws IOException {
        Path log = logs.resolve("auth.log");
        FileFollower follower = followingAfter(log, "a1\n");

        truncate(log);
        append(log, "b1 longer than everything before\nb2\n");
        follower.poll();

        assertThat(sink.take()).containsExactly("a1", "b1 longer than everything before", "b2");
    }

    @Test
    void aDeletedFileIsReadAgainFromItsStartWhenCreatedAgain() throws IOException {
        Path log = logs.resolve("auth.log");
        FileFollower follower = followingEmpty(log);
        append(log, "a1\n");
        Files.delete(log);
        follower.poll();
        follower.poll();

        append(log, "b1\n");
        follower.poll();

        assertThat(sink.take()).containsExactly("a1", "b1");
    }

    @Test
    void aFileThatAppearsLaterInADirectoryThatAppearsLaterIsReadFromItsStart() throws IOException {
        Path log = logs.resolve("nginx").resolve("error.log");
        FileFollower follower = follow(log.toString());
        follower.poll();

        Files.createDirectories(log.getParent());
        append(log, "e1\ne2\n");
        follower.poll();

        assertThat(sink.take()).containsExactly("e1", "e2");
    }

    @Test
    void aGlobPicksUpNewMatchingFilesAndTellsWhichFileALineCameFrom() throws IOException {
        Path first = logs.resolve("site-a.access.log");
        append(first, "old a\n");
        append(logs.resolve("other.log"), "not matched\n");
        FileFollower follower = follow(logs.resolve("*access.log").toString());
        follower.poll();

        Path second = logs.resolve("site-b.access.log");
        append(second, "b1\n");
        append(first, "a1\n");
        append(logs.resolve("other.log"), "still not matched\n");
        follower.poll();

        assertThat(sink.takeLines()).extracting(RecordingSink.Line::origin, RecordingSink.Line::text).containsExactly(
                org.assertj.core.groups.Tuple.tuple(first.toString(), "a1"),
                org.assertj.core.groups.Tuple.tuple(second.toString(), "b1"));
    }

    @Test
    void aFileRenamedToAnotherMatchingNameIsTheSameFileNotANewOneAndCompressedOnesAreNotRead() throws IOException {
        append(logs.resolve("app.log"), "");
        FileFollower follower = follow(logs.resolve("app*").toString());
        follower.poll();
        append(logs.resolve("app.log"), "a1\n");
        Files.move(logs.resolve("app.log"), logs.resolve("app.log.1"));
        follower.poll();
        append(logs.resolve("app.log.1"), "a2\n");
        append(logs.resolve("app.log.2.gz"), "compressed\n");
        follower.poll();

        assertThat(sink.take()).containsExactly("a1", "a2");
    }

    @Test
    void twoSourcesGetTheirOwnNames() throws IOException {
        Path log = logs.resolve("auth.log");
        append(log, "");
        FileFollower follower = follow(new FileSource("sshd", List.of(log.toString()), false),
                new FileSource("sshd-ddos", List.of(log.toString()), false));
        follower.poll();
        append(log, "l1\n");
        follower.poll();

        assertThat(sink.takeLines()).extracting(RecordingSink.Line::source).containsExactly("sshd", "sshd-ddos");
    }

    @Test
    void aSinkThatThrowsIsCountedAndReadingGoesOn() throws IOException {
        Path log = logs.resolve("auth.log");
        append(log, "");
        List<String> kept = new ArrayList<>();
        FileFollower follower = crashing(log, (source, origin, line, time) -> {
            if (line.startsWith("bad")) {
                throw new IllegalStateException("cannot handle " + line);
            }
            kept.add(line);
        });
        followers.add(follower);
        follower.poll();
        append(log, "bad 1\ngood 1\nbad 2\ngood 2\n");
        follower.poll();

        assertThat(kept).containsExactly("good 1", "good 2");
        assertThat(follower.lines()).isEqualTo(4);
        assertThat(follower.sinkFailures()).isEqualTo(2);
    }

    @Test
    void aRestartResumesAtTheSavedOffsetWithLinesAppendedWhileStopped() throws IOException {
        Path log = logs.resolve("auth.log");
        append(log, "before\n");

        restartedAfter(log, "a1\nhalf", () -> {
            assertThat(sink.take()).containsExactly("a1");
            append(log, " line\na2\n");
        });

        assertThat(sink.take()).containsExactly("half line", "a2");
    }

    @Test
    void aLineCutAtTheLimitIsNeitherDeliveredAgainNorInPiecesAfterARestart() throws IOException {
        Path log = logs.resolve("auth.log");

        restartedAfter(log, "y".repeat(1500), () -> append(log, " Failed password for root from 203.0.113.9\nshort\n"));

        assertThat(sink.take()).containsExactly("y".repeat(1024), "short");
    }

    @Test
    void aRestartAfterARotationWhileStoppedFinishesTheOldFileThenReadsTheNewOne() throws IOException {
        Path log = logs.resolve("auth.log");
        FileFollower second = restartedAfter(log, "a1\n", () -> {
            append(log, "a2 written while stopped\n");
            Files.move(log, logs.resolve("auth.log.1"));
            append(log, "b1 in the file created while stopped, longer than the old\n");
        });

        assertThat(sink.take()).containsExactly("a1", "a2 written while stopped",
                "b1 in the file created while stopped, longer than the old");
        assertThat(second.files()).extracting(FileStatus::rotated).containsExactly(true, false);
    }

    @Test
    void aRestartAfterACopytruncateWhileStoppedReadsTheRestFromTheCopy() throws IOException {
        Path log = logs.resolve("auth.log");
        restartedAfter(log, "a1\n", () -> {
            append(log, "a2\n");
            Files.copy(log, logs.resolve("auth.log-20250301"));
            truncate(log);
            append(log, "b1 after the truncation\n");
        });

        assertThat(sink.take()).containsExactly("a1", "a2", "b1 after the truncation");
    }

    @Test
    void aFileRewrittenInPlaceWhileStoppedIsReadFromItsStart() throws IOException {
        Path log = logs.resolve("auth.log");
        restartedAfter(log, "a1\n", () -> {
            // same inode, other bytes, longer than the saved offset: only the fingerprint tells
            truncate(log);
            append(log, "b1 the new content\nb2\n");
        });

        assertThat(sink.take()).containsExactly("a1", "b1 the new content", "b2");
    }

    @Test
    void aFileCreatedWhileStoppedIsReadFromItsStartButANewlyConfiguredPathFromItsEnd() throws IOException {
        Path glob = logs.resolve("*.access.log");
        Path added = logs.resolve("error.log");
        append(added, "old error\n");
        FileFollower first = follow(glob.toString());
        first.poll();
        first.close();

        append(logs.resolve("new.access.log"), "n1\n");
        append(added, "e1\n");
        FileFollower second = follow(glob.toString(), added.toString());
        second.poll();
        append(added, "e2\n");
        second.poll();

        assertThat(sink.take()).containsExactly("n1", "e2");
    }

    @Test
    void aCrashRedeliversTheLinesSinceTheLastSaveAndNoOthers() throws IOException {
        Path log = logs.resolve("auth.log");
        append(log, "a0\n");
        FileFollower first = crashing(log, sink);
        first.poll();
        append(log, "a1\n");
        first.poll();
        first.save();
        append(log, "a2\n");
        first.poll();
        // no close: the process died here
        assertThat(sink.take()).containsExactly("a1", "a2");

        FileFollower second = follow(log.toString());
        second.poll();

        assertThat(sink.take()).containsExactly("a2");
    }

    @Test
    void offsetsAreNotSavedWhenTheSinksCheckpointFails() throws IOException {
        Path log = logs.resolve("auth.log");
        append(log, "");
        FileFollower first = crashing(log, sink);
        first.poll();
        first.save();
        append(log, "a1\n");
        first.poll();
        sink.failCheckpoint = new IllegalStateException("store unavailable");

        assertThatThrownBy(first::save).isInstanceOf(IOException.class).hasMessageContaining("store unavailable");
        sink.failCheckpoint = null;
        sink.take();
        FileFollower second = follow(log.toString());
        second.poll();

        assertThat(sink.take()).containsExactly("a1");
    }

    @Test
    void savedOffsetsNameTheFileByKeyOffsetAndFingerprint() throws IOException {
        Path log = logs.resolve("auth.log");
        FileFollower follower = followingAfter(log, "a1\n");
        follower.save();

        SavedOffsets saved = SavedOffsets.read(state, "sshd");

        assertThat(saved.paths()).containsExactly(log.toString());
        assertThat(saved.files()).singleElement().satisfies(file -> {
            assertThat(file.path()).isEqualTo(log.toString());
            assertThat(file.key()).isEqualTo(FileKey.stat(log).key());
            assertThat(file.offset()).isEqualTo(3);
            assertThat(file.fingerprint().length()).isEqualTo(3);
        });
        assertThat(Files.list(state.resolve("tail"))).extracting(path -> path.getFileName().toString()).containsExactly("sshd.json");
    }

    @Test
    void unreadableSavedOffsetsFailWithTheFileToRemove() throws IOException {
        Files.createDirectories(state.resolve("tail"));
        Files.writeString(state.resolve("tail").resolve("sshd.json"), "{\"version\": 1, \"files\": [{\"path\": 3}]}");

        assertThatThrownBy(() -> follow(logs.resolve("auth.log").toString()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(state.resolve("tail").resolve("sshd.json").toString())
                .hasMessageContaining("remove the file");
    }

    /** A follower running on its thread that polls only once an hour: what it delivers sooner, inotify woke it for. */
    private FileFollower runningWithoutTimer(Path log) throws Exception {
        TailSettings slowPoll = new TailSettings(Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofSeconds(30), 1024, 64 * 1024);
        FileFollower follower = new FileFollower(List.of(new FileSource("sshd", List.of(log.toString()), false)), state, sink, slowPoll, clock);
        followers.add(follower);
        follower.start();
        // the first look happens on the thread: wait until it has opened the file
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (follower.files().isEmpty()) {
            assertThat(System.nanoTime()).as("the follower opened the file within 10 s").isLessThan(deadline);
            Thread.sleep(1);
        }
        return follower;
    }

    @Test
    void theBackgroundThreadIsWokenByTheChangeNotTheTimer() throws Exception {
        Path log = logs.resolve("auth.log");
        append(log, "");
        FileFollower follower = runningWithoutTimer(log);

        append(log, "woken\n");
        RecordingSink.Line line = sink.lines.poll(10, TimeUnit.SECONDS);

        assertThat(line).isNotNull().extracting(RecordingSink.Line::text).isEqualTo("woken");
        follower.close();
        assertThat(SavedOffsets.read(state, "sshd").files()).singleElement().extracting(SavedOffsets.File::offset).isEqualTo(6L);
    }

    @Test
    void aLinkedFileIsWokenForByChangesInTheDirectoryOfItsTarget() throws Exception {
        Path target = Files.createDirectories(temp.resolve("elsewhere")).resolve("app.log");
        append(target, "");
        Path link = Files.createSymbolicLink(logs.resolve("app.log"), target);
        runningWithoutTimer(link);

        append(target, "through the link\n");
        RecordingSink.Line line = sink.lines.poll(10, TimeUnit.SECONDS);

        assertThat(line).isNotNull().extracting(RecordingSink.Line::text, RecordingSink.Line::origin)
                .containsExactly("through the link", link.toString());
    }

    @Test
    void sourcesAreValidated() {
        assertThatThrownBy(() -> new FileSource("sshd", List.of("var/log/auth.log"), false)).hasMessageContaining("not an absolute path");
        assertThatThrownBy(() -> new FileSource("sshd", List.of("/var/log/*/access.log"), false))
                .hasMessageContaining("wildcards are allowed in the file name only");
        assertThatThrownBy(() -> new FileSource("../x", List.of("/var/log/auth.log"), false)).hasMessageContaining("not a source name");
        assertThatThrownBy(() -> new FileSource("sshd", List.of(), false)).hasMessageContaining("follows no file");
    }
}
