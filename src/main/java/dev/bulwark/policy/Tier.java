package dev.bulwark.policy;

import java.util.Locale;

/** Where a decision falls under the policy's score tiers. */
public enum Tier {
    /** Enforced. */
    BLOCK,
    /** Recorded and visible, not enforced. */
    MONITOR,
    /** Below the monitor score: kept, shown by explain, neither enforced nor counted as monitored. */
    IGNORE;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
