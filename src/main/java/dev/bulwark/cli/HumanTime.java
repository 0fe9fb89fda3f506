package dev.bulwark.cli;

import java.time.Duration;
import java.time.Instant;

/** Times and durations as a person reads them: {@code in 23h 59m}, {@code 5m ago}, {@code 1d 2h}. */
final class HumanTime {
    private HumanTime() {
    }

    /** {@code in 2h 5m}, {@code 3d ago}, {@code now}; null as {@code never}. */
    static String relative(Instant instant, Instant now) {
        if (instant == null) {
            return "never";
        }
        Duration difference = Duration.between(now, instant);
        if (difference.abs().getSeconds() < 1) {
            return "now";
        }
        return difference.isNegative() ? span(difference.negated()) + " ago" : "in " + span(difference);
    }

    /** The instant in ISO-8601 with where it stands from now: {@code 2026-11-24T12:00:00Z (in 1d)}. */
    static String absolute(Instant instant, Instant now) {
        return instant == null ? "never" : instant + " (" + relative(instant, now) + ")";
    }

    /** The two largest units: {@code 1d 2h}, {@code 3h 10m}, {@code 45s}, {@code 120ms}. */
    static String span(Duration duration) {
        long seconds = duration.getSeconds();
        if (seconds == 0) {
            return duration.toMillis() + "ms";
        }
        long days = seconds / 86_400;
        long hours = seconds % 86_400 / 3600;
        long minutes = seconds % 3600 / 60;
        if (days > 0) {
            return hours > 0 ? days + "d " + hours + "h" : days + "d";
        }
        if (hours > 0) {
            return minutes > 0 ? hours + "h " + minutes + "m" : hours + "h";
        }
        if (minutes > 0) {
            return seconds % 60 > 0 ? minutes + "m " + seconds % 60 + "s" : minutes + "m";
        }
        return seconds + "s";
    }
}
