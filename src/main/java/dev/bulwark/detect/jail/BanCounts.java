package dev.bulwark.detect.jail;

import java.io.IOException;
import java.util.Collection;
import java.util.List;

/**
 * Where ban counts are kept across restarts, so that escalation still knows a repeat offender.
 * The jails keep every count in memory and write each change here.
 */
public interface BanCounts extends AutoCloseable {
    /** Every count kept. */
    List<BanCount> load() throws IOException;

    /** Creates or replaces the count of its (jail, offender); durable when it returns. */
    void put(BanCount count) throws IOException;

    /** Deletes the counts of these (jail, offender) pairs. */
    void remove(Collection<BanCount> counts) throws IOException;

    @Override
    void close() throws IOException;
}
