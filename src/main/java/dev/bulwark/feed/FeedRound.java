package dev.bulwark.feed;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * One round of one feed, as its listener is told it.
 *
 * @param content  the content in force after the round: the fresh one, or the last good one
 *                 when the round brought nothing new or was refused; null when the feed never
 *                 had good content
 * @param changed  whether {@code content} is another than the one the previous round reported
 *                 (the first round reports any content it has as changed)
 * @param outcome  what the round came to
 * @param duration how long the round took, retries and their waits included
 * @param status   the feed's status after the round
 */
public record FeedRound(FeedContent content, boolean changed, FeedOutcome outcome, Duration duration, FeedStatus status) {
    public FeedRound {
        requireNonNull(outcome, "outcome is null");
        requireNonNull(duration, "duration is null");
        requireNonNull(status, "status is null");
    }

    FeedRound withStatus(FeedStatus newStatus) {
        return new FeedRound(content, changed, outcome, duration, newStatus);
    }
}
