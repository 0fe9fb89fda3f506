package dev.bulwark.cli;

import dev.bulwark.config.DurationFormat;

import java.time.Duration;

/** Durations on the command line, read as the configuration reads them: {@code 500ms}, {@code 30s}, {@code 15m}, {@code 1h30m}, {@code 7d}. */
final class Durations {
    private Durations() {
    }

    static Duration parse(String text, String what) {
        Duration duration = DurationFormat.parse(text);
        if (duration == null) {
            throw new IllegalArgumentException(what + ": '" + text + "' is not a duration; write e.g. 500ms, 30s, 15m, 12h or 7d");
        }
        return duration;
    }
}
