package dev.bulwark.detect.jail;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Counts that live as long as the process: for {@code bulwark detect}, which replays a log offline, and for tests. */
public final class MemoryBanCounts implements BanCounts {
    private final Map<List<String>, BanCount> counts = new LinkedHashMap<>();

    @Override
    public synchronized List<BanCount> load() {
        return new ArrayList<>(counts.values());
    }

    @Override
    public synchronized void put(BanCount count) {
        counts.put(List.of(count.jail(), count.offender()), count);
    }

    @Override
    public synchronized void remove(Collection<BanCount> removed) {
        for (BanCount count : removed) {
            counts.remove(List.of(count.jail(), count.offender()));
        }
    }

    private List<PendingFailures> pending = List.of();

    @Override
    public synchronized void putPending(List<PendingFailures> kept) {
        pending = List.copyOf(kept);
    }

    @Override
    public synchronized List<PendingFailures> takePending() {
        List<PendingFailures> taken = pending;
        pending = List.of();
        return taken;
    }

    @Override
    public void close() {
    }
}
