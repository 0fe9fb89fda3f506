package dev.bulwark.detect.jail;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * An offender's failures counted and not yet banned, as a clean stop leaves them for the next
 * start: the jail, the offender's key ({@link Offender#key()}), the first and latest failure's
 * times (epoch milliseconds), the count, and the matched lines kept.
 */
public record PendingFailures(String jail, String offender, long firstMillis, long lastMillis, int retry, List<String> lines) {
    public PendingFailures {
        requireNonNull(jail, "jail is null");
        requireNonNull(offender, "offender is null");
        lines = List.copyOf(lines);
        if (retry < 1 || lastMillis < firstMillis) {
            throw new IllegalArgumentException("pending failures of " + offender + " in jail " + jail + ": a count of " + retry
                    + " from " + firstMillis + " to " + lastMillis);
        }
    }
}
