package dev.bulwark.detect.time;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * What a {@link DateDetector} needs to know besides its patterns.
 *
 * @param localZone the zone of the machine's clock (fail2ban's process time zone): lines that
 *     name no zone are in it unless {@code logTimeZone} is set, and "now" is read in it when
 *     fail2ban's rules for a missing year or day compare a date with now
 * @param logTimeZone fail2ban's {@code logtimezone} option: the fixed offset of lines that name no
 *     zone, or null for none (then {@code localZone}, with its daylight saving time, applies)
 * @param currentYear the year fail2ban was started in, which decides the years {@code %ExY}
 *     accepts: 2000 to the end of the decade three years ahead
 */
public record DateSettings(ZoneId localZone, ZoneOffset logTimeZone, int currentYear) {
    public DateSettings {
        requireNonNull(localZone, "localZone is null");
        if (currentYear < 1000 || currentYear > 9995) {
            throw new IllegalArgumentException("currentYear out of range: " + currentYear);
        }
    }

    /** Lines without a zone in {@code zone}; {@code %ExY}'s years as of {@code clock}'s date there. */
    public static DateSettings of(ZoneId zone, Clock clock) {
        return new DateSettings(zone, null, LocalDate.now(clock.withZone(zone)).getYear());
    }

    /** The same, with fail2ban's {@code logtimezone} (see {@link LogTimeZone#parse}). */
    public DateSettings withLogTimeZone(ZoneOffset offset) {
        return new DateSettings(localZone, offset, currentYear);
    }
}
