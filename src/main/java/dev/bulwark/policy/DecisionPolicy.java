package dev.bulwark.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.decision.Action;
import dev.bulwark.decision.Decision;
import dev.bulwark.decision.DecisionBook;
import dev.bulwark.decision.OriginDecisions;
import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpRange;
import dev.bulwark.ip.IpSet;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns every live decision into the {@link Snapshot} to enforce: decisions in the block tier,
 * grouped by expiry, minus the exclusions (allowlist, admin networks, protected ranges, and the
 * host's own addresses, gateways and SSH peers). A blocked prefix holding an excluded address
 * is split around it, not dropped.
 *
 * <p>Each origin's contribution is kept until that origin's decisions or the exclusions change,
 * so that a manual ban beside a million feed entries costs a merge, not a recompile. One writer
 * thread calls {@link #compile}; the results are immutable.
 */
public final class DecisionPolicy {
    private static final Instant PERMANENT = Instant.MIN;

    private final PolicyConfig config;
    private final IpSet configured;
    private final Map<String, Contribution> cache = new HashMap<>();

    public DecisionPolicy(PolicyConfig config) {
        this.config = requireNonNull(config, "config is null");
        this.configured = config.allow().union(config.adminNetworks()).union(config.protection().ranges());
    }

    public PolicyConfig config() {
        return config;
    }

    /**
     * A decision's tier: monitor-only decisions monitor; a manual ban always blocks (its score
     * only informs, e.g. the EDL's {@code min_score}); others block when unscored or scored at
     * least {@code block_score}, monitor from {@code monitor_score}, else are ignored.
     */
    public Tier tier(Decision decision) {
        return tier(decision.origin(), decision.action(), decision.score());
    }

    private Tier tier(String origin, Action action, int score) {
        if (action == Action.MONITOR) {
            return Tier.MONITOR;
        }
        if (score == Decision.NO_SCORE || score >= config.blockScore() || origin.equals(Decision.MANUAL)) {
            return Tier.BLOCK;
        }
        return score >= config.monitorScore() ? Tier.MONITOR : Tier.IGNORE;
    }

    /** Everything never blocked: the configured exclusions plus {@code host} (the host's own addresses, gateways, SSH peers). */
    public IpSet exclusions(IpSet host) {
        return host.isEmpty() ? configured : configured.union(host);
    }

    /** The snapshot of {@code book}'s block tier minus {@code exclusions}, as of {@code now} (expired decisions left out). */
    public Snapshot compile(DecisionBook book, IpSet exclusions, Instant now) {
        Map<Instant, IpSet> groups = new TreeMap<>();
        cache.keySet().retainAll(book.origins().keySet());
        for (OriginDecisions table : book.origins().values()) {
            Contribution contribution = cache.get(table.origin());
            if (contribution == null || contribution.table != table || contribution.exclusions != exclusions) {
                contribution = new Contribution(table, exclusions, groups(table, exclusions));
                cache.put(table.origin(), contribution);
            }
            for (Map.Entry<Instant, IpSet> group : contribution.groups.entrySet()) {
                // the common case, one origin per expiry, keeps the group object as it was
                groups.merge(group.getKey(), group.getValue(), IpSet::union);
            }
        }
        IpSet permanent = groups.containsKey(PERMANENT) ? groups.remove(PERMANENT) : IpSet.empty();
        TreeMap<Instant, IpSet> expiring = new TreeMap<>();
        for (Map.Entry<Instant, IpSet> group : groups.entrySet()) {
            if (group.getKey().isAfter(now)) {
                expiring.put(group.getKey(), group.getValue());
            }
        }
        return new Snapshot(permanent, expiring);
    }

    private Map<Instant, IpSet> groups(OriginDecisions table, IpSet exclusions) {
        Map<Long, IpSet.Builder> builders = new HashMap<>();
        // a feed's decisions mostly share one expiry: look the builder up only when it changes
        long lastExpiry = 0;
        IpSet.Builder last = null;
        for (int index = 0; index < table.size(); index++) {
            if (tier(table.origin(), table.action(index), table.score(index)) != Tier.BLOCK) {
                continue;
            }
            long expiry = table.expiresAtSecond(index);
            if (last == null || expiry != lastExpiry) {
                last = builders.computeIfAbsent(expiry, second -> IpSet.builder());
                lastExpiry = expiry;
            }
            table.addTarget(index, last);
        }
        Map<Instant, IpSet> groups = new HashMap<>();
        builders.forEach((expiry, builder) -> groups.put(expiry == Long.MIN_VALUE ? PERMANENT : Instant.ofEpochSecond(expiry),
                builder.build().difference(exclusions)));
        return groups;
    }

    /** Why {@code address} can never be blocked, or null: the first exclusion that holds it. */
    public Exclusion exclusionOf(IpAddress address, HostExclusions host) {
        IpRange allowed = config.allow().rangeContaining(address);
        if (allowed != null) {
            return new Exclusion(true, "allowlist " + allowed);
        }
        IpRange admin = config.adminNetworks().rangeContaining(address);
        if (admin != null) {
            return new Exclusion(true, "admin network " + admin);
        }
        if (config.protection().ranges().contains(address)) {
            for (ProtectedCategory category : ProtectedCategory.values()) {
                if (category.ranges().contains(address)) {
                    return new Exclusion(false, "protected range: " + category.label());
                }
            }
        }
        String hostRole = host.describe(address);
        return hostRole == null ? null : new Exclusion(false, hostRole);
    }

    /** An exclusion that holds an address: {@code allowed} for the allowlist and admin networks, else protected. */
    public record Exclusion(boolean allowed, String description) {
    }

    /** Whether a target can be blocked at all: not broader than the prefix limit, not wholly excluded. */
    public void checkBlockable(IpRange target, IpSet exclusions) {
        int limit = target.family() == dev.bulwark.ip.IpFamily.IPV4 ? config.maxPrefixIpv4() : config.maxPrefixIpv6();
        if (target.isBroaderThan(limit)) {
            throw new IllegalArgumentException(target + " is broader than the policy's limit /" + limit
                    + " for " + (target.family() == dev.bulwark.ip.IpFamily.IPV4 ? "IPv4" : "IPv6") + " (policy.max_prefix)");
        }
        if (IpSet.of(java.util.List.of(target)).difference(exclusions).isEmpty()) {
            throw new IllegalArgumentException(target + " can never be blocked: it lies wholly in the allowlist, "
                    + "admin networks or protected ranges (see bulwark explain " + target.first() + ")");
        }
    }

    private record Contribution(OriginDecisions table, IpSet exclusions, Map<Instant, IpSet> groups) {
    }
}
