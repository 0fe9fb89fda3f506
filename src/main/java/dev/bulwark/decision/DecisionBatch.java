package dev.bulwark.decision;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Changes written together, in one transaction: all of them or none. Writes happen in this
 * order: touches, then puts, then removals.
 */
public final class DecisionBatch {
    private final Instant at;
    private final String by;
    private final List<Touch> touches = new ArrayList<>();
    private final List<Put> puts = new ArrayList<>();
    private final List<Removal> removals = new ArrayList<>();

    /** {@code at}: when the changes happen; {@code by}: who makes them, for the history. */
    public DecisionBatch(Instant at, String by) {
        this.at = requireNonNull(at, "at is null");
        this.by = requireNonNull(by, "by is null");
    }

    /** Creates or replaces the decision of its (origin, target), recording {@code change} (CREATED, EXTENDED or CHANGED). */
    public DecisionBatch put(Decision decision, Change change) {
        requireNonNull(decision, "decision is null");
        if (change != Change.CREATED && change != Change.EXTENDED && change != Change.CHANGED) {
            throw new IllegalArgumentException("a put records created, extended or changed, not " + change.label());
        }
        puts.add(new Put(decision, change));
        return this;
    }

    /** Deletes the decision, recording {@code change} (REMOVED or EXPIRED) with the decision as it was. */
    public DecisionBatch remove(Decision decision, Change change) {
        requireNonNull(decision, "decision is null");
        if (change != Change.REMOVED && change != Change.EXPIRED) {
            throw new IllegalArgumentException("a removal records removed or expired, not " + change.label());
        }
        removals.add(new Removal(decision, change));
        return this;
    }

    /**
     * Marks every decision of {@code origin} as seen at {@code lastSeen}, and moves those that
     * expire at {@code expiringAt} to {@code newExpiry}: a feed's round that found its entries
     * unchanged. No history is recorded for a touch (it would be one row per entry per round).
     */
    public DecisionBatch touch(String origin, Instant lastSeen, Instant expiringAt, Instant newExpiry) {
        touches.add(new Touch(origin, lastSeen, expiringAt, newExpiry));
        return this;
    }

    public Instant at() {
        return at;
    }

    public String by() {
        return by;
    }

    public List<Touch> touches() {
        return List.copyOf(touches);
    }

    public List<Put> puts() {
        return List.copyOf(puts);
    }

    public List<Removal> removals() {
        return List.copyOf(removals);
    }

    public boolean isEmpty() {
        return touches.isEmpty() && puts.isEmpty() && removals.isEmpty();
    }

    public record Put(Decision decision, Change change) {
    }

    public record Removal(Decision decision, Change change) {
    }

    /** {@code expiringAt} and {@code newExpiry} may be null (no expiry). */
    public record Touch(String origin, Instant lastSeen, Instant expiringAt, Instant newExpiry) {
        public Touch {
            requireNonNull(origin, "origin is null");
            requireNonNull(lastSeen, "lastSeen is null");
        }
    }
}
