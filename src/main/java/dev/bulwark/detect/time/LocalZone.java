package dev.bulwark.detect.time;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;

/**
 * A zone's offsets, for the per-line path: the C library's {@code localtime} (epoch second to
 * wall clock) and {@code mktime} (wall clock to epoch second) with the period around the last
 * answer kept, so that lines of one period cost a comparison instead of a rules lookup.
 *
 * <p>Wall-clock times that a transition makes ambiguous or skips resolve as glibc's
 * {@code mktime} resolves them for fail2ban (checked against it under the test suite's zone):
 * a time in a gap takes the offset before the gap (02:30 on the spring-forward night is 01:30
 * UTC in Central Europe), a time in an overlap the offset after it (02:30 on the fall-back night
 * is 01:30 UTC, standard time). Not thread-safe: one per detector.
 */
final class LocalZone {
    private final ZoneRules rules;
    private final boolean fixed;
    private final int fixedOffset;

    // localtime: epoch seconds [epochFrom, epochTo) have offset epochOffset.
    private long epochFrom = 1;
    private long epochTo = 0;
    private int epochOffset;

    // mktime: wall-clock seconds [wallFrom, wallTo) are unambiguous, with offset wallOffset.
    private long wallFrom = 1;
    private long wallTo = 0;
    private int wallOffset;

    LocalZone(ZoneId zone) {
        this.rules = zone.getRules();
        this.fixed = rules.isFixedOffset();
        this.fixedOffset = fixed ? rules.getOffset(Instant.EPOCH).getTotalSeconds() : 0;
    }

    /** The offset in seconds east of UTC at {@code epochSecond}. */
    int offsetAt(long epochSecond) {
        if (fixed) {
            return fixedOffset;
        }
        if (epochSecond >= epochFrom && epochSecond < epochTo) {
            return epochOffset;
        }
        return offsetAtSlowly(epochSecond);
    }

    /** The epoch second of the wall-clock time {@code wallSecond} (seconds since 1970-01-01T00:00 local). */
    long epochOf(long wallSecond) {
        if (fixed) {
            return wallSecond - fixedOffset;
        }
        if (wallSecond >= wallFrom && wallSecond < wallTo) {
            return wallSecond - wallOffset;
        }
        return epochOfSlowly(wallSecond);
    }

    private int offsetAtSlowly(long epochSecond) {
        Instant instant = Instant.ofEpochSecond(epochSecond);
        int offset = rules.getOffset(instant).getTotalSeconds();
        ZoneOffsetTransition previous = rules.previousTransition(instant.plusSeconds(1));
        ZoneOffsetTransition next = rules.nextTransition(instant);
        epochFrom = previous == null ? Long.MIN_VALUE : previous.toEpochSecond();
        epochTo = next == null ? Long.MAX_VALUE : next.toEpochSecond();
        epochOffset = offset;
        return offset;
    }

    private long epochOfSlowly(long wallSecond) {
        LocalDateTime wall = LocalDateTime.ofEpochSecond(wallSecond, 0, ZoneOffset.UTC);
        ZoneOffsetTransition transition = rules.getTransition(wall);
        if (transition != null) {
            // A gap takes the offset before it; an overlap the one after it (as glibc's mktime).
            ZoneOffset offset = transition.isGap() ? transition.getOffsetBefore() : transition.getOffsetAfter();
            return wallSecond - offset.getTotalSeconds();
        }
        int offset = rules.getOffset(wall).getTotalSeconds();
        long epoch = wallSecond - offset;
        Instant instant = Instant.ofEpochSecond(epoch);
        ZoneOffsetTransition previous = rules.previousTransition(instant.plusSeconds(1));
        ZoneOffsetTransition next = rules.nextTransition(instant);
        // The unambiguous wall-clock span of this period: after the previous transition's
        // overlap (or gap) and before the next one's.
        wallFrom = previous == null ? Long.MIN_VALUE
                : previous.toEpochSecond() + Math.max(offset, previous.getOffsetBefore().getTotalSeconds());
        wallTo = next == null ? Long.MAX_VALUE
                : next.toEpochSecond() + Math.min(offset, next.getOffsetAfter().getTotalSeconds());
        wallOffset = offset;
        return epoch;
    }
}
