package dev.bulwark.decision;

import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpRange;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The child process of {@link SqliteDecisionStoreCrashTest}: writes batch after batch and
 * prints {@code ACK n} once the write of batch n has returned, until it is killed.
 * Batch n puts {@link #PER_BATCH} decisions of origin {@code crash}, targets
 * {@code n * PER_BATCH} and on in 10.0.0.0/8, and touches the origin.
 */
public final class SqliteCrashWriter {
    static final int PER_BATCH = 20;
    static final String ORIGIN = "crash";
    static final Instant START = Instant.parse("2026-05-01T10:00:00Z");

    private SqliteCrashWriter() {
    }

    public static void main(String[] arguments) throws StoreException {
        try (SqliteDecisionStore store = SqliteDecisionStore.open(Path.of(arguments[0]))) {
            for (int batch = 0; ; batch++) {
                Instant now = START.plusSeconds(batch);
                DecisionBatch changes = new DecisionBatch(now, "feed").touch(ORIGIN, now, null, null);
                for (int i = 0; i < PER_BATCH; i++) {
                    changes.put(decision(batch * PER_BATCH + i, now), Change.CREATED);
                }
                store.write(changes);
                System.out.println("ACK " + batch);
                System.out.flush();
            }
        }
    }

    static Decision decision(int number, Instant seen) {
        IpRange target = new IpRange(IpAddress.ipv4(0x0a000000L + number), IpAddress.ipv4(0x0a000000L + number));
        return new Decision(ORIGIN, target, Action.BLOCK, number % 101, List.of("crash"), "decision " + number, seen, seen, null);
    }
}
