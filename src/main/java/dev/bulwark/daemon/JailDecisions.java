package dev.bulwark.daemon;

import static java.util.Objects.requireNonNull;

import dev.bulwark.decision.Action;
import dev.bulwark.decision.Decision;
import dev.bulwark.decision.OriginDecisions;
import dev.bulwark.decision.StoreException;
import dev.bulwark.detect.Failure;
import dev.bulwark.detect.jail.Ban;
import dev.bulwark.detect.jail.JailBook;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Between the jails and the decisions. Each ban a jail makes of an address becomes a decision
 * of origin {@code jail:NAME} written through the keeper (stored, then published, so enforced at
 * once): target the address or prefix, action block, no score (so the policy's block_score does
 * not hold it back), the jail's categories, the ban's summary as reason, expiry the ban's end
 * (none for a permanent ban). A prolongation moves the decision's expiry and keeps its reason.
 * A ban of a failure id that is no address is returned and never stored. At start the bans in
 * force are given back to the jails from the decisions, so that no log is read again.
 */
public final class JailDecisions {
    /** Who makes the decisions, as their history records it. */
    static final String BY = "jail";

    private final JailBook book;
    private final DecisionKeeper keeper;

    JailDecisions(JailBook book, DecisionKeeper keeper) {
        this.book = requireNonNull(book, "book is null");
        this.keeper = requireNonNull(keeper, "keeper is null");
    }

    /** Gives every jail decision in force back to its jail; returns how many. */
    int restore() {
        int restored = 0;
        for (OriginDecisions table : keeper.current().book().origins().values()) {
            String jail = JailBook.jailOf(table.origin());
            if (jail == null || book.rules(jail) == null) {
                continue;
            }
            for (int index = 0; index < table.size(); index++) {
                Decision decision = table.get(index);
                book.restore(jail, decision.target(), decision.expiresAt());
                restored++;
            }
        }
        return restored;
    }

    /**
     * A failure on a line read as it was written (see {@link JailBook#failure}); the bans it
     * caused, those of addresses stored as decisions before this returns.
     *
     * @throws StoreException when the decisions could not be stored; the jails count the bans as made all the same
     */
    public synchronized List<Ban> failure(String jail, Failure failure, Instant now) throws StoreException {
        return decide(book.failure(jail, failure, now));
    }

    /** A failure on a line that was in the file before the jail first read it (see {@link JailBook#backlogFailure}). */
    public synchronized List<Ban> backlogFailure(String jail, Failure failure, Instant now) throws StoreException {
        return decide(book.backlogFailure(jail, failure, now));
    }

    public JailBook book() {
        return book;
    }

    private List<Ban> decide(List<Ban> bans) throws StoreException {
        if (bans.isEmpty()) {
            return bans;
        }
        List<Decision> decisions = new ArrayList<>(bans.size());
        for (Ban ban : bans) {
            if (ban.enforceable()) {
                decisions.add(decision(ban));
            }
        }
        keeper.put(decisions, BY);
        return bans;
    }

    private Decision decision(Ban ban) {
        Decision existing = ban.kind() == Ban.Kind.PROLONGED ? keeper.current().book().origin(ban.origin()).find(ban.target()) : null;
        if (existing != null) {
            return new Decision(existing.origin(), existing.target(), existing.action(), existing.score(), existing.categories(), existing.reason(),
                    existing.firstSeen(), ban.at(), ban.expiresAt());
        }
        return new Decision(ban.origin(), ban.target(), Action.BLOCK, Decision.NO_SCORE, book.rules(ban.jail()).categories(), ban.reason(),
                ban.at(), ban.at(), ban.expiresAt());
    }
}
