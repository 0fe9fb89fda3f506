package dev.bulwark.detect.jail;

import static java.util.Objects.requireNonNull;

import dev.bulwark.ip.IpSet;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How one jail counts failures and bans, with fail2ban's defaults: an offender with
 * {@code maxRetry} failures within {@code findTime} is banned for {@code banTime}.
 *
 * @param name       the jail's name; its decisions' origin is {@code jail:NAME}
 * @param banTime    null: permanent (fail2ban's {@code bantime = -1})
 * @param ignoreIp   offenders never counted
 * @param ipv6Prefix an IPv6 offender is counted and banned as its /ipv6Prefix (128: the address alone)
 * @param categories the categories of its decisions
 */
public record JailRules(String name, int maxRetry, Duration findTime, Duration banTime, IpSet ignoreIp, Increment increment,
                        int ipv6Prefix, List<String> categories) {
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    public static final int DEFAULT_MAX_RETRY = 5;
    public static final Duration DEFAULT_FIND_TIME = Duration.ofMinutes(10);
    public static final Duration DEFAULT_BAN_TIME = Duration.ofMinutes(10);
    /**
     * One host normally holds a whole /64 (SLAAC, privacy addresses): counted per address, one
     * attacker could change address at every attempt and never reach maxretry.
     */
    public static final int DEFAULT_IPV6_PREFIX = 64;
    public static final List<String> DEFAULT_CATEGORIES = List.of("bruteforce");
    public static final int MAX_MAX_RETRY = 1_000_000;

    public JailRules {
        requireNonNull(name, "name is null");
        requireNonNull(findTime, "findTime is null");
        requireNonNull(ignoreIp, "ignoreIp is null");
        requireNonNull(increment, "increment is null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("jail name '" + name + "' must be 1 to 64 of letters, digits and . _ -, starting with a letter or digit");
        }
        if (maxRetry < 1 || maxRetry > MAX_MAX_RETRY) {
            throw new IllegalArgumentException("jail " + name + ": maxretry must be 1 to " + MAX_MAX_RETRY + ", not " + maxRetry);
        }
        if (findTime.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("jail " + name + ": findtime must be at least 1s");
        }
        if (banTime != null && banTime.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("jail " + name + ": bantime must be at least 1s, or forever");
        }
        if (ipv6Prefix < 1 || ipv6Prefix > 128) {
            throw new IllegalArgumentException("jail " + name + ": ipv6_prefix must be 1 to 128, not " + ipv6Prefix);
        }
        categories = List.copyOf(categories);
    }

    /** fail2ban's defaults for a jail of this name. */
    public static JailRules defaults(String name) {
        return new JailRules(name, DEFAULT_MAX_RETRY, DEFAULT_FIND_TIME, DEFAULT_BAN_TIME, IpSet.empty(), Increment.DISABLED,
                DEFAULT_IPV6_PREFIX, DEFAULT_CATEGORIES);
    }

    public boolean permanent() {
        return banTime == null;
    }

    /** The origin of this jail's decisions. */
    public String origin() {
        return JailBook.origin(name);
    }
}
