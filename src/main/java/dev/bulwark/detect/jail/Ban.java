package dev.bulwark.detect.jail;

import static java.util.Objects.requireNonNull;

import dev.bulwark.ip.IpRange;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A ban a jail decided: a new one, or a ban in force that new failures made last longer (fail2ban
 * ends it then at the new failures' time plus bantime; it is not counted as another ban).
 *
 * @param id           the failure id as the filter captured it (the address, or a {@code <F-ID>})
 * @param target       what is banned: the address, or its IPv6 prefix; null when the id is no address, which can be
 *                     reported but never enforced
 * @param at           when the ban began: the time of the last failure that made it (fail2ban's ban time)
 * @param banTime      its length, escalation applied; null: permanent
 * @param expiresAt    {@code at + banTime}, null when permanent; for a prolonged ban its new end
 * @param banCount     which ban of this offender in this jail it is (1 for the first); unchanged by a prolongation
 * @param failures     the failures counted when it was decided (at least maxretry; fail2ban's estimate when they
 *                     spread over more than findtime)
 * @param firstFailure the earliest failure counted, lastFailure the latest
 * @param lines        the last matched lines, at most maxretry of them
 */
public record Ban(String jail, String id, IpRange target, Kind kind, Instant at, Duration banTime, Instant expiresAt, int banCount,
                  int failures, Instant firstFailure, Instant lastFailure, List<String> lines) {
    /** The longest reason a decision gets: one log line's worth, not a whole log. */
    public static final int REASON_LIMIT = 300;

    public enum Kind {
        NEW,
        PROLONGED
    }

    public Ban {
        requireNonNull(jail, "jail is null");
        requireNonNull(id, "id is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(at, "at is null");
        requireNonNull(firstFailure, "firstFailure is null");
        requireNonNull(lastFailure, "lastFailure is null");
        lines = List.copyOf(lines);
        if ((banTime == null) != (expiresAt == null)) {
            throw new IllegalArgumentException("a permanent ban has neither a ban time nor an expiry; any other has both");
        }
    }

    /** Whether it can become a decision: its id is an address. */
    public boolean enforceable() {
        return target != null;
    }

    public boolean permanent() {
        return banTime == null;
    }

    /** The origin of its decision: {@code jail:NAME}. */
    public String origin() {
        return JailBook.origin(jail);
    }

    /** The banned address or prefix, or the failure id. */
    public String offender() {
        return target != null ? target.toString() : id;
    }

    /**
     * What the decision's reason says: {@code 5 failures in 3m12s (ban 2, 20m): LINE}, the last
     * matched line with control characters blanked, the whole at most {@value #REASON_LIMIT}
     * characters.
     */
    public String reason() {
        String what = jail.equals(JailsConfig.RECIDIVE) ? "ban" : "failure";
        StringBuilder reason = new StringBuilder(REASON_LIMIT + 16);
        reason.append(failures).append(' ').append(what).append(failures == 1 ? "" : "s").append(" in ")
                .append(span(Duration.between(firstFailure, lastFailure))).append(" (");
        if (kind == Kind.PROLONGED) {
            reason.append("prolonged, ");
        } else if (banCount > 1) {
            reason.append("ban ").append(banCount).append(", ");
        }
        reason.append(banTime == null ? "permanent" : span(banTime)).append(')');
        if (!lines.isEmpty()) {
            reason.append(": ");
            String line = lines.getLast().strip();
            int room = REASON_LIMIT - reason.length();
            boolean cut = line.length() > room;
            int end = cut ? room - 3 : line.length();
            for (int index = 0; index < end; index++) {
                char character = line.charAt(index);
                reason.append(Character.isISOControl(character) ? ' ' : character);
            }
            if (cut) {
                reason.append("...");
            }
        }
        return reason.toString().strip();
    }

    /** {@code 1w2d}, {@code 3m12s}, {@code 0s}: the largest unit and the next one, enough to read a ban's length at a glance. */
    static String span(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        long[] sizes = {7 * 86_400, 86_400, 3_600, 60, 1};
        String[] units = {"w", "d", "h", "m", "s"};
        for (int unit = 0; unit < sizes.length; unit++) {
            long amount = seconds / sizes[unit];
            if (amount == 0) {
                continue;
            }
            String text = amount + units[unit];
            long next = unit + 1 < sizes.length ? seconds % sizes[unit] / sizes[unit + 1] : 0;
            return next == 0 ? text : text + next + units[unit + 1];
        }
        return "0s";
    }
}
