package dev.bulwark.feed.format;

import java.io.IOException;
import java.io.InputStream;

/** Reads one feed's content (already unpacked) and reports each entry to the sink. */
public interface FeedParser {
    /**
     * Parses the whole stream. Malformed entries go to {@link EntrySink#rejected} and never
     * abort the feed; only a stream that cannot be read at all (I/O failure, or a document
     * whose structure is broken so that no further entry can be found) throws.
     */
    void parse(InputStream input, EntrySink sink) throws IOException;
}
