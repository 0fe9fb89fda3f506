package dev.bulwark.enforce;

import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpRange;
import dev.bulwark.policy.Snapshot;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Refuses a list that would cut this host off: one that blocks an address of the host itself,
 * its default gateway, or the remote end of an SSH session open now. Checked at apply time,
 * because addresses and sessions change after a list is compiled.
 */
public final class LockoutGuard {
    private final HostFacts facts;

    public LockoutGuard(HostFacts facts) {
        this.facts = facts;
    }

    /** A guard that checks nothing, for targets that drop no packets (a dry run prints what would be applied). */
    public static LockoutGuard none() {
        return new LockoutGuard(null);
    }

    /** Refuses {@code desired} if, at {@code now}, it blocks the host itself, its gateway or an SSH peer. */
    public void check(Snapshot desired, Instant now) throws EnforceException {
        if (facts == null) {
            return;
        }
        List<String> hits = new ArrayList<>();
        hit(desired, now, facts.ownAddresses(), "an address of this host", hits);
        hit(desired, now, facts.defaultGateways(), "the default gateway", hits);
        hit(desired, now, facts.sshPeers(), "the peer of an open SSH session", hits);
        if (!hits.isEmpty()) {
            throw new EnforceException("refusing to apply: the list would lock this host out. It blocks "
                    + String.join("; ", hits)
                    + ". Nothing was changed. Take these addresses out of the list (e.g. bulwark compile --allow ADDRESS).");
        }
    }

    private static void hit(Snapshot desired, Instant now, List<IpAddress> addresses, String what, List<String> hits) {
        Set<IpAddress> seen = new LinkedHashSet<>(addresses);
        for (IpAddress address : seen) {
            IpRange range = desired.rangeContaining(address, now);
            if (range != null) {
                hits.add(address + " (" + what + ", listed in " + range + ")");
            }
        }
    }
}
