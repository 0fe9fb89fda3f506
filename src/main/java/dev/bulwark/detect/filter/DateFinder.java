package dev.bulwark.detect.filter;

import java.time.Instant;

/** Finds a log line's date: where its text is, and the time it says. */
@FunctionalInterface
public interface DateFinder {
    /**
     * The date in {@code line}, or null when none is found. {@code now} decides what a date
     * without a year means.
     */
    Found find(String line, Instant now);

    /**
     * The date's text is {@code line[start, end)}; {@code time} is null when that text is empty
     * (a date pattern that allows none) or could not be read as a time. {@code failed}: fail2ban
     * itself fails on this line's date (an unknown zone name, say) and skips the line.
     */
    record Found(int start, int end, Instant time, boolean failed) {
        public Found {
            if (start < 0 || end < start) {
                throw new IllegalArgumentException("bad span " + start + ".." + end);
            }
        }

        public Found(int start, int end, Instant time) {
            this(start, end, time, false);
        }
    }

    /** No dates: every line takes the time it is read (or the journal's). */
    DateFinder NONE = (line, now) -> null;
}
