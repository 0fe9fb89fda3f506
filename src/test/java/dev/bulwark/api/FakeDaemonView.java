package dev.bulwark.api;

import dev.bulwark.decision.Action;
import dev.bulwark.decision.Decision;
import dev.bulwark.decision.HistoryEntry;
import dev.bulwark.decision.StoreException;
import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpRange;
import dev.bulwark.ip.IpSet;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A daemon in memory for API and command tests: decisions in a list, explanations computed
 * from them, and a record of what was asked (who banned, with what).
 */
public final class FakeDaemonView implements DaemonView {
    public static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    public final List<Decision> decisions = new ArrayList<>();
    public final List<HistoryEntry> history = new ArrayList<>();
    public final List<String> enforcers = new ArrayList<>(List.of("nftables"));
    public final Map<IpAddress, String> allowed = new HashMap<>();
    public final Map<IpAddress, String> protectedAddresses = new HashMap<>();
    public String blocklistText = "192.0.2.0/24\n2001:db8::/32\n";
    public String blocklistTag = "v42";
    public String metrics = "# TYPE bulwark_decisions gauge\nbulwark_decisions 2\n";
    public Status status = new Status("0.1.0", NOW.minusSeconds(3600), 42, 2, 1, 1, 0, List.of(), List.of(), List.of());
    /** Bans of targets in here are refused as the policy would refuse them. */
    public IpSet refused = IpSet.empty();
    public volatile boolean storeFails;
    /** When set, a ban waits for it (as a ban waits for a slow store), without holding the view's lock. */
    public volatile CountDownLatch banGate;
    /** Counted down when a ban starts waiting for {@link #banGate}. */
    public final CountDownLatch banWaiting = new CountDownLatch(1);

    // what was asked; volatile: written on the server's threads, read by the test's
    public volatile String lastBy;
    public volatile Duration lastDuration;
    public volatile String lastOrigin;
    public volatile int lastLimit;
    public volatile IpFamily lastFamily;
    public volatile int lastMinScore;
    public volatile boolean lastWithHistory;
    public volatile int calls;

    @Override
    public synchronized Explanation explain(IpAddress address, boolean withHistory) throws StoreException {
        calls++;
        failIfAsked();
        lastWithHistory = withHistory;
        List<Decision> matching = new ArrayList<>();
        Action action = null;
        int score = Decision.NO_SCORE;
        Instant expiresAt = null;
        boolean permanent = false;
        for (Decision decision : decisions) {
            if (contains(decision.target(), address)) {
                matching.add(decision);
                if (decision.action() == Action.BLOCK || action == null) {
                    action = decision.action();
                }
                score = Math.max(score, decision.score());
                if (decision.expiresAt() == null) {
                    permanent = true;
                } else if (expiresAt == null || decision.expiresAt().isAfter(expiresAt)) {
                    expiresAt = decision.expiresAt();
                }
            }
        }
        String allowedBy = allowed.get(address);
        String protectedBy = protectedAddresses.get(address);
        boolean blocked = action == Action.BLOCK && allowedBy == null && protectedBy == null;
        return new Explanation(address, blocked, action, score, blocked && !permanent ? expiresAt : null, matching, allowedBy,
                protectedBy, blocked ? enforcers : List.of(), withHistory ? history : List.of());
    }

    @Override
    public synchronized List<Decision> decisions(String origin, int limit) {
        calls++;
        lastOrigin = origin;
        lastLimit = limit;
        List<Decision> selected = new ArrayList<>();
        for (Decision decision : decisions) {
            if ((origin == null || origin.equals(decision.origin())) && selected.size() < limit) {
                selected.add(decision);
            }
        }
        return selected;
    }

    @Override
    public Decision ban(IpRange target, Duration duration, String reason, int score, List<String> categories, String by)
            throws StoreException {
        CountDownLatch gate = banGate;
        if (gate != null) {
            banWaiting.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted", e);
            }
        }
        synchronized (this) {
            return banNow(target, duration, reason, score, categories, by);
        }
    }

    private Decision banNow(IpRange target, Duration duration, String reason, int score, List<String> categories, String by)
            throws StoreException {
        calls++;
        failIfAsked();
        lastBy = by;
        lastDuration = duration;
        if (refused.overlaps(target)) {
            throw new IllegalArgumentException(target + " is protected (private): it is never blocked");
        }
        decisions.removeIf(decision -> decision.origin().equals(Decision.MANUAL) && decision.target().equals(target));
        Decision decision = new Decision(Decision.MANUAL, target, Action.BLOCK, score, categories, reason, NOW, NOW,
                duration == null ? null : NOW.plus(duration));
        decisions.add(decision);
        return decision;
    }

    @Override
    public synchronized boolean unban(IpRange target, String by) throws StoreException {
        calls++;
        failIfAsked();
        lastBy = by;
        return decisions.removeIf(decision -> decision.origin().equals(Decision.MANUAL) && decision.target().equals(target));
    }

    @Override
    public synchronized Blocklist blocklist(IpFamily family, int minScore) {
        calls++;
        lastFamily = family;
        lastMinScore = minScore;
        return new Blocklist(blocklistText, blocklistTag, blocklistText.lines().count());
    }

    @Override
    public synchronized Status status() {
        calls++;
        return status;
    }

    @Override
    public synchronized String metrics() {
        calls++;
        return metrics;
    }

    private void failIfAsked() throws StoreException {
        if (storeFails) {
            throw new StoreException("cannot read /var/lib/bulwark/bulwark.db: disk I/O error");
        }
    }

    private static boolean contains(IpRange range, IpAddress address) {
        return range.first().compareTo(address) <= 0 && address.compareTo(range.last()) <= 0;
    }

    /** A decision as a feed or a ban would make it. */
    public static Decision decision(String origin, String target, Action action, int score, List<String> categories, String reason,
                                    Instant expiresAt) {
        return new Decision(origin, IpRange.parse(target), action, score, categories, reason, NOW.minusSeconds(7200),
                NOW.minusSeconds(600), expiresAt);
    }
}
