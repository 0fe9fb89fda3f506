package dev.bulwark.api;

import dev.bulwark.feed.FeedStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The daemon at a glance, for {@code bulwark status} and {@code GET /v1/status}.
 *
 * @param decisions  live decisions, all origins
 * @param blockedV4  prefixes enforced, IPv4
 * @param blockedV6  prefixes enforced, IPv6
 * @param monitored  live decisions in the monitor band
 * @param enforcers  each enforcer's last apply
 */
public record Status(String version, Instant startedAt, long snapshotVersion, long decisions, long blockedV4, long blockedV6,
                     long monitored, List<FeedStatus> feeds, List<EnforcerStatus> enforcers) {
    public Status {
        feeds = List.copyOf(feeds);
        enforcers = List.copyOf(enforcers);
    }

    /** {@code error} is null after a good apply. */
    public record EnforcerStatus(String name, Instant lastApply, Duration lastDuration, String lastSummary, String error) {
    }
}
