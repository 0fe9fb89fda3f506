package dev.bulwark.detect.time;

import java.time.Instant;

/**
 * Where a {@link DateDetector} found the date of a line, and what time it reads.
 *
 * <p>{@code start} and {@code end} are the date's span in the line as fail2ban's filter cuts it
 * out ({@code m.start(1)}, {@code m.end(1)} of the template's match): the filter matches its
 * failure expressions against the line without it. They are -1 when the template's first group
 * took no part in the match (fail2ban then, too, sees an empty date).
 *
 * @param start the first character of the date, or -1
 * @param end the character after the date, or -1
 * @param time the time the date reads, or null unless {@code outcome} is {@link Outcome#TIME}
 * @param outcome what the date gave
 */
public record DateMatch(int start, int end, Instant time, Outcome outcome) {
    /** What a matched date gave. */
    public enum Outcome {
        /** A time, in {@code time}. */
        TIME,
        /**
         * The template matched an empty date: {@code {NONE}}, or a pattern whose date is optional
         * and absent. fail2ban then takes the time of the last line with a date if it is under a
         * minute old, else now.
         */
        EMPTY,
        /**
         * The text matched the template but is no valid date (a 31st of February, an hour of 29,
         * a second of 60, an unknown month name): fail2ban logs "findFailure failed to parse
         * timeText" and takes the last line's time as for a line without a date.
         */
        INVALID,
        /**
         * fail2ban itself fails on this line with an exception (an unknown zone abbreviation, a
         * month without a day, {@code %I} with an absent {@code %p}, an empty date at the end of a
         * line): its filter logs the error and skips the line.
         */
        FAILED
    }

    public DateMatch {
        if (outcome == null) {
            throw new IllegalArgumentException("outcome is null");
        }
        if ((time != null) != (outcome == Outcome.TIME)) {
            throw new IllegalArgumentException("time " + time + " does not fit outcome " + outcome);
        }
    }

    /** True if there is a time. */
    public boolean hasTime() {
        return time != null;
    }
}
