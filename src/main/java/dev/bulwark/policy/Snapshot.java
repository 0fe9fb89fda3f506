package dev.bulwark.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpRange;
import dev.bulwark.ip.IpSet;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What should be blocked: addresses blocked until further notice, and addresses blocked until
 * an instant (whole seconds). An address in several groups is blocked until the latest of them.
 * Immutable; enforcers read it without locks.
 */
public record Snapshot(IpSet permanent, NavigableMap<Instant, IpSet> expiring) {
    public Snapshot {
        requireNonNull(permanent, "permanent is null");
        TreeMap<Instant, IpSet> copy = new TreeMap<>();
        for (Map.Entry<Instant, IpSet> group : expiring.entrySet()) {
            copy.merge(group.getKey().truncatedTo(ChronoUnit.SECONDS), requireNonNull(group.getValue(), "group is null"), IpSet::union);
        }
        expiring = Collections.unmodifiableNavigableMap(copy);
    }

    /** Everything in {@code blocked}, with no expiry. */
    public static Snapshot of(IpSet blocked) {
        return new Snapshot(blocked, new TreeMap<>());
    }

    /** Everything in {@code blocked}, until {@code expiresAt}. */
    public static Snapshot until(IpSet blocked, Instant expiresAt) {
        TreeMap<Instant, IpSet> groups = new TreeMap<>();
        groups.put(expiresAt, blocked);
        return new Snapshot(IpSet.empty(), groups);
    }

    /**
     * A range of the snapshot that blocks {@code address} at {@code now}, or null: one binary
     * search per group, without the union that {@link #blockedAt} builds.
     */
    public IpRange rangeContaining(IpAddress address, Instant now) {
        IpRange range = permanent.rangeContaining(address);
        for (Map.Entry<Instant, IpSet> group : expiring.tailMap(now, false).entrySet()) {
            if (range != null) {
                return range;
            }
            range = group.getValue().rangeContaining(address);
        }
        return range;
    }

    /** Every address blocked at {@code now}. */
    public IpSet blockedAt(Instant now) {
        IpSet all = permanent;
        for (Map.Entry<Instant, IpSet> group : expiring.tailMap(now, false).entrySet()) {
            all = all.union(group.getValue());
        }
        return all;
    }
}
