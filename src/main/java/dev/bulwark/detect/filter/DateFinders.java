package dev.bulwark.detect.filter;

import dev.bulwark.detect.time.DateDetector;
import dev.bulwark.detect.time.DateMatch;

import java.time.ZoneId;

/** A filter's dates found by fail2ban's date detection ({@link DateDetector}), with the filter's datepattern. */
public final class DateFinders {
    private DateFinders() {
    }

    /**
     * A new date finder for one filter (a detector keeps state: the templates that hit most
     * are tried first). {@code zone}: the zone of dates that carry none.
     */
    public static DateFinder of(FilterDefinition definition, ZoneId zone) {
        DateDetector detector;
        try {
            detector = DateDetector.of(definition.datePatterns(), zone);
        } catch (IllegalArgumentException e) {
            throw new FilterException(definition.where() + ": datepattern: " + e.getMessage(), e);
        }
        return (line, now) -> {
            DateMatch match = detector.match(line, now);
            if (match == null) {
                return null;
            }
            if (match.start() < 0) {
                return new DateFinder.Found(0, 0, null);
            }
            return new DateFinder.Found(match.start(), match.end(), match.time(), match.outcome() == DateMatch.Outcome.FAILED);
        };
    }
}
