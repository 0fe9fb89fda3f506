package dev.bulwark.decision;

import static java.util.Objects.requireNonNull;

import dev.bulwark.ip.IpRange;

import java.time.Instant;

/**
 * One change to one decision: when, what, who made it ({@code by}: {@code feed}, a user or API
 * key name, {@code expiry}) and the decision as it was after the change (before, for a removal).
 */
public record HistoryEntry(Instant at, Change change, String by, Decision decision) {
    public HistoryEntry {
        requireNonNull(at, "at is null");
        requireNonNull(change, "change is null");
        requireNonNull(by, "by is null");
        requireNonNull(decision, "decision is null");
    }

    public String origin() {
        return decision.origin();
    }

    public IpRange target() {
        return decision.target();
    }
}
