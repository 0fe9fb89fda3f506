package dev.bulwark.policy;

import static java.util.Objects.requireNonNull;

/**
 * What goes into a compiled list: entries scored at least {@code minScore} (unscored entries
 * always), no entry broader than the prefix limits, nothing in the protected ranges.
 */
public record CompilePolicy(int minScore, Protection protection, int maxPrefixIpv4, int maxPrefixIpv6) {
    public static final int DEFAULT_MAX_PREFIX_IPV4 = 8;
    public static final int DEFAULT_MAX_PREFIX_IPV6 = 32;

    public CompilePolicy {
        requireNonNull(protection, "protection is null");
        if (minScore < 0 || minScore > 100) {
            throw new IllegalArgumentException("minimum score must be 0 to 100, not " + minScore);
        }
        if (maxPrefixIpv4 < 0 || maxPrefixIpv4 > 32) {
            throw new IllegalArgumentException("IPv4 prefix limit must be 0 to 32, not " + maxPrefixIpv4);
        }
        if (maxPrefixIpv6 < 0 || maxPrefixIpv6 > 128) {
            throw new IllegalArgumentException("IPv6 prefix limit must be 0 to 128, not " + maxPrefixIpv6);
        }
    }

    public static CompilePolicy defaults() {
        return new CompilePolicy(0, Protection.all(), DEFAULT_MAX_PREFIX_IPV4, DEFAULT_MAX_PREFIX_IPV6);
    }
}
