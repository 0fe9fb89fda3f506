package dev.bulwark.decision;

import java.util.Locale;

/** What happened to a decision, as its history records it. */
public enum Change {
    /** It did not exist before. */
    CREATED,
    /** Same action, score, categories and reason; a later expiry. */
    EXTENDED,
    /** Its action, score, categories, reason or expiry changed otherwise. */
    CHANGED,
    /** Its expiry passed. */
    EXPIRED,
    /** Taken away: unbanned, or gone from its feed. */
    REMOVED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
