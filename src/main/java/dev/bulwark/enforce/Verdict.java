package dev.bulwark.enforce;

import java.util.Locale;

/** What happens to a listed packet: silently dropped, or rejected with an ICMP error (a TCP reset for TCP). */
public enum Verdict {
    DROP,
    REJECT;

    public static Verdict parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown action '" + text + "': use drop or reject");
        }
    }
}
