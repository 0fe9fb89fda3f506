package dev.bulwark.feed.format;

import dev.bulwark.ip.IpFamily;

import java.util.List;

/**
 * Where a parser delivers what it reads. Primitive arguments, so that a million-line feed
 * allocates nothing per entry.
 */
public interface EntrySink {
    /** The score of an entry whose feed gives none. */
    int NO_SCORE = -1;
    /** The expiry of an entry whose feed gives none. */
    long NO_EXPIRY = 0;

    /**
     * One entry: the inclusive range {@code [first, last]} (IPv4 values in the low half),
     * a score from 0 to 100 or {@link #NO_SCORE}, and its categories (never null, often empty).
     */
    void entry(IpFamily family, long firstHigh, long firstLow, long lastHigh, long lastLow, int score, List<String> categories);

    /**
     * One entry that the feed says stops being valid at {@code expiresEpochSecond} (STIX
     * {@code valid_until}), or {@link #NO_EXPIRY}. Parsers that know an expiry call this one;
     * a sink that has no use for it need not implement it: by default the expiry is dropped.
     */
    default void entry(IpFamily family, long firstHigh, long firstLow, long lastHigh, long lastLow, int score, List<String> categories,
                       long expiresEpochSecond) {
        entry(family, firstHigh, firstLow, lastHigh, lastLow, score, categories);
    }

    /**
     * A malformed entry, skipped: where it was ({@code line} is 1-based, or the record number
     * for formats without lines), its text (shortened by the parser if long) and why.
     */
    void rejected(long line, String text, String reason);
}
