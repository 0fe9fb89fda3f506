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
     * (a date pattern that allows none) or could not be read as a time.
     */
    record Found(int start, int end, Instant time) {
        public Found {
            if (start < 0 || end < start) {
                throw new IllegalArgumentException("bad span " + start + ".." + end);
            }
        }
    }

    /** No dates: every line takes the time it is read (or the journal's). */
    DateFinder NONE = (line, now) -> null;
}
