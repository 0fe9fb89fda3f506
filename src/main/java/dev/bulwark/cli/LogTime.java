package dev.bulwark.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** When an offline replay takes its log to be read: what decides the year of a syslog date. */
final class LogTime {
    private LogTime() {
    }

    /**
     * {@code given} (ISO-8601) when there is one; else the log's last modification, when its
     * last line was written, so that each line gets the year it had when it was read live; else
     * (stdin, an unreadable time) the clock's now.
     */
    static Instant readAt(String given, String log, Clock clock) {
        if (given != null) {
            try {
                return Instant.parse(given);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("--now " + given + ": not an ISO-8601 instant; write e.g. 2026-11-30T12:00:00Z");
            }
        }
        if (log.equals("-")) {
            return clock.instant();
        }
        try {
            return Files.getLastModifiedTime(Path.of(log)).toInstant();
        } catch (IOException e) {
            return clock.instant();
        }
    }
}
