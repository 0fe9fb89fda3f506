package dev.bulwark.enforce;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Where packets are checked. {@code INPUT} and {@code FORWARD} match the source address (attackers
 * reaching this host or the hosts behind it); {@code OUTPUT} matches the destination (this host
 * connecting out to a listed address, e.g. malware calling its C2 server).
 */
public enum Hook {
    INPUT,
    FORWARD,
    OUTPUT;

    public String lowerName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean matchesDestination() {
        return this == OUTPUT;
    }

    /** Parses a comma list such as {@code input,forward}. */
    public static Set<Hook> parseList(String text) {
        EnumSet<Hook> hooks = EnumSet.noneOf(Hook.class);
        for (String part : text.split(",")) {
            String name = part.trim();
            if (name.isEmpty()) {
                continue;
            }
            try {
                hooks.add(valueOf(name.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown hook '" + name + "': use input, forward and/or output");
            }
        }
        if (hooks.isEmpty()) {
            throw new IllegalArgumentException("no hook given: use input, forward and/or output");
        }
        return hooks;
    }
}
