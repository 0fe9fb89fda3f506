package dev.bulwark.detect.jail;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * Longer bans for repeat offenders, as fail2ban's {@code bantime.increment}: a ban after
 * {@code n} earlier bans of the same offender lasts {@code bantime * 2^min(n, 20) * factor}
 * (never less than {@code bantime}), or with {@code multipliers}
 * {@code bantime * factor * multipliers[min(n, size - 1)]}; then capped at {@code maxTime},
 * then up to {@code randomTime} added at random. A first ban ({@code n = 0}) and a permanent
 * ban are never changed. fail2ban's Python {@code bantime.formula} is not evaluated: its
 * default is the formula above, and multipliers give any other growth.
 *
 * <p>While enabled, each new failure of an offender banned {@code n} times before counts
 * {@code 2^n / 2 + 1} times (2, 3, 5, 9 ...; at most {@code maxretry}), as fail2ban's
 * observer does, so that a known offender is banned again sooner.
 *
 * @param factor       the {@code banFactor} of the formula, or the multipliers' common factor
 * @param multipliers  empty for the formula
 * @param maxTime      no incremented ban is longer (the random part aside); null: no cap
 * @param randomTime   up to this much is added to each incremented ban; zero for none
 * @param overallJails count the offender's bans in every jail, not only this one
 * @param forgetAfter  a ban is forgotten once {@code 3 * its ban time + forgetAfter} has passed since it began
 *                     (fail2ban's purge of its database with {@code dbpurgeage}); permanent bans never are
 */
public record Increment(boolean enabled, double factor, List<Integer> multipliers, Duration maxTime, Duration randomTime,
                        boolean overallJails, Duration forgetAfter) {
    public static final Duration DEFAULT_FORGET_AFTER = Duration.ofDays(1);
    public static final Increment DISABLED = new Increment(false, 1, List.of(), null, Duration.ZERO, false, DEFAULT_FORGET_AFTER);
    /** fail2ban's formula stops doubling after 20 bans. */
    private static final int MAX_DOUBLINGS = 20;

    public Increment {
        requireNonNull(randomTime, "randomTime is null");
        requireNonNull(forgetAfter, "forgetAfter is null");
        multipliers = List.copyOf(multipliers);
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("the increment's factor must be a positive number, not " + factor);
        }
        for (int multiplier : multipliers) {
            if (multiplier < 1) {
                throw new IllegalArgumentException("the increment's multipliers must be whole numbers from 1, not " + multiplier);
            }
        }
        if (maxTime != null && (maxTime.isNegative() || maxTime.isZero())) {
            throw new IllegalArgumentException("the increment's maxtime must be positive");
        }
        if (randomTime.isNegative() || forgetAfter.isNegative()) {
            throw new IllegalArgumentException("the increment's rndtime and forget_after must not be negative");
        }
    }

    /**
     * The length of a ban of base length {@code base} (null: permanent) after {@code earlierBans}
     * bans; {@code random} is a number from 0 (inclusive) to 1, used only with {@code randomTime}.
     */
    public Duration banTime(Duration base, int earlierBans, double random) {
        if (!enabled || base == null || earlierBans <= 0) {
            return base;
        }
        double seconds = base.toMillis() / 1000.0;
        double incremented;
        if (multipliers.isEmpty()) {
            incremented = Math.max(seconds, seconds * (1L << Math.min(earlierBans, MAX_DOUBLINGS)) * factor);
        } else {
            incremented = seconds * factor * multipliers.get(Math.min(earlierBans, multipliers.size() - 1));
        }
        if (maxTime != null) {
            incremented = Math.min(incremented, maxTime.toMillis() / 1000.0);
        }
        incremented += random * (randomTime.toMillis() / 1000.0);
        return Duration.ofMillis(Math.round(incremented * 1000));
    }
}
