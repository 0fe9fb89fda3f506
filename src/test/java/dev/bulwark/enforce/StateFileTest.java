package dev.bulwark.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpSet;
import dev.bulwark.policy.Snapshot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The applied state on disk: whole, then as a journal of changes, read back by a new process (a new StateFile). */
class StateFileTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final String LAYOUT = "test/1";

    @TempDir
    Path directory;

    private static Elements v4(String... entries) {
        return Elements.of(Snapshot.until(IpSet.of(entries), NOW.plusSeconds(3_600)), IpFamily.IPV4, NOW);
    }

    private static Elements v6(String... entries) {
        return Elements.of(Snapshot.of(IpSet.of(entries)), IpFamily.IPV6, NOW);
    }

    private AppliedState readAfresh(Path file) throws Exception {
        return new StateFile(file, false).read().orElseThrow();
    }

    @Test
    void smallChangesGoToTheJournalAndAreReadBackByTheNextProcess() throws Exception {
        Path file = directory.resolve("nftables.state");
        StateFile state = new StateFile(file, false);
        state.save(LAYOUT, v4("192.0.2.1", "192.0.2.3", "198.51.100.0/24"), v6("2001:db8::1"));
        byte[] whole = Files.readAllBytes(file);

        state.save(LAYOUT, v4("192.0.2.1", "192.0.2.5", "198.51.100.0/24"), v6("2001:db8::1", "2001:db8::2"));
        state.save(LAYOUT, v4("192.0.2.5", "198.51.100.0/24", "203.0.113.7"), v6("2001:db8::2"));

        assertThat(Files.readAllBytes(file)).as("the whole state is not rewritten for a small change").isEqualTo(whole);
        assertThat(AppliedState.journalOf(file)).exists();
        AppliedState read = readAfresh(file);
        assertThat(ElementDiffTest.texts(read.ipv4())).isEqualTo(ElementDiffTest.texts(v4("192.0.2.5", "198.51.100.0/24", "203.0.113.7")));
        assertThat(ElementDiffTest.texts(read.ipv6())).containsExactly("2001:db8::2");
        assertThat(read.layout()).isEqualTo(LAYOUT);
    }

    @Test
    void theChangesAnApplyReportsAreWhatTheJournalKeeps() throws Exception {
        Path file = directory.resolve("nftables.state");
        StateFile state = new StateFile(file, false);
        Elements before = v4("192.0.2.1", "192.0.2.3");
        state.save(LAYOUT, before, v6());
        Elements after = v4("192.0.2.3", "192.0.2.9");
        ElementDiff diff4 = ElementDiff.between(before, after, NOW.getEpochSecond(), 5);
        ElementDiff diff6 = ElementDiff.between(v6(), v6(), NOW.getEpochSecond(), 5);

        state.save(LAYOUT, diff4, diff6);

        assertThat(ElementDiffTest.texts(readAfresh(file).ipv4())).isEqualTo(ElementDiffTest.texts(after));
    }

    @Test
    void aTornLastEntryIsPassedOverAndTheNextSaveWritesTheWholeState() throws Exception {
        Path file = directory.resolve("nftables.state");
        StateFile state = new StateFile(file, false);
        state.save(LAYOUT, v4("192.0.2.1"), v6());
        state.save(LAYOUT, v4("192.0.2.1", "192.0.2.2"), v6());
        state.save(LAYOUT, v4("192.0.2.1", "192.0.2.2", "192.0.2.3"), v6());
        Path journal = AppliedState.journalOf(file);
        byte[] bytes = Files.readAllBytes(journal);
        Files.write(journal, Arrays.copyOf(bytes, bytes.length - 3)); // a crash amid the last append

        StateFile next = new StateFile(file, false);
        assertThat(ElementDiffTest.texts(next.read().orElseThrow().ipv4())).isEqualTo(ElementDiffTest.texts(v4("192.0.2.1", "192.0.2.2")));
        next.save(LAYOUT, v4("192.0.2.1", "192.0.2.4"), v6());

        assertThat(journal).as("compacted into the whole state").doesNotExist();
        assertThat(ElementDiffTest.texts(readAfresh(file).ipv4())).isEqualTo(ElementDiffTest.texts(v4("192.0.2.1", "192.0.2.4")));
    }

    @Test
    void aJournalLeftFromAnOlderWholeStateIsNeverReplayedOntoANewerOne() throws Exception {
        Path file = directory.resolve("nftables.state");
        StateFile state = new StateFile(file, false);
        state.save(LAYOUT, v4("192.0.2.1"), v6());
        state.save(LAYOUT, v4("192.0.2.1", "192.0.2.2"), v6());
        byte[] oldJournal = Files.readAllBytes(AppliedState.journalOf(file));
        state.save("test/2", v4("198.51.100.1"), v6()); // another layout: a whole state, the journal removed
        Files.write(AppliedState.journalOf(file), oldJournal); // as if the crash came between the rename and the removal

        AppliedState read = readAfresh(file);

        assertThat(read.layout()).isEqualTo("test/2");
        assertThat(ElementDiffTest.texts(read.ipv4())).isEqualTo(ElementDiffTest.texts(v4("198.51.100.1")));
    }

    @Test
    void aStateWrittenByAnotherProcessIsReadAgainNotTakenFromMemory() throws Exception {
        Path file = directory.resolve("nftables.state");
        StateFile daemon = new StateFile(file, false);
        daemon.save(LAYOUT, v4("192.0.2.1"), v6());
        assertThat(daemon.read()).isPresent();

        new StateFile(file, false).save(LAYOUT, v4("203.0.113.1", "203.0.113.3"), v6());

        assertThat(ElementDiffTest.texts(daemon.read().orElseThrow().ipv4())).isEqualTo(ElementDiffTest.texts(v4("203.0.113.1", "203.0.113.3")));
    }

    @Test
    void aJournalPastAQuarterOfTheWholeStateIsCompacted() throws Exception {
        Path file = directory.resolve("nftables.state");
        StateFile state = new StateFile(file, false);
        IpSet.Builder many = IpSet.builder();
        for (long address = 0x0A000000L; address < 0x0A000000L + 2 * 40_000; address += 2) {
            many.addIpv4(address, address);
        }
        Elements big = Elements.of(Snapshot.of(many.build()), IpFamily.IPV4, NOW);
        state.save(LAYOUT, big, v6());
        // each round changes 3,000 elements' expiry: about 75 kB of journal against 1 MB of whole state
        for (int round = 1; round <= 20; round++) {
            IpSet.Builder changed = IpSet.builder();
            for (long address = 0x0A000000L; address < 0x0A000000L + 2 * 3_000; address += 2) {
                changed.addIpv4(address, address);
            }
            Snapshot snapshot = new Snapshot(many.build().difference(changed.build()), new TreeMap<>(Map.of(NOW.plusSeconds(round * 100L), changed.build())));
            state.save(LAYOUT, Elements.of(snapshot, IpFamily.IPV4, NOW), v6());
            long journalBytes = Files.exists(AppliedState.journalOf(file)) ? Files.size(AppliedState.journalOf(file)) : 0;
            assertThat(journalBytes).as("round %s", round).isLessThanOrEqualTo(Files.size(file) / 4 + 80_000);
        }
        assertThat(readAfresh(file).ipv4().size()).isEqualTo(40_000);
    }
}
