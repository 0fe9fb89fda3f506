package dev.bulwark.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.api.ApiConfig;
import dev.bulwark.decision.Action;
import dev.bulwark.decision.Change;
import dev.bulwark.decision.Decision;
import dev.bulwark.decision.DecisionBatch;
import dev.bulwark.decision.HistoryEntry;
import dev.bulwark.decision.SqliteDecisionStore;
import dev.bulwark.detect.jail.JailsConfig;
import dev.bulwark.enforce.EnforcerConfig;
import dev.bulwark.enforce.ProcessRunner;
import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpRange;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The history kept as long as the configuration's {@code history:} says: a real SQLite store, a manual clock. */
class DaemonHistoryTest {
    private static final Instant START = DecisionKeeperTest.START;

    @TempDir
    Path directory;

    private final DecisionKeeperTest.ManualClock clock = new DecisionKeeperTest.ManualClock(START);

    @Test
    void theDaemonRemovesTheHistoryOlderThanItKeepsAndNothingWhenItKeepsItForever() throws Exception {
        Decision old = manual("192.0.2.1", START);
        Decision recent = manual("192.0.2.2", START.plus(Duration.ofDays(20)));
        try (SqliteDecisionStore store = SqliteDecisionStore.open(directory.resolve("state/decisions.db"))) {
            store.write(new DecisionBatch(START, "ops").put(old, Change.CREATED));
            store.write(new DecisionBatch(START.plus(Duration.ofDays(20)), "ops").put(recent, Change.CREATED));
        }
        clock.set(START.plus(Duration.ofDays(31)));

        try (Daemon forever = daemon(null)) {
            assertThat(forever.pruneHistory()).isZero();
        }
        try (Daemon daemon = daemon(Duration.ofDays(30))) {
            assertThat(daemon.pruneHistory()).isEqualTo(1);
            assertThat(daemon.pruneHistory()).isZero();
        }
        try (SqliteDecisionStore store = SqliteDecisionStore.open(directory.resolve("state/decisions.db"))) {
            assertThat(store.history(IpAddress.parse("192.0.2.1"), 10)).as("the entry older than 30 days").isEmpty();
            assertThat(store.history(IpAddress.parse("192.0.2.2"), 10)).extracting(HistoryEntry::decision).containsExactly(recent);
            assertThat(store.count()).as("decisions stay, whatever their history").isEqualTo(2);
        }
    }

    private Daemon daemon(Duration historyKeep) throws Exception {
        DaemonConfig config = new DaemonConfig(directory.resolve("bulwark.yml"), directory.resolve("state"), ApiConfig.defaults(),
                DecisionKeeperTest.policy(null), List.of(), List.of(new EnforcerConfig.File(directory.resolve("edl.txt"), 0)), JailsConfig.none(),
                historyKeep);
        return Daemon.restore(config, SqliteDecisionStore.open(directory.resolve("state/decisions.db")),
                new Daemon.Environment(clock, ProcessRunner.local(), null, new ByteArrayOutputStream()));
    }

    private static Decision manual(String target, Instant at) {
        return new Decision(Decision.MANUAL, IpRange.parse(target), Action.BLOCK, -1, List.of("manual"), "by hand", at, at, null);
    }
}
