package dev.bulwark.decision;

import static java.util.Objects.requireNonNull;

import dev.bulwark.ip.IpAddress;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every live decision in memory, by origin; immutable, so that lookups read a published book
 * without locks while the single writer builds the next one. A change to one origin copies
 * only that origin's table.
 */
public final class DecisionBook {
    private final Map<String, OriginDecisions> origins;
    private final long size;

    private DecisionBook(Map<String, OriginDecisions> origins) {
        this.origins = Collections.unmodifiableMap(origins);
        long total = 0;
        for (OriginDecisions table : origins.values()) {
            total += table.size();
        }
        this.size = total;
    }

    public static DecisionBook empty() {
        return new DecisionBook(new TreeMap<>());
    }

    /** A book of the given decisions, any origins, distinct (origin, target) pairs. */
    public static DecisionBook of(Iterable<Decision> decisions) {
        Map<String, List<Decision>> grouped = new TreeMap<>();
        for (Decision decision : decisions) {
            grouped.computeIfAbsent(decision.origin(), origin -> new ArrayList<>()).add(decision);
        }
        Map<String, OriginDecisions> origins = new TreeMap<>();
        grouped.forEach((origin, list) -> origins.put(origin, OriginDecisions.of(origin, list)));
        return new DecisionBook(origins);
    }

    /** Origins in name order. */
    public Map<String, OriginDecisions> origins() {
        return origins;
    }

    public OriginDecisions origin(String name) {
        OriginDecisions table = origins.get(name);
        return table != null ? table : OriginDecisions.empty(name);
    }

    public long size() {
        return size;
    }

    /** A copy in which {@code origin}'s decisions are {@code table} (none when it is empty). */
    public DecisionBook withOrigin(OriginDecisions table) {
        requireNonNull(table, "table is null");
        Map<String, OriginDecisions> copy = new TreeMap<>(origins);
        if (table.size() == 0) {
            copy.remove(table.origin());
        } else {
            copy.put(table.origin(), table);
        }
        return new DecisionBook(copy);
    }

    /** Every decision, any origin, whose target holds {@code address}: by origin, then target. */
    public List<Decision> containing(IpAddress address) {
        List<Decision> found = new ArrayList<>(4);
        for (OriginDecisions table : origins.values()) {
            table.containing(address, found);
        }
        return found;
    }

    /** The earliest expiry of any decision, or null when none expires. */
    public Instant nextExpiry() {
        Instant next = null;
        for (OriginDecisions table : origins.values()) {
            Instant expiresAt = table.earliestExpiry();
            if (expiresAt != null && (next == null || expiresAt.isBefore(next))) {
                next = expiresAt;
            }
        }
        return next;
    }

    /** The decisions whose expiry is at or before {@code now}. */
    public List<Decision> expiredAt(Instant now) {
        List<Decision> expired = new ArrayList<>();
        for (OriginDecisions table : origins.values()) {
            if (table.earliestExpiry() == null || table.earliestExpiry().isAfter(now)) {
                continue;
            }
            long second = now.getEpochSecond();
            for (int index = 0; index < table.size(); index++) {
                long expiry = table.expiresAtSecond(index);
                // expiries are whole seconds: not after now means at or before its second
                if (expiry != Long.MIN_VALUE && expiry <= second) {
                    expired.add(table.get(index));
                }
            }
        }
        return expired;
    }
}
