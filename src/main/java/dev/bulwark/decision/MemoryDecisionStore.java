package dev.bulwark.decision;

import dev.bulwark.ip.IpAddress;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A store that keeps nothing after the process ends: for {@code bulwark apply --dry-run}, which
 * must not write, and for tests. Same semantics as the SQLite store.
 */
public final class MemoryDecisionStore implements DecisionStore {
    private final Map<Decision.Key, Decision> decisions = new LinkedHashMap<>();
    private final List<HistoryEntry> history = new ArrayList<>();

    /** A store holding a copy of everything in {@code source} (its history excepted). */
    public static MemoryDecisionStore copyOf(DecisionStore source) throws StoreException {
        MemoryDecisionStore copy = new MemoryDecisionStore();
        source.forEach(decision -> copy.decisions.put(decision.key(), decision));
        return copy;
    }

    @Override
    public synchronized void forEach(Consumer<Decision> action) {
        List.copyOf(decisions.values()).forEach(action);
    }

    @Override
    public synchronized long count() {
        return decisions.size();
    }

    @Override
    public synchronized void write(DecisionBatch batch) {
        for (DecisionBatch.Touch touch : batch.touches()) {
            decisions.replaceAll((key, decision) -> {
                if (!key.origin().equals(touch.origin())) {
                    return decision;
                }
                boolean moves = Objects.equals(decision.expiresAt(), touch.expiringAt());
                return new Decision(decision.origin(), decision.target(), decision.action(), decision.score(), decision.categories(),
                        decision.reason(), decision.firstSeen(), touch.lastSeen(), moves ? touch.newExpiry() : decision.expiresAt());
            });
        }
        for (DecisionBatch.Put put : batch.puts()) {
            decisions.put(put.decision().key(), put.decision());
            history.add(new HistoryEntry(batch.at(), put.change(), batch.by(), put.decision()));
        }
        for (DecisionBatch.Removal removal : batch.removals()) {
            decisions.remove(removal.decision().key());
            history.add(new HistoryEntry(batch.at(), removal.change(), batch.by(), removal.decision()));
        }
    }

    @Override
    public synchronized List<HistoryEntry> history(IpAddress address, int limit) {
        List<HistoryEntry> found = new ArrayList<>();
        for (int index = history.size() - 1; index >= 0 && found.size() < limit; index--) {
            HistoryEntry entry = history.get(index);
            if (entry.target().family() == address.family() && entry.target().first().compareTo(address) <= 0
                    && entry.target().last().compareTo(address) >= 0) {
                found.add(entry);
            }
        }
        return found;
    }

    @Override
    public synchronized long pruneHistory(Instant before) {
        int size = history.size();
        history.removeIf(entry -> entry.at().isBefore(before));
        return size - history.size();
    }

    @Override
    public void close() {
    }
}
