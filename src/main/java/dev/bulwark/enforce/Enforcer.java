package dev.bulwark.enforce;

import dev.bulwark.policy.Snapshot;

import java.time.Instant;

/**
 * Brings one target (the kernel's nftables sets, ipset sets, a file...) to exactly the desired
 * snapshot by applying the difference from what it last applied. Applying the same snapshot
 * twice changes nothing; no step ever empties the target before refilling it.
 */
public interface Enforcer {
    /** The backend's name, as the command line spells it. */
    String name();

    /** Makes the target hold exactly {@code desired} as of {@code now}. */
    ApplyReport apply(Snapshot desired, Instant now) throws EnforceException;

    /** Takes everything this enforcer made out of its target, on purpose. */
    void remove() throws EnforceException;

    /** Packets dropped (or rejected) so far, per family; null when the target keeps no counters. */
    DropCounters counters() throws EnforceException;
}
