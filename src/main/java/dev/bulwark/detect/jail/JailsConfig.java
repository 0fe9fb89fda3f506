package dev.bulwark.detect.jail;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Every jail, and the built-in recidive rule across them ({@code recidive:}): an offender banned
 * {@code maxretry} times within its findtime, by any jails, is banned again for its bantime.
 *
 * @param recidive null when the rule is off
 */
public record JailsConfig(List<JailConfig> jails, JailRules recidive) {
    /** The recidive rule's name: no jail may take it. */
    public static final String RECIDIVE = "recidive";
    public static final Duration RECIDIVE_FIND_TIME = Duration.ofDays(1);
    public static final Duration RECIDIVE_BAN_TIME = Duration.ofDays(7);
    public static final List<String> RECIDIVE_CATEGORIES = List.of("bruteforce", "recidive");

    public JailsConfig {
        jails = List.copyOf(jails);
        Set<String> names = new HashSet<>();
        for (JailConfig jail : jails) {
            if (jail.name().equals(RECIDIVE)) {
                throw new IllegalArgumentException("'" + RECIDIVE + "' is the built-in rule across jails: configure it under recidive:, name the jail otherwise");
            }
            if (!names.add(jail.name())) {
                throw new IllegalArgumentException("jail name '" + jail.name() + "' is used twice");
            }
        }
        if (recidive != null && !recidive.name().equals(RECIDIVE)) {
            throw new IllegalArgumentException("the recidive rule must be named " + RECIDIVE + ", not " + recidive.name());
        }
    }

    public static JailsConfig none() {
        return new JailsConfig(List.of(), null);
    }

    /** fail2ban's recidive jail: 5 bans within 1d, banned for 1w. */
    public static JailRules defaultRecidive() {
        JailRules defaults = JailRules.defaults(RECIDIVE);
        return new JailRules(RECIDIVE, defaults.maxRetry(), RECIDIVE_FIND_TIME, RECIDIVE_BAN_TIME, defaults.ignoreIp(), defaults.increment(),
                JailRules.DEFAULT_IPV6_PREFIX, RECIDIVE_CATEGORIES);
    }
}
