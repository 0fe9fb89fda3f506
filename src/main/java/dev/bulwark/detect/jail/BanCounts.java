package dev.bulwark.detect.jail;

import java.io.IOException;
import java.util.Collection;
import java.util.List;

/**
 * Where ban counts are kept across restarts, so that escalation still knows a repeat offender.
 * The jails keep every count in memory and write each change here. Also where the failures not
 * yet banned wait over a clean restart.
 */
public interface BanCounts extends AutoCloseable {
    /** Every count kept. */
    List<BanCount> load() throws IOException;

    /** Creates or replaces the count of its (jail, offender); durable when it returns. */
    void put(BanCount count) throws IOException;

    /** Deletes the counts of these (jail, offender) pairs. */
    void remove(Collection<BanCount> counts) throws IOException;

    /** Keeps the failures not yet banned that a clean stop leaves, in place of any kept before. */
    void putPending(List<PendingFailures> pending) throws IOException;

    /** Takes what {@link #putPending} kept: read once at start, and gone from the store after, so that a crash later does not bring it back. */
    List<PendingFailures> takePending() throws IOException;

    @Override
    void close() throws IOException;
}
