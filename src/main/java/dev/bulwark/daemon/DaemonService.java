package dev.bulwark.daemon;

import static java.util.Objects.requireNonNull;

import dev.bulwark.Version;
import dev.bulwark.api.Blocklist;
import dev.bulwark.api.DaemonView;
import dev.bulwark.api.Explanation;
import dev.bulwark.api.Status;
import dev.bulwark.decision.Action;
import dev.bulwark.decision.Decision;
import dev.bulwark.decision.DecisionStore;
import dev.bulwark.decision.HistoryEntry;
import dev.bulwark.decision.OriginDecisions;
import dev.bulwark.decision.StoreException;
import dev.bulwark.feed.FeedStatus;
import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpRange;
import dev.bulwark.ip.IpSet;
import dev.bulwark.ip.PlainList;
import dev.bulwark.policy.DecisionPolicy;
import dev.bulwark.policy.Tier;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The daemon as the API and the command line see it: lookups and lists from the published
 * state in memory, bans and unbans through the keeper, history from the store.
 */
public final class DaemonService implements DaemonView {
    private static final int HISTORY_LIMIT = 50;

    private final DecisionKeeper keeper;
    private final Reconciler reconciler;
    private final DecisionStore store;
    private final Supplier<List<FeedStatus>> feeds;
    private final Supplier<List<Status.JailStatus>> jails;
    private final Supplier<String> metrics;
    private final Instant startedAt;
    private final Map<BlocklistKey, Blocklist> blocklists = new ConcurrentHashMap<>();

    public DaemonService(DecisionKeeper keeper, Reconciler reconciler, DecisionStore store, Supplier<List<FeedStatus>> feeds,
                         Supplier<List<Status.JailStatus>> jails, Supplier<String> metrics, Clock clock) {
        this.keeper = requireNonNull(keeper, "keeper is null");
        this.reconciler = requireNonNull(reconciler, "reconciler is null");
        this.store = requireNonNull(store, "store is null");
        this.feeds = requireNonNull(feeds, "feeds is null");
        this.jails = requireNonNull(jails, "jails is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.startedAt = clock.instant();
    }

    @Override
    public Explanation explain(IpAddress address, boolean withHistory) throws StoreException {
        Published published = keeper.current();
        DecisionPolicy policy = keeper.policy();
        List<Decision> decisions = published.book().containing(address);
        boolean blocked = published.blocked().contains(address);
        int score = Decision.NO_SCORE;
        boolean monitored = false;
        Instant expiresAt = null;
        boolean permanent = false;
        for (Decision decision : decisions) {
            score = Math.max(score, decision.score());
            Tier tier = policy.tier(decision);
            if (tier == Tier.MONITOR) {
                monitored = true;
            } else if (tier == Tier.BLOCK) {
                if (decision.expiresAt() == null) {
                    permanent = true;
                } else if (expiresAt == null || decision.expiresAt().isAfter(expiresAt)) {
                    expiresAt = decision.expiresAt();
                }
            }
        }
        DecisionPolicy.Exclusion exclusion = policy.exclusionOf(address, published.host());
        String allowedBy = exclusion != null && exclusion.allowed() ? exclusion.description() : null;
        String protectedBy = exclusion != null && !exclusion.allowed() ? exclusion.description() : null;
        Action action = blocked ? Action.BLOCK : monitored ? Action.MONITOR : null;
        List<HistoryEntry> history = withHistory ? store.history(address, HISTORY_LIMIT) : List.of();
        return new Explanation(address, blocked, action, score, blocked && !permanent ? expiresAt : null, decisions, allowedBy, protectedBy,
                withHistory ? reconciler.holding(address) : List.of(), history);
    }

    @Override
    public List<Decision> decisions(String origin, int limit) {
        List<Decision> list = new ArrayList<>();
        for (OriginDecisions table : keeper.current().book().origins().values()) {
            if (origin != null && !origin.equals(table.origin())) {
                continue;
            }
            for (int index = 0; index < table.size() && list.size() < limit; index++) {
                list.add(table.get(index));
            }
        }
        return list;
    }

    @Override
    public Decision ban(IpRange target, Duration duration, String reason, int score, List<String> categories, String by) throws StoreException {
        Decision decision = keeper.ban(target, duration, reason, score, categories, by);
        reconciler.signal();
        return decision;
    }

    @Override
    public boolean unban(IpRange target, String by) throws StoreException {
        boolean removed = keeper.unban(target, by);
        reconciler.signal();
        return removed;
    }

    @Override
    public Blocklist blocklist(IpFamily family, int minScore) {
        Published published = keeper.current();
        BlocklistKey key = new BlocklistKey(published.version(), family, minScore);
        Blocklist cached = blocklists.get(key);
        if (cached != null) {
            return cached;
        }
        IpSet set = minScore <= 0 ? published.blocked() : scoredAtLeast(published, minScore);
        byte[] text = PlainList.bytes(set, family);
        long entries = 0;
        for (byte value : text) {
            if (value == '\n') {
                entries++;
            }
        }
        Blocklist blocklist = new Blocklist(new String(text, StandardCharsets.US_ASCII), tag(text), entries);
        // older versions are of no use once a newer one is asked for
        blocklists.keySet().removeIf(old -> old.version() < published.version());
        blocklists.put(key, blocklist);
        return blocklist;
    }

    /** The enforced list narrowed to decisions scored at least {@code minScore} (unscored ones stay). */
    private IpSet scoredAtLeast(Published published, int minScore) {
        IpSet.Builder builder = IpSet.builder();
        DecisionPolicy policy = keeper.policy();
        for (OriginDecisions table : published.book().origins().values()) {
            for (int index = 0; index < table.size(); index++) {
                Decision decision = table.get(index);
                if (policy.tier(decision) == Tier.BLOCK && (!decision.hasScore() || decision.score() >= minScore)
                        && decision.isLiveAt(published.at())) {
                    builder.add(decision.target());
                }
            }
        }
        return builder.build().intersection(published.blocked());
    }

    private static String tag(byte[] text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text);
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java", e);
        }
    }

    @Override
    public Status status() {
        Published published = keeper.current();
        DecisionPolicy policy = keeper.policy();
        long monitored = 0;
        for (OriginDecisions table : published.book().origins().values()) {
            for (int index = 0; index < table.size(); index++) {
                if (policy.tier(table.get(index)) == Tier.MONITOR) {
                    monitored++;
                }
            }
        }
        return new Status(Version.current(), startedAt, published.version(), published.book().size(),
                published.blocked().prefixCount(IpFamily.IPV4), published.blocked().prefixCount(IpFamily.IPV6), monitored,
                feeds.get(), reconciler.statuses(), jails.get());
    }

    @Override
    public String metrics() {
        return metrics.get();
    }

    private record BlocklistKey(long version, IpFamily family, int minScore) {
    }
}
