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
 * {@code mktime} (with {@code tm_isdst} -1, as Python's {@code time.mktime} calls it for
 * fail2ban) resolves them: a time in a gap is moved past it, to the daylight-saving side (02:30
 * on the spring-forward night is 03:30 CEST, 01:30 UTC); a time in an overlap takes the offset
 * glibc guesses first, which is the offset of its previous answer (glibc keeps it in a static
 * variable; 0 when a process starts), so that a log crossing the fall-back hour keeps the
 * offset of the lines before. glibc keeps that guess per process; here it is kept per
 * detector. Not thread-safe: one per detector.
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
    /** glibc's {@code localtime_offset}: the wall clock less the epoch of the last answer. */
    private long lastOffset;

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
            lastOffset = wallOffset;
            return wallSecond - wallOffset;
        }
        long epoch = epochOfSlowly(wallSecond);
        lastOffset = wallSecond - epoch;
        return epoch;
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

    /**
     * glibc oscillates between the two sides of a gap and takes the one in daylight saving time
     * (if just one is): for a spring-forward gap, the time moved forward by the gap.
     */
    private long inGap(long wallSecond, ZoneOffsetTransition transition) {
        long forward = wallSecond - transition.getOffsetBefore().getTotalSeconds();
        long backward = wallSecond - transition.getOffsetAfter().getTotalSeconds();
        boolean forwardInDst = rules.isDaylightSavings(Instant.ofEpochSecond(forward));
        boolean backwardInDst = rules.isDaylightSavings(Instant.ofEpochSecond(backward));
        return backwardInDst && !forwardInDst ? backward : forward;
    }

    /** glibc's first guess is the last answer's offset; it keeps the first guess that fits. */
    private long inOverlap(long wallSecond, ZoneOffsetTransition transition) {
        long guess = wallSecond - lastOffset;
        int offset = rules.getOffset(Instant.ofEpochSecond(guess)).getTotalSeconds();
        if (guess + offset == wallSecond) {
            return guess;
        }
        long second = wallSecond - offset;
        if (second + rules.getOffset(Instant.ofEpochSecond(second)).getTotalSeconds() == wallSecond) {
            return second;
        }
        return wallSecond - transition.getOffsetAfter().getTotalSeconds();
    }

    private long epochOfSlowly(long wallSecond) {
        LocalDateTime wall = LocalDateTime.ofEpochSecond(wallSecond, 0, ZoneOffset.UTC);
        ZoneOffsetTransition transition = rules.getTransition(wall);
        if (transition != null) {
            return transition.isGap() ? inGap(wallSecond, transition) : inOverlap(wallSecond, transition);
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
