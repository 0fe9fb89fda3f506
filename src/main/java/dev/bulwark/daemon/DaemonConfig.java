package dev.bulwark.daemon;

import static java.util.Objects.requireNonNull;

import dev.bulwark.api.ApiConfig;
import dev.bulwark.detect.jail.JailsConfig;
import dev.bulwark.enforce.EnforcerConfig;
import dev.bulwark.feed.FeedConfig;
import dev.bulwark.policy.PolicyConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The whole of bulwark.yml, validated: what the daemon and {@code bulwark apply} run with.
 * {@code historyKeep}: how long the history of decisions is kept (null: forever).
 */
public record DaemonConfig(Path source, Path stateDir, ApiConfig api, PolicyConfig policy, List<FeedConfig> feeds,
                           List<EnforcerConfig> enforce, JailsConfig jails, Duration historyKeep) {
    public static final Path DEFAULT_FILE = Path.of("/etc/bulwark/bulwark.yml");
    public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/bulwark");
    /** How long the history of decisions is kept unless the configuration says otherwise ({@code history:}). */
    public static final Duration DEFAULT_HISTORY_KEEP = Duration.ofDays(90);

    public DaemonConfig {
        requireNonNull(stateDir, "stateDir is null");
        requireNonNull(api, "api is null");
        requireNonNull(policy, "policy is null");
        requireNonNull(jails, "jails is null");
        // historyKeep null: kept forever
        feeds = List.copyOf(feeds);
        enforce = List.copyOf(enforce);
    }

    /** A configuration without jails, keeping the history the default time. */
    public DaemonConfig(Path source, Path stateDir, ApiConfig api, PolicyConfig policy, List<FeedConfig> feeds, List<EnforcerConfig> enforce) {
        this(source, stateDir, api, policy, feeds, enforce, JailsConfig.none(), DEFAULT_HISTORY_KEEP);
    }
}
