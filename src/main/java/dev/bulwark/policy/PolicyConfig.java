package dev.bulwark.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.ip.IpSet;

import java.time.Duration;

/**
 * How decisions become the blocklist ({@code policy:} and {@code allow:} in bulwark.yml).
 *
 * @param blockScore   decisions scored at or above it are enforced (unscored ones always are)
 * @param monitorScore scored at or above it and below {@code blockScore}: recorded and shown, not enforced
 * @param defaultTtl   the expiry of feed entries whose feed sets no {@code ttl}
 * @param protection   ranges never blocked
 * @param adminNetworks never blocked either: the networks administrators come from
 * @param allow        never blocked: the allowlist, its files already read
 * @param checkSelf    whether the host's own addresses, gateways and SSH peers are protected at apply time
 */
public record PolicyConfig(int blockScore, int monitorScore, Duration defaultTtl, Protection protection, IpSet adminNetworks,
                           IpSet allow, int maxPrefixIpv4, int maxPrefixIpv6, boolean checkSelf) {
    public static final int DEFAULT_BLOCK_SCORE = 60;
    public static final int DEFAULT_MONITOR_SCORE = 30;
    public static final Duration DEFAULT_TTL = Duration.ofHours(24);

    public PolicyConfig {
        requireNonNull(defaultTtl, "defaultTtl is null");
        requireNonNull(protection, "protection is null");
        requireNonNull(adminNetworks, "adminNetworks is null");
        requireNonNull(allow, "allow is null");
        if (blockScore < 0 || blockScore > 100) {
            throw new IllegalArgumentException("block_score must be 0 to 100, not " + blockScore);
        }
        if (monitorScore < 0 || monitorScore > blockScore) {
            throw new IllegalArgumentException("monitor_score must be 0 to block_score (" + blockScore + "), not " + monitorScore);
        }
        if (maxPrefixIpv4 < 0 || maxPrefixIpv4 > 32) {
            throw new IllegalArgumentException("max_prefix ipv4 must be 0 to 32, not " + maxPrefixIpv4);
        }
        if (maxPrefixIpv6 < 0 || maxPrefixIpv6 > 128) {
            throw new IllegalArgumentException("max_prefix ipv6 must be 0 to 128, not " + maxPrefixIpv6);
        }
        if (defaultTtl.isNegative() || defaultTtl.isZero()) {
            throw new IllegalArgumentException("default_ttl must be positive");
        }
    }

    public static PolicyConfig defaults() {
        return new PolicyConfig(DEFAULT_BLOCK_SCORE, DEFAULT_MONITOR_SCORE, DEFAULT_TTL, Protection.all(), IpSet.empty(), IpSet.empty(),
                CompilePolicy.DEFAULT_MAX_PREFIX_IPV4, CompilePolicy.DEFAULT_MAX_PREFIX_IPV6, true);
    }
}
