package dev.bulwark.detect.tail;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One configured journal source (a jail with {@code backend = systemd}): its name, given with
 * every line, the journal matches that select its entries (fail2ban's {@code journalmatch}:
 * {@code FIELD=VALUE}, an executable's absolute path, or {@code +} between alternatives), and
 * how far back the first start reads when no cursor was saved: zero for only new entries, or
 * the jail's find time, as fail2ban does.
 */
public record JournalSource(String name, List<String> matches, Duration lookback) {
    private static final Pattern MATCH = Pattern.compile("\\+|[A-Z0-9_]+=.*|/.+");

    public JournalSource {
        requireNonNull(name, "name is null");
        requireNonNull(lookback, "lookback is null");
        if (!FileSource.NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a source name: '" + name
                    + "' (letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64)");
        }
        matches = List.copyOf(matches);
        for (String match : matches) {
            // journalctl takes anything starting with '-' as an option, so a match must never look like one
            if (!MATCH.matcher(match).matches()) {
                throw new IllegalArgumentException("journal source " + name + ": '" + match
                        + "' is not a journal match; write FIELD=VALUE (the field in capitals), an absolute path, or +");
            }
        }
        if (lookback.isNegative()) {
            throw new IllegalArgumentException("journal source " + name + ": the lookback cannot be negative: " + lookback);
        }
    }
}
