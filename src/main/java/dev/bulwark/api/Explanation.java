package dev.bulwark.api;

import dev.bulwark.decision.Action;
import dev.bulwark.decision.Decision;
import dev.bulwark.decision.HistoryEntry;
import dev.bulwark.ip.IpAddress;

import java.time.Instant;
import java.util.List;

/**
 * Why an address is blocked, monitored or neither.
 *
 * @param blocked     whether the enforced list holds it now
 * @param action      {@code BLOCK} when blocked, {@code MONITOR} when only monitored, null otherwise
 * @param score       the highest score among the decisions in force, or {@link Decision#NO_SCORE}
 * @param expiresAt   when the block ends (null: no end, or not blocked)
 * @param decisions   every live decision whose target contains the address, any origin or tier
 * @param allowedBy   the allowlist or admin network entry that keeps it from being blocked, or null
 * @param protectedBy the protected category that keeps it from being blocked, or null
 * @param enforcers   the enforcers whose last apply holds it
 * @param history     the store's history of those decisions, newest first (empty unless asked)
 */
public record Explanation(IpAddress address, boolean blocked, Action action, int score, Instant expiresAt,
                          List<Decision> decisions, String allowedBy, String protectedBy, List<String> enforcers,
                          List<HistoryEntry> history) {
    public Explanation {
        decisions = List.copyOf(decisions);
        enforcers = List.copyOf(enforcers);
        history = List.copyOf(history);
    }
}
