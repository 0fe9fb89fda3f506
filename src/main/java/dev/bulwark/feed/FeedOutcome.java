package dev.bulwark.feed;

import static java.util.Objects.requireNonNull;

/**
 * What one round of a feed came to.
 *
 * @param kind     accepted, unchanged, or why the answer was refused
 * @param message  for a person: what happened, where (the URL redacted) and, when refused, what
 *                 stays in force and what to do; never a header value
 * @param attempts how many fetches the round made (1 plus the retries it needed)
 */
public record FeedOutcome(Kind kind, String message, int attempts) {
    public FeedOutcome {
        requireNonNull(kind, "kind is null");
        requireNonNull(message, "message is null");
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must not be negative: " + attempts);
        }
    }

    public enum Kind {
        /** New content, parsed and accepted: it is now in force and saved as the last good copy. */
        OK,
        /** A 304, an unchanged file, or the same bytes again: the content in force stays. */
        NOT_MODIFIED,
        /** Refused: no answer (connection refused, timeout, I/O failure). */
        ERROR,
        /** Refused: an HTTP status other than 2xx and 304. */
        HTTP_STATUS,
        /** Refused: an answer without entries. */
        EMPTY,
        /** Refused: nothing parseable, more rejected entries than accepted, or a broken document. */
        GARBAGE,
        /** Refused: fewer entries than the shrink guard allows. */
        SHRUNK;

        /** The name status output and metrics use: {@code ok}, {@code not-modified}, {@code http-status}... */
        public String label() {
            return switch (this) {
                case OK -> "ok";
                case NOT_MODIFIED -> "not-modified";
                case ERROR -> "error";
                case HTTP_STATUS -> "http-status";
                case EMPTY -> "empty";
                case GARBAGE -> "garbage";
                case SHRUNK -> "shrunk";
            };
        }

        /** Whether the answer was refused, so that the content in force stayed. */
        public boolean refused() {
            return switch (this) {
                case OK, NOT_MODIFIED -> false;
                case ERROR, HTTP_STATUS, EMPTY, GARBAGE, SHRUNK -> true;
            };
        }
    }

    public boolean refused() {
        return kind.refused();
    }
}
