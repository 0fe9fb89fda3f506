package dev.bulwark.daemon;

import static java.util.Objects.requireNonNull;

import dev.bulwark.decision.DecisionBook;
import dev.bulwark.ip.IpSet;
import dev.bulwark.policy.HostExclusions;
import dev.bulwark.policy.Snapshot;

import java.time.Instant;

/**
 * One published state: the decisions, the snapshot compiled from them and what it blocks at
 * {@code at}. Readers (lookups, enforcers) take the current one through one atomic reference.
 */
public record Published(long version, DecisionBook book, Snapshot snapshot, IpSet blocked, IpSet exclusions,
                        HostExclusions host, Instant at) {
    public Published {
        requireNonNull(book, "book is null");
        requireNonNull(snapshot, "snapshot is null");
        requireNonNull(blocked, "blocked is null");
        requireNonNull(exclusions, "exclusions is null");
        requireNonNull(host, "host is null");
        requireNonNull(at, "at is null");
    }
}
