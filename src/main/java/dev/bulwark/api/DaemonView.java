package dev.bulwark.api;

import dev.bulwark.decision.Decision;
import dev.bulwark.decision.StoreException;
import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpRange;

import java.time.Duration;
import java.util.List;

/**
 * What the API needs from the running daemon; the daemon implements it. Lookups and lists
 * answer from memory; bans and unbans return once the store holds them.
 */
public interface DaemonView {
    /** Whether the address is blocked and why; with the store's history of its decisions when asked. */
    Explanation explain(IpAddress address, boolean withHistory) throws StoreException;

    /** Live decisions, of one origin or all (null), ordered by origin then target; at most {@code limit}. */
    List<Decision> decisions(String origin, int limit);

    /**
     * A manual ban (origin {@code manual}): for {@code duration}, or until unbanned when null.
     * Banning a target already banned by hand replaces the decision (a longer expiry extends it).
     * Throws {@link IllegalArgumentException} for a target the policy can never block (allowlisted,
     * protected, broader than the prefix limit), saying which.
     */
    Decision ban(IpRange target, Duration duration, String reason, int score, List<String> categories, String by) throws StoreException;

    /** Removes the manual decision on exactly {@code target}; false when there was none. */
    boolean unban(IpRange target, String by) throws StoreException;

    /** The enforced list (an External Dynamic List): one entry a line, IPv4 ascending then IPv6. */
    Blocklist blocklist(IpFamily family, int minScore);

    Status status();

    /** The Prometheus text exposition of the daemon's metrics. */
    String metrics();
}
