package dev.bulwark.feed;

import static java.util.Objects.requireNonNull;

import dev.bulwark.decision.Action;
import dev.bulwark.feed.format.FeedFormat;
import dev.bulwark.feed.format.ParseOptions;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One feed of the daemon's configuration ({@code feeds:} in bulwark.yml).
 *
 * @param name        unique, {@code [a-z0-9][a-z0-9._-]*}; the origin of its decisions
 * @param url         a path, {@code file:} or {@code http(s):} URL
 * @param format      null to detect it from the content
 * @param headers     HTTP request headers, secrets already resolved: never print the values
 * @param every       how often it is fetched
 * @param jitter      up to this much is added at random to each interval, so that hosts spread out
 * @param minScore    entries scored below it are not taken (unscored entries always are)
 * @param ttl         how long an entry stays after the last round that held it; null: the policy's default
 * @param shrinkGuard a new content holding fewer than {@code (1 - shrinkGuard)} of the last good entries is refused
 * @param action      what its entries ask for: block, or only monitor
 * @param timeout     for connecting and for the whole answer
 * @param retries     further tries after a failed fetch within one round, with backoff
 * @param categories  added to every entry's own categories
 * @param maxSize     the most bytes the body may have as received, and its content once unpacked
 */
public record FeedConfig(String name, String url, FeedFormat format, ParseOptions options, Map<String, String> headers,
                         Duration every, Duration jitter, int minScore, Duration ttl, double shrinkGuard, Action action,
                         Duration timeout, int retries, List<String> categories, long maxSize) {
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    public static final double DEFAULT_SHRINK_GUARD = 0.5;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_RETRIES = 2;
    /** The most a body may be as received, and its content unpacked, unless the feed's max_size says otherwise. */
    public static final long DEFAULT_MAX_SIZE = 256L << 20;
    /** The least max_size may be. */
    public static final long MIN_MAX_SIZE = 1L << 10;

    public FeedConfig {
        requireNonNull(name, "name is null");
        requireNonNull(url, "url is null");
        requireNonNull(options, "options is null");
        requireNonNull(every, "every is null");
        requireNonNull(jitter, "jitter is null");
        requireNonNull(action, "action is null");
        requireNonNull(timeout, "timeout is null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("feed name '" + name + "' must be 1 to 64 of a-z 0-9 . _ - starting with a letter or digit");
        }
        if (every.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("feed " + name + ": every must be at least 1s");
        }
        if (minScore < 0 || minScore > 100) {
            throw new IllegalArgumentException("feed " + name + ": min_score must be 0 to 100, not " + minScore);
        }
        if (shrinkGuard < 0 || shrinkGuard > 1) {
            throw new IllegalArgumentException("feed " + name + ": shrink_guard must be 0% to 100%, not " + shrinkGuard);
        }
        if (maxSize < MIN_MAX_SIZE) {
            throw new IllegalArgumentException("feed " + name + ": max_size must be at least 1KiB, not " + maxSize + " bytes");
        }
        if (retries < 0 || retries > 10) {
            throw new IllegalArgumentException("feed " + name + ": retries must be 0 to 10, not " + retries);
        }
        headers = java.util.Collections.unmodifiableMap(new TreeMap<>(headers));
        categories = List.copyOf(categories);
    }

    /** Header names only: their values may be secrets. */
    @Override
    public String toString() {
        return "FeedConfig[name=" + name + ", url=" + Redaction.url(url) + ", format=" + format + ", headers=" + headers.keySet()
                + ", every=" + every + ", minScore=" + minScore + ", ttl=" + ttl + ", shrinkGuard=" + shrinkGuard + ", action=" + action + "]";
    }
}
