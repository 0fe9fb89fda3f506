package dev.bulwark.decision;

import java.util.Locale;

/** What a decision asks for: enforce a block, or only record and show the target. */
public enum Action {
    BLOCK,
    MONITOR;

    /** The name users write and the API shows: {@code block}, {@code monitor}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Action parse(String label) {
        for (Action action : values()) {
            if (action.label().equals(label.trim().toLowerCase(Locale.ROOT))) {
                return action;
            }
        }
        throw new IllegalArgumentException("unknown action '" + label + "': use block or monitor");
    }
}
