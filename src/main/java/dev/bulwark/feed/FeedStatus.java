package dev.bulwark.feed;

import java.time.Instant;

/**
 * How a feed is doing, for {@code status}, metrics and the log. Times are null until the
 * first such event. {@code entries} counts the content in force (the last good one).
 *
 * @param lastResult  {@code ok}, {@code not-modified}, or why the last try was refused:
 *                    {@code error}, {@code http-status}, {@code empty}, {@code garbage}, {@code shrunk}
 * @param error       the last failure's message (what, where, what to do), null after a success
 */
public record FeedStatus(String name, String location, Instant lastTry, Instant lastSuccess, Instant contentSince, long entries,
                         String lastResult, String error, int consecutiveFailures, Instant nextTry) {

    /** This status with another time of the next try. */
    public FeedStatus withNextTry(Instant next) {
        return new FeedStatus(name, location, lastTry, lastSuccess, contentSince, entries, lastResult, error, consecutiveFailures, next);
    }
}
