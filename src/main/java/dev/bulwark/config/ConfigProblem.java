package dev.bulwark.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * One error or warning about a configuration: where it is (the file, which may be a file the
 * configuration names, such as an allowlist; line and column from 1, or 0 when the problem has
 * no place), the key path such as {@code feeds[2].every} (null when none applies) and what is
 * wrong and what to write instead. Never holds a secret value.
 */
public record ConfigProblem(Severity severity, Path file, int line, int column, String key, String message) {
    public enum Severity {
        ERROR,
        WARNING
    }

    public ConfigProblem {
        requireNonNull(severity, "severity is null");
        requireNonNull(file, "file is null");
        requireNonNull(message, "message is null");
        if (line < 0 || column < 0) {
            throw new IllegalArgumentException("line and column count from 1 (0 for none), not " + line + ":" + column);
        }
    }

    /** {@code FILE:LINE:COLUMN: key: message}, with {@code warning: } before the message of a warning. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder().append(file);
        if (line > 0) {
            text.append(':').append(line).append(':').append(column);
        }
        text.append(": ");
        if (key != null && !key.isEmpty()) {
            text.append(key).append(": ");
        }
        if (severity == Severity.WARNING) {
            text.append("warning: ");
        }
        return text.append(message).toString();
    }
}
