package dev.bulwark.detect.tail;

import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns one entry of {@code journalctl -o json} into the line fail2ban builds from it
 * ({@code formatJournalEntry} in fail2ban's {@code filtersystemd.py}): the host, the syslog
 * identifier (or the command) with the process id in brackets and a colon, for the kernel its
 * monotonic time as {@code [%12.6f]}, and the message, joined by spaces, newlines in it written
 * as {@code \n}. fail2ban puts the entry's time in front and takes it away again before
 * matching; here the time is passed beside the line instead.
 *
 * <p>In journal JSON a field is a string, an array of byte values (not valid UTF-8, or with
 * control characters), null (too large, not with {@code --all}), or an array of such values
 * when it occurs more than once; byte values are decoded as UTF-8 with replacement and several
 * values joined by spaces. One deviation: fail2ban writes a process id that is not a number as
 * Python prints bytes ({@code app[b'worker-3']}); here it is written as it is ({@code app[worker-3]}).
 */
final class JournalEntries {
    private static final Pattern DECIMAL = Pattern.compile("[+-]?\\d{1,18}");

    private JournalEntries() {
    }

    static String line(JsonNode entry) {
        StringBuilder line = new StringBuilder(128);
        String host = text(entry.get("_HOSTNAME"));
        if (!host.isEmpty()) {
            line.append(host);
        }
        String identifier = first(entry, "SYSLOG_IDENTIFIER", "_COMM");
        if (!identifier.isEmpty()) {
            space(line).append(identifier);
            String pid = first(entry, "SYSLOG_PID", "_PID");
            if (!pid.isEmpty()) {
                line.append('[').append(pid(pid)).append(']');
            }
            line.append(':');
            if (identifier.equals("kernel") && pid.isEmpty()) {
                String monotonic = first(entry, "_SOURCE_MONOTONIC_TIMESTAMP", "__MONOTONIC_TIMESTAMP");
                if (DECIMAL.matcher(monotonic).matches()) {
                    space(line).append(String.format(Locale.ROOT, "[%12.6f]", Long.parseLong(monotonic) / 1e6));
                }
            }
        }
        space(line).append(text(entry.get("MESSAGE")));
        return line.toString().replace("\n", "\\n");
    }

    /**
     * When the entry was written: its source realtime timestamp if it has one (the time the
     * program logged it), else the journal's, as fail2ban takes it; null if it has neither.
     */
    static Instant time(JsonNode entry) {
        String micros = first(entry, "_SOURCE_REALTIME_TIMESTAMP", "__REALTIME_TIMESTAMP");
        if (!DECIMAL.matcher(micros).matches()) {
            return null;
        }
        long value = Long.parseLong(micros);
        return Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000L), Math.floorMod(value, 1_000_000L) * 1_000L);
    }

    static String cursor(JsonNode entry) {
        JsonNode cursor = entry.get("__CURSOR");
        return cursor != null && cursor.isString() ? cursor.stringValue() : null;
    }

    /** fail2ban writes a numeric process id as an integer, anything else as it is. */
    private static String pid(String pid) {
        String trimmed = pid.strip();
        return DECIMAL.matcher(trimmed).matches() ? Long.toString(Long.parseLong(trimmed)) : pid;
    }

    private static StringBuilder space(StringBuilder line) {
        if (!line.isEmpty()) {
            line.append(' ');
        }
        return line;
    }

    private static String first(JsonNode entry, String field, String fallback) {
        String value = text(entry.get(field));
        return value.isEmpty() ? text(entry.get(fallback)) : value;
    }

    /** A field's value as text; empty when it is absent or null. */
    static String text(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return "";
        }
        if (value.isString()) {
            return value.stringValue();
        }
        if (!value.isArray()) {
            return value.asString();
        }
        if (isBytes(value)) {
            byte[] bytes = new byte[value.size()];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) value.get(i).intValue();
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
        StringBuilder joined = new StringBuilder();
        for (JsonNode element : value) {
            if (!joined.isEmpty()) {
                joined.append(' ');
            }
            joined.append(text(element));
        }
        return joined.toString();
    }

    private static boolean isBytes(JsonNode array) {
        if (array.isEmpty()) {
            return false;
        }
        for (JsonNode element : array) {
            if (!element.isIntegralNumber()) {
                return false;
            }
        }
        return true;
    }
}
