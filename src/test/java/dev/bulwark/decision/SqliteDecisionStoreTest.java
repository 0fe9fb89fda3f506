package dev.bulwark.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpRange;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteDecisionStoreTest {
    private static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");
    private static final Instant T1 = T0.plus(Duration.ofHours(1));
    private static final Instant T2 = T0.plus(Duration.ofHours(2));
    private static final Instant DAY = T0.plus(Duration.ofDays(1));
    private static final Instant WEEK = T0.plus(Duration.ofDays(7));

    @TempDir
    Path directory;
    private Path file;
    private SqliteDecisionStore store;

    @BeforeEach
    void open() throws StoreException {
        file = directory.resolve("state/decisions.db");
        store = SqliteDecisionStore.open(file);
    }

    @AfterEach
    void close() throws StoreException {
        store.close();
    }

    @Test
    void everyFieldComesBackAsWritten() throws StoreException {
        List<Decision> decisions = List.of(
                decision("feed", "192.0.2.1", Action.BLOCK, 85, List.of("scanner"), "listed", DAY),
                decision("feed", "2001:db8::1", Action.MONITOR, 40, List.of(), null, null),
                // a range that is no prefix, in both families
                decision("feed", "192.0.2.3-192.0.2.9", Action.BLOCK, Decision.NO_SCORE, List.of("a,b", "c"), "", WEEK),
                decision("feed", "2001:db8::5-2001:db8::1:7", Action.BLOCK, 0, List.of("ssh"), "r", DAY),
                decision("feed", "0.0.0.0", Action.BLOCK, 100, List.of("x"), null, DAY),
                decision("feed", "255.255.255.255", Action.BLOCK, 100, List.of("x"), null, DAY),
                decision("feed", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Action.BLOCK, 100, List.of("x"), null, DAY),
                decision("feed", "::/0", Action.MONITOR, 1, List.of("x"), null, DAY),
                decision(Decision.MANUAL, "198.51.100.0/24", Action.BLOCK, 90,
                        List.of("Brute-Force, SSH", "ünïcødé 攻撃 🛡", "quote \" back \\ slash", "tab\tnew\nline\u0001", "[\"json\"]", ""),
                        "banned by alice: \"repeated\" ssh, ftp; 🚫", null));
        DecisionBatch batch = new DecisionBatch(T0, "feed");
        decisions.forEach(decision -> batch.put(decision, Change.CREATED));

        store.write(batch);

        assertThat(all(store)).containsExactlyInAnyOrderElementsOf(decisions);
        assertThat(store.count()).isEqualTo(decisions.size());
    }

    @Test
    void categoriesAreStoredAsAJsonArrayThatSqliteItselfReads() throws Exception {
        List<String> categories = List.of("a,b", "quote \" back \\ slash", "tab\tnew\nline\u0001\u001f", "ünïcødé 攻撃 🛡", "", "[]");
        store.write(new DecisionBatch(T0, "feed").put(decision("feed", "192.0.2.1", Action.BLOCK, 50, categories, null, DAY), Change.CREATED));

        List<String> read = new ArrayList<>();
        try (Connection connection = connect(file); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT value FROM decisions, json_each(decisions.categories) ORDER BY key")) {
            while (result.next()) {
                read.add(result.getString(1));
            }
        }
        assertThat(read).isEqualTo(categories);
    }

    @Test
    void theStoreIsAFileOfMode0600InAPrivateDirectoryInWalMode() throws Exception {
        store.write(new DecisionBatch(T0, "feed").put(decision("feed", "192.0.2.1"), Change.CREATED));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.resolveSibling("decisions.db-wal")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        try (Connection connection = connect(file); Statement statement = connection.createStatement()) {
            assertThat(single(statement, "PRAGMA journal_mode")).isEqualTo("wal");
        }
    }

    @Test
    void aPutReplacesTheDecisionOfItsKeyWithTheFirstSeenItCarries() throws StoreException {
        store.write(new DecisionBatch(T0, "feed").put(decision("feed", "192.0.2.1", Action.BLOCK, 50, List.of("a"), "old", DAY), Change.CREATED));
        Decision replacement = new Decision("feed", IpRange.parse("192.0.2.1"), Action.MONITOR, 70, List.of("b"), "new", T1, T2, WEEK);

        store.write(new DecisionBatch(T2, "feed").put(replacement, Change.CHANGED));

        assertThat(all(store)).containsExactly(replacement);
    }

    @Test
    void theSameTargetFromTwoOriginsIsTwoDecisionsAndARemovalTakesOnlyItsOwn() throws StoreException {
        Decision fromFeed = decision("feed", "192.0.2.1");
        Decision manual = decision(Decision.MANUAL, "192.0.2.1");
        Decision other = decision("feed", "192.0.2.2");
        store.write(new DecisionBatch(T0, "feed").put(fromFeed, Change.CREATED).put(manual, Change.CREATED).put(other, Change.CREATED));

        store.write(new DecisionBatch(T1, "alice").remove(manual, Change.REMOVED));

        assertThat(all(store)).containsExactlyInAnyOrder(fromFeed, other);
    }

    @Test
    void aTouchMarksEveryDecisionOfItsOriginSeenAndMovesOnlyThoseExpiringAtTheGivenTime() throws StoreException {
        Decision a = decision("feed", "192.0.2.1", DAY);
        Decision b = decision("feed", "2001:db8::/48", DAY);
        Decision later = decision("feed", "192.0.2.2", WEEK);
        Decision never = decision("feed", "192.0.2.3", null);
        Decision otherOrigin = decision("other", "192.0.2.1", DAY);
        store.write(new DecisionBatch(T0, "feed").put(a, Change.CREATED).put(b, Change.CREATED)
                .put(later, Change.CREATED).put(never, Change.CREATED).put(otherOrigin, Change.CREATED));
        List<HistoryEntry> historyBefore = store.history(IpAddress.parse("192.0.2.1"), 100);
        Instant newExpiry = T1.plus(Duration.ofDays(1));

        store.write(new DecisionBatch(T1, "feed").touch("feed", T1, DAY, newExpiry));

        assertThat(all(store)).containsExactlyInAnyOrder(
                seen(a, T1, newExpiry), seen(b, T1, newExpiry), seen(later, T1, WEEK), seen(never, T1, null), otherOrigin);
        assertThat(store.history(IpAddress.parse("192.0.2.1"), 100)).as("a touch records no history").isEqualTo(historyBefore);
    }

    @Test
    void aTouchWithoutExpiriesMovesTheDecisionsThatNeverExpireAndCanMakeOthersNeverExpire() throws StoreException {
        Decision never = decision("feed", "192.0.2.3", null);
        Decision expiring = decision("feed", "192.0.2.4", DAY);
        store.write(new DecisionBatch(T0, "feed").put(never, Change.CREATED).put(expiring, Change.CREATED));

        store.write(new DecisionBatch(T1, "feed").touch("feed", T1, null, WEEK));
        assertThat(all(store)).containsExactlyInAnyOrder(seen(never, T1, WEEK), seen(expiring, T1, DAY));

        store.write(new DecisionBatch(T2, "feed").touch("feed", T2, DAY, null));
        assertThat(all(store)).containsExactlyInAnyOrder(seen(never, T2, WEEK), seen(expiring, T2, null));
    }

    @Test
    void aBatchTouchesThenPutsThenRemoves() throws StoreException {
        Decision kept = decision("feed", "192.0.2.1", DAY);
        Decision gone = decision("feed", "192.0.2.2", DAY);
        store.write(new DecisionBatch(T0, "feed").put(kept, Change.CREATED).put(gone, Change.CREATED));
        Decision changed = new Decision("feed", IpRange.parse("192.0.2.1"), Action.BLOCK, 99, List.of(), null, T0, T0, DAY);

        // listed in the order opposite to the one they run in
        store.write(new DecisionBatch(T2, "feed")
                .remove(gone, Change.REMOVED)
                .put(gone, Change.CHANGED)
                .put(changed, Change.CHANGED)
                .touch("feed", T2, DAY, WEEK));

        assertThat(all(store)).as("the put comes after the touch, the removal after the put").containsExactly(changed);
    }

    @Test
    void aBatchThatFailsHalfwayLeavesNothingOfItself() throws Exception {
        Decision poisoned = decision("feed", "203.0.113.66", Action.BLOCK, 80, List.of(), "poison", DAY);
        Decision plain = decision("feed", "203.0.113.1", DAY);
        store.write(new DecisionBatch(T0, "feed").put(poisoned, Change.CREATED).put(plain, Change.CREATED));
        List<Decision> before = all(store);
        List<HistoryEntry> historyBefore = store.history(IpAddress.parse("10.0.0.1"), 10_000);
        // a failure SQLite raises at the last step of the batch, after thousands of rows were written
        try (Connection connection = connect(file); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TRIGGER poison BEFORE DELETE ON decisions WHEN OLD.reason = 'poison'"
                    + " BEGIN SELECT RAISE(ABORT, 'poisoned by the test'); END");
        }
        DecisionBatch failing = new DecisionBatch(T1, "feed").touch("feed", T1, DAY, WEEK);
        for (int i = 0; i < 3000; i++) {
            failing.put(decision("feed", "10.0." + (i >> 8) + "." + (i & 255)), Change.CREATED);
        }
        failing.remove(plain, Change.REMOVED).remove(poisoned, Change.REMOVED);

        assertThatThrownBy(() -> store.write(failing))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("1 touches, 3000 puts and 2 removals")
                .hasMessageContaining("none of them was written")
                .hasMessageContaining("poisoned by the test");

        assertThat(all(store)).containsExactlyInAnyOrderElementsOf(before);
        assertThat(store.history(IpAddress.parse("10.0.0.1"), 10_000)).isEqualTo(historyBefore).isEmpty();
        assertThat(store.history(IpAddress.parse("203.0.113.1"), 10)).hasSize(1);
        // and the store goes on: nothing queued by the failed batch comes with the next one
        Decision next = decision("feed", "198.51.100.1");
        store.write(new DecisionBatch(T2, "feed").put(next, Change.CREATED));
        assertThat(all(store)).containsExactlyInAnyOrder(poisoned, plain, next);
        assertThat(store.history(IpAddress.parse("10.0.0.1"), 10)).isEmpty();
    }

    @Test
    void historyFindsTheDecisionsWhoseTargetContainsTheAddressNewestFirst() throws StoreException {
        Decision prefix = decision("feed", "198.51.100.0/24");
        Decision neighbour = decision("feed", "198.51.101.0/24");
        Decision range = decision("other", "198.51.100.5-198.51.100.9");
        Decision single = decision(Decision.MANUAL, "198.51.100.7");
        Decision everything = decision(Decision.MANUAL, "0.0.0.0/0");
        store.write(new DecisionBatch(T0, "feed").put(prefix, Change.CREATED).put(neighbour, Change.CREATED));
        store.write(new DecisionBatch(T1, "other").put(range, Change.CREATED));
        store.write(new DecisionBatch(T2, "alice").put(single, Change.CREATED));
        store.write(new DecisionBatch(DAY, "alice").remove(single, Change.REMOVED));
        store.write(new DecisionBatch(WEEK, "bob").put(everything, Change.CREATED));

        assertThat(store.history(IpAddress.parse("198.51.100.7"), 100)).containsExactly(
                new HistoryEntry(WEEK, Change.CREATED, "bob", everything),
                new HistoryEntry(DAY, Change.REMOVED, "alice", single),
                new HistoryEntry(T2, Change.CREATED, "alice", single),
                new HistoryEntry(T1, Change.CREATED, "other", range),
                new HistoryEntry(T0, Change.CREATED, "feed", prefix));
        assertThat(store.history(IpAddress.parse("198.51.100.7"), 2)).extracting(HistoryEntry::at).containsExactly(WEEK, DAY);
        assertThat(store.history(IpAddress.parse("198.51.100.10"), 100)).extracting(HistoryEntry::decision).containsExactly(everything, prefix);
        assertThat(store.history(IpAddress.parse("198.51.101.0"), 100)).extracting(HistoryEntry::decision).containsExactly(everything, neighbour);
        assertThat(store.history(IpAddress.parse("255.255.255.255"), 100)).extracting(HistoryEntry::decision).containsExactly(everything);
        assertThat(store.history(IpAddress.parse("2001:db8::1"), 100)).as("IPv4 targets hold no IPv6 address").isEmpty();
        assertThat(store.history(IpAddress.parse("198.51.100.7"), 0)).isEmpty();
    }

    @Test
    void historyByIpv6Address() throws StoreException {
        Decision wide = decision("feed", "2001:db8::/32");
        Decision narrow = decision("feed", "2001:db8:0:1::/64");
        Decision range = decision("feed", "2001:db8:0:1::10-2001:db8:0:2::");
        Decision neighbour = decision("feed", "2001:db9::/32");
        Decision everything = decision(Decision.MANUAL, "::/0");
        store.write(new DecisionBatch(T0, "feed").put(wide, Change.CREATED));
        store.write(new DecisionBatch(T1, "feed").put(narrow, Change.CREATED).put(range, Change.CREATED).put(neighbour, Change.CREATED));
        store.write(new DecisionBatch(T2, "alice").put(everything, Change.CREATED));

        assertThat(store.history(IpAddress.parse("2001:db8:0:1::ff"), 100)).extracting(HistoryEntry::decision)
                .containsExactly(everything, range, narrow, wide);
        assertThat(store.history(IpAddress.parse("2001:db8:0:1::f"), 100)).extracting(HistoryEntry::decision)
                .containsExactly(everything, narrow, wide);
        assertThat(store.history(IpAddress.parse("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"), 100)).extracting(HistoryEntry::decision)
                .containsExactly(everything, wide);
        assertThat(store.history(IpAddress.parse("::"), 100)).extracting(HistoryEntry::decision).containsExactly(everything);
        assertThat(store.history(IpAddress.parse("192.0.2.1"), 100)).isEmpty();
    }

    @Test
    void theHistoryLookupIsOneIndexSearchPerSpanNotAScan() throws Exception {
        for (IpFamily family : IpFamily.values()) {
            try (Connection connection = connect(file);
                 PreparedStatement statement = connection.prepareStatement("EXPLAIN QUERY PLAN " + SqliteDecisionStore.historyQuery(family))) {
                byte[] address = new byte[family == IpFamily.IPV4 ? 4 : 16];
                for (int parameter = 1; parameter <= 3 * (family.bits() + 1); parameter++) {
                    statement.setBytes(parameter, address);
                }
                statement.setInt(3 * (family.bits() + 1) + 1, 10);
                List<String> plan = new ArrayList<>();
                try (ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        plan.add(result.getString("detail"));
                    }
                }
                assertThat(plan).filteredOn(step -> step.contains("history"))
                        .hasSize(family.bits() + 1)
                        .containsOnly("SEARCH history USING INDEX history_by_address (family=? AND span_bits=? AND first_address>? AND first_address<?)");
            }
        }
    }

    @Test
    void pruningTheHistoryRemovesTheEntriesFromBeforeTheCutOffAndNoDecision() throws StoreException {
        Decision first = decision("feed", "192.0.2.1");
        Decision second = decision("feed", "192.0.2.2");
        store.write(new DecisionBatch(T0, "feed").put(first, Change.CREATED).put(second, Change.CREATED));
        store.write(new DecisionBatch(T1, "feed").remove(second, Change.REMOVED));
        store.write(new DecisionBatch(T2, "ops").put(first, Change.CHANGED));

        assertThat(store.pruneHistory(T1)).isEqualTo(2);

        assertThat(store.history(IpAddress.parse("192.0.2.1"), 10)).containsExactly(new HistoryEntry(T2, Change.CHANGED, "ops", first));
        assertThat(store.history(IpAddress.parse("192.0.2.2"), 10)).containsExactly(new HistoryEntry(T1, Change.REMOVED, "feed", second));
        assertThat(all(store)).containsExactly(first);
        assertThat(store.pruneHistory(T1)).as("nothing left before the cut-off").isZero();
    }

    @Test
    void aLargePruneRunsInSeveralTransactionsAndRemovesEveryOldEntry() throws StoreException {
        DecisionBatch many = new DecisionBatch(T0, "feed");
        for (int index = 0; index < 25_000; index++) {
            many.put(decision("feed", "10." + (index >> 16) + "." + (index >> 8 & 255) + "." + (index & 255)), Change.CREATED);
        }
        store.write(many);
        store.write(new DecisionBatch(T2, "feed").remove(decision("feed", "10.0.0.1"), Change.REMOVED));

        assertThat(store.pruneHistory(T1)).isEqualTo(25_000);
        assertThat(store.history(IpAddress.parse("10.0.0.1"), 10)).extracting(HistoryEntry::at).containsExactly(T2);
        assertThat(store.count()).isEqualTo(24_999);
    }

    @Test
    void thePruneFindsOldEntriesByTheTimeIndexNotByAScan() throws Exception {
        try (Connection connection = connect(file);
             PreparedStatement statement = connection.prepareStatement("EXPLAIN QUERY PLAN " + SqliteDecisionStore.PRUNE_SELECT)) {
            statement.setLong(1, T1.getEpochSecond());
            statement.setInt(2, 10);
            List<String> plan = new ArrayList<>();
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    plan.add(result.getString("detail"));
                }
            }
            assertThat(plan).containsExactly("SEARCH history USING COVERING INDEX history_by_time (at<?)");
        }
    }

    @Test
    void aReadDuringAWriteSeesTheStateBeforeItAndDoesNotHoldItUp() throws Exception {
        Decision first = decision("feed", "192.0.2.1");
        Decision second = decision("feed", "192.0.2.2");
        store.write(new DecisionBatch(T0, "feed").put(first, Change.CREATED).put(second, Change.CREATED));
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch written = new CountDownLatch(1);
        List<Decision> seen = new ArrayList<>();
        // threads of its own: the common pool may have a single one
        try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
            Future<?> reader = threads.submit(() -> {
                store.forEach(decision -> {
                    seen.add(decision);
                    reading.countDown();
                    await(written);
                });
                return null;
            });
            assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();

            Decision third = decision("feed", "192.0.2.3");
            threads.submit(() -> {
                store.write(new DecisionBatch(T1, "feed").remove(first, Change.REMOVED).remove(second, Change.REMOVED).put(third, Change.CREATED));
                return null;
            }).get(5, TimeUnit.SECONDS);
            written.countDown();
            reader.get(10, TimeUnit.SECONDS);

            assertThat(seen).containsExactlyInAnyOrder(first, second);
            assertThat(all(store)).containsExactly(third);
        }
    }

    @Test
    void aReopenedStoreHoldsEverythingWritten() throws StoreException {
        Decision kept = decision("feed", "192.0.2.0/25", Action.BLOCK, 70, List.of("a", "b"), "why", DAY);
        Decision removed = decision("feed", "2001:db8::7");
        store.write(new DecisionBatch(T0, "feed").put(kept, Change.CREATED).put(removed, Change.CREATED));
        store.write(new DecisionBatch(T1, "feed").touch("feed", T1, DAY, WEEK).remove(removed, Change.REMOVED));
        store.close();

        store = SqliteDecisionStore.open(file);

        assertThat(all(store)).containsExactly(seen(kept, T1, WEEK));
        assertThat(store.history(IpAddress.parse("2001:db8::7"), 10)).containsExactly(
                new HistoryEntry(T1, Change.REMOVED, "feed", removed), new HistoryEntry(T0, Change.CREATED, "feed", removed));
    }

    @Test
    void aStoreWithANewerSchemaIsRefusedWithAMessage() throws Exception {
        store.close();
        try (Connection connection = connect(file); Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                    + " installed_by, execution_time, success) VALUES (99, '99', 'from the future', 'SQL', 'V99__x.sql', 1, 'test', 1, 1)");
        }

        assertThatThrownBy(() -> SqliteDecisionStore.open(file))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("schema version 99, newer than this Bulwark knows (2)")
                .hasMessageContaining("Run that version");
        store = SqliteDecisionStore.open(directory.resolve("other.db"));
    }

    @Test
    void aPathThatCannotBeCreatedIsAClearError() throws Exception {
        Path blocker = Files.writeString(directory.resolve("not-a-directory"), "x");

        assertThatThrownBy(() -> SqliteDecisionStore.open(blocker.resolve("state/decisions.db")))
                .isInstanceOf(StoreException.class)
                .hasMessage("cannot create the decision store " + blocker.resolve("state/decisions.db") + ": " + blocker
                        + " is not a directory; move it away or choose another state_dir");
    }

    @Test
    void aFileThatIsNoDatabaseIsAClearError() throws Exception {
        Path garbage = Files.writeString(directory.resolve("garbage.db"), "this is not a database, it is text. ".repeat(200));

        assertThatThrownBy(() -> SqliteDecisionStore.open(garbage))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("cannot prepare the schema of the decision store " + garbage)
                .hasMessageContaining("the file is damaged or not a Bulwark store");
    }

    @Test
    void aClosedStoreRefusesWork() throws StoreException {
        store.close();

        assertThatThrownBy(() -> store.write(new DecisionBatch(T0, "feed").put(decision("feed", "192.0.2.1"), Change.CREATED)))
                .isInstanceOf(StoreException.class)
                .hasMessage("the decision store " + file + " is closed");
        assertThatThrownBy(() -> store.forEach(decision -> { })).isInstanceOf(StoreException.class);
    }

    @Test
    void decisionsReadBackShareTheirRepeatedParts() throws StoreException {
        DecisionBatch batch = new DecisionBatch(T0, "feed");
        for (int i = 0; i < 100; i++) {
            batch.put(new Decision("feed", IpRange.parse("10.0.0." + i), Action.BLOCK, 80, List.of("scanner", "ssh"), "listed", T0, T1, DAY),
                    Change.CREATED);
        }
        store.write(batch);

        List<Decision> decisions = all(store);

        Decision first = decisions.get(0);
        for (Decision decision : decisions) {
            assertThat(decision.categories()).isSameAs(first.categories());
            assertThat(decision.origin()).isSameAs(first.origin());
            assertThat(decision.reason()).isSameAs(first.reason());
            assertThat(decision.firstSeen()).isSameAs(first.firstSeen());
            assertThat(decision.lastSeen()).isSameAs(first.lastSeen());
            assertThat(decision.expiresAt()).isSameAs(first.expiresAt());
            assertThat(decision.target().last()).isSameAs(decision.target().first());
        }
    }

    private static List<Decision> all(DecisionStore store) throws StoreException {
        List<Decision> decisions = new ArrayList<>();
        store.forEach(decisions::add);
        Map<Decision.Key, Decision> byKey = new HashMap<>();
        for (Decision decision : decisions) {
            assertThat(byKey.put(decision.key(), decision)).as("one decision per key").isNull();
        }
        return decisions;
    }

    private static Decision decision(String origin, String target) {
        return decision(origin, target, DAY);
    }

    private static Decision decision(String origin, String target, Instant expiresAt) {
        return decision(origin, target, Action.BLOCK, 80, List.of("scanner"), "listed by " + origin, expiresAt);
    }

    private static Decision decision(String origin, String target, Action action, int score, List<String> categories, String reason, Instant expiresAt) {
        return new Decision(origin, IpRange.parse(target), action, score, categories, reason, T0, T0, expiresAt);
    }

    private static Decision seen(Decision decision, Instant lastSeen, Instant expiresAt) {
        return new Decision(decision.origin(), decision.target(), decision.action(), decision.score(), decision.categories(),
                decision.reason(), decision.firstSeen(), lastSeen, expiresAt);
    }

    private static Connection connect(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }

    private static String single(Statement statement, String sql) throws SQLException {
        try (ResultSet result = statement.executeQuery(sql)) {
            assertThat(result.next()).isTrue();
            return result.getString(1);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
