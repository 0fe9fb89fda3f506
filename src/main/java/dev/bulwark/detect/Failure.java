package dev.bulwark.detect;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * One failure a filter found: who failed ({@code id}: the address, or the failure id, exactly as
 * the filter captured it), when (the time parsed from the log line, or the time it was read when
 * the line carries none), and the log lines that matched.
 */
public record Failure(String id, Instant time, List<String> lines) {
    public Failure {
        requireNonNull(id, "id is null");
        requireNonNull(time, "time is null");
        lines = List.copyOf(lines);
    }
}
