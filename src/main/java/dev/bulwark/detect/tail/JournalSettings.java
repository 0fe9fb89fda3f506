package dev.bulwark.detect.tail;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * How a {@link JournalFollower} runs {@code journalctl}.
 *
 * @param executable   the program: a name looked up on the {@code PATH}, or a path
 * @param options      further options, each one argument starting with {@code --}
 *                     ({@code --directory=/var/log/journal}, {@code --merge})
 * @param saveInterval how often the cursor is saved while entries arrive (and always when
 *                     journalctl exits and at stop)
 * @param firstBackoff the wait before starting journalctl again after it exited; doubled after
 *                     each run that delivered nothing and exited before {@code maxBackoff}
 * @param maxBackoff   the longest wait between two starts
 */
public record JournalSettings(String executable, List<String> options, Duration saveInterval, Duration firstBackoff, Duration maxBackoff) {
    public static final JournalSettings DEFAULTS = new JournalSettings("journalctl", List.of(), Duration.ofSeconds(5), Duration.ofSeconds(1),
            Duration.ofMinutes(1));

    public JournalSettings {
        requireNonNull(executable, "executable is null");
        requireNonNull(saveInterval, "saveInterval is null");
        requireNonNull(firstBackoff, "firstBackoff is null");
        requireNonNull(maxBackoff, "maxBackoff is null");
        options = List.copyOf(options);
        if (executable.isBlank()) {
            throw new IllegalArgumentException("the journalctl executable is empty");
        }
        for (String option : options) {
            if (!option.startsWith("--")) {
                throw new IllegalArgumentException("journalctl option '" + option + "' must be one argument starting with --, such as --directory=/var/log/journal");
            }
        }
        if (saveInterval.isNegative() || firstBackoff.isNegative() || firstBackoff.isZero() || maxBackoff.compareTo(firstBackoff) < 0) {
            throw new IllegalArgumentException("journal settings: the save interval cannot be negative, the first backoff must be positive"
                    + " and the longest backoff at least the first: " + saveInterval + ", " + firstBackoff + ", " + maxBackoff);
        }
    }
}
