package dev.bulwark.detect.jail;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * How often one jail has banned one offender, and its last ban: what escalation reads.
 *
 * @param offender the address or prefix as text ({@code 192.0.2.7}, {@code 2001:db8:1:2::/64}), or {@code id:ID} for a failure id
 * @param count    the number of this ban (1 for a first ban)
 * @param lastBan  when the last ban began
 * @param banTime  how long it lasted; null: permanent
 */
public record BanCount(String jail, String offender, int count, Instant lastBan, Duration banTime) {
    public BanCount {
        requireNonNull(jail, "jail is null");
        requireNonNull(offender, "offender is null");
        requireNonNull(lastBan, "lastBan is null");
        if (count < 1) {
            throw new IllegalArgumentException("a ban count starts at 1, not " + count);
        }
    }

    /** Whether it is forgotten at {@code now}: {@code 3 * banTime + forgetAfter} after the ban began (never for a permanent ban). */
    public boolean forgottenAt(Instant now, Duration forgetAfter) {
        return banTime != null && lastBan.plus(banTime.multipliedBy(3)).plus(forgetAfter).isBefore(now);
    }
}
