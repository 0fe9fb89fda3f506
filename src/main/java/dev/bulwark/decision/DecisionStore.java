package dev.bulwark.decision;

import dev.bulwark.ip.IpAddress;

import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where decisions and their history live, durably. The daemon keeps every decision in memory
 * and writes each change here before it acknowledges it; at start it reads them all back.
 * Implementations: SQLite (embedded, the default); PostgreSQL will follow for fleets.
 */
public interface DecisionStore extends AutoCloseable {
    /** Every stored decision, expired or not, in no particular order. */
    void forEach(Consumer<Decision> action) throws StoreException;

    /** Number of stored decisions. */
    long count() throws StoreException;

    /**
     * Writes the batch in one transaction; returns once it is durable (it survives a crash of
     * the process from then on). Nothing of it is written if this throws.
     */
    void write(DecisionBatch batch) throws StoreException;

    /** The history of every decision whose target contains {@code address}, newest first, at most {@code limit}. */
    List<HistoryEntry> history(IpAddress address, int limit) throws StoreException;

    /**
     * Removes the history entries recorded before {@code before} (the decisions themselves stay);
     * returns how many. Done in short transactions, so that writes of decisions wait little.
     */
    long pruneHistory(Instant before) throws StoreException;

    @Override
    void close() throws StoreException;
}
