package dev.bulwark.decision;

import static java.util.Objects.requireNonNull;

import dev.bulwark.ip.IpRange;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * What one origin (a feed's name, {@code manual}, later a jail) says about one target: there is
 * at most one decision per (origin, target). Times are whole seconds. {@code score} is 0-100 or
 * {@link #NO_SCORE}; {@code reason} may be null; {@code expiresAt} null means until removed.
 */
public record Decision(String origin, IpRange target, Action action, int score, List<String> categories, String reason,
                       Instant firstSeen, Instant lastSeen, Instant expiresAt) {
    public static final int NO_SCORE = -1;
    /** The origin of bans and unbans given by hand, through the command line or the API. */
    public static final String MANUAL = "manual";

    public Decision {
        requireNonNull(origin, "origin is null");
        requireNonNull(target, "target is null");
        requireNonNull(action, "action is null");
        requireNonNull(firstSeen, "firstSeen is null");
        requireNonNull(lastSeen, "lastSeen is null");
        if (origin.isBlank()) {
            throw new IllegalArgumentException("origin is blank");
        }
        if (score != NO_SCORE && (score < 0 || score > 100)) {
            throw new IllegalArgumentException("score must be 0 to 100, not " + score);
        }
        categories = List.copyOf(categories);
        firstSeen = seconds(firstSeen);
        lastSeen = seconds(lastSeen);
        expiresAt = expiresAt == null ? null : seconds(expiresAt);
    }

    public boolean hasScore() {
        return score != NO_SCORE;
    }

    /** Whether the decision still holds at {@code now}: no expiry, or an expiry after now. */
    public boolean isLiveAt(Instant now) {
        return expiresAt == null || expiresAt.isAfter(now);
    }

    public Key key() {
        return new Key(origin, target);
    }

    private static Instant seconds(Instant instant) {
        // already whole seconds in the common case: no new object
        return instant.getNano() == 0 ? instant : instant.truncatedTo(ChronoUnit.SECONDS);
    }

    /** What identifies a decision. */
    public record Key(String origin, IpRange target) {
        public Key {
            requireNonNull(origin, "origin is null");
            requireNonNull(target, "target is null");
        }
    }
}
