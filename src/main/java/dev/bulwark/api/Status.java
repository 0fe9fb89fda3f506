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
 * @param jails      each jail's logs and counts, the recidive rule's last
 */
public record Status(String version, Instant startedAt, long snapshotVersion, long decisions, long blockedV4, long blockedV6,
                     long monitored, List<FeedStatus> feeds, List<EnforcerStatus> enforcers, List<JailStatus> jails) {
    public Status {
        feeds = List.copyOf(feeds);
        enforcers = List.copyOf(enforcers);
        jails = List.copyOf(jails);
    }

    /** {@code error} is null after a good apply. */
    public record EnforcerStatus(String name, Instant lastApply, Duration lastDuration, String lastSummary, String error) {
    }

    /**
     * One jail, as fail2ban-client's status of a jail shows it.
     *
     * @param logs      what it reads: the files followed now (a rotated one marked so), or the journal and its matches;
     *                  empty for the recidive rule, which reads the jails' bans
     * @param lines     lines read since the start
     * @param failing   offenders counting failures now (within findtime, not yet banned)
     * @param banned    bans in force
     * @param failures  failures counted since the start
     * @param bans      bans made since the start (prolongations not counted)
     * @param forgotten offenders forgotten since the start because too many were counting at once
     */
    public record JailStatus(String name, List<String> logs, long lines, long failing, long banned, long failures, long bans,
                             long forgotten) {
        public JailStatus {
            logs = List.copyOf(logs);
        }
    }
}
