package dev.bulwark.feed;

/**
 * Told of every round of every feed; where the daemon turns content into decisions and counts
 * rounds for metrics. Called on the feeds' threads, several at once for different feeds, so an
 * implementation must be thread-safe; one feed's rounds come one after another. What it throws
 * is logged and does not stop the feed.
 */
@FunctionalInterface
public interface FeedListener {
    FeedListener NONE = (feed, round) -> {
    };

    void onRound(FeedConfig feed, FeedRound round);
}
