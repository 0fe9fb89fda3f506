package dev.bulwark.daemon;

import static java.util.Objects.requireNonNull;

import dev.bulwark.decision.Action;
import dev.bulwark.decision.Change;
import dev.bulwark.decision.Decision;
import dev.bulwark.decision.DecisionBatch;
import dev.bulwark.decision.DecisionBook;
import dev.bulwark.decision.DecisionStore;
import dev.bulwark.decision.OriginDecisions;
import dev.bulwark.decision.StoreException;
import dev.bulwark.ip.IpRange;
import dev.bulwark.ip.IpSet;
import dev.bulwark.policy.DecisionPolicy;
import dev.bulwark.policy.HostExclusions;
import dev.bulwark.policy.Snapshot;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The single writer of decisions: every change (a feed's round, a ban, an unban, an expiry)
 * is written to the store first, then applied to the in-memory book, compiled and published.
 * A change is acknowledged only once the store holds it, so a crash loses nothing acknowledged.
 */
public final class DecisionKeeper {
    private static final Comparator<Decision> BY_TARGET = Comparator.comparing(Decision::target,
            Comparator.comparing(IpRange::first).thenComparing(IpRange::last));

    private final DecisionStore store;
    private final DecisionPolicy policy;
    private final Clock clock;
    private final Consumer<Published> onPublish;
    private final AtomicReference<Published> current = new AtomicReference<>();
    private long version;

    public DecisionKeeper(DecisionStore store, DecisionPolicy policy, Clock clock, Consumer<Published> onPublish) {
        this.store = requireNonNull(store, "store is null");
        this.policy = requireNonNull(policy, "policy is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.onPublish = requireNonNull(onPublish, "onPublish is null");
    }

    /** Reads every decision from the store and publishes the first state. */
    public synchronized Published load(HostExclusions host) throws StoreException {
        List<Decision> all = new ArrayList<>();
        store.forEach(all::add);
        return publish(DecisionBook.of(all), host, clock.instant());
    }

    public Published current() {
        Published published = current.get();
        if (published == null) {
            throw new IllegalStateException("nothing published yet: load() first");
        }
        return published;
    }

    public DecisionPolicy policy() {
        return policy;
    }

    /** A new reading of the host's own addresses, gateways and SSH peers; republishes when it differs. */
    public synchronized void hostChanged(HostExclusions host) {
        Published now = current();
        if (!now.host().equals(host)) {
            publish(now.book(), host, clock.instant());
        }
    }

    /**
     * A manual ban on {@code target}, until {@code duration} from now or, when null, until
     * unbanned. Returns the decision once it is durable.
     */
    public synchronized Decision ban(IpRange target, Duration duration, String reason, int score, List<String> categories, String by)
            throws StoreException {
        requireNonNull(target, "target is null");
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            throw new IllegalArgumentException("the ban's duration must be positive, not " + duration);
        }
        Published now = current();
        policy.checkBlockable(target, now.exclusions());
        Instant at = clock.instant();
        Instant expiresAt = duration == null ? null : at.plus(duration);
        OriginDecisions manual = now.book().origin(Decision.MANUAL);
        Decision existing = manual.find(target);
        Decision decision = new Decision(Decision.MANUAL, target, Action.BLOCK, score, categories, reason,
                existing == null ? at : existing.firstSeen(), at, expiresAt);
        store.write(new DecisionBatch(at, by).put(decision, change(existing, decision)));
        publish(now.book().withOrigin(manual.with(decision)), now.host(), at);
        return decision;
    }

    /**
     * Creates or replaces decisions that their origin makes one at a time, such as a jail's
     * bans: one write, one publish. Each keeps the first-seen time of the decision it replaces.
     * Unlike {@link #ban}, a target that the allowlist, admin networks or protected ranges hold
     * is stored all the same: {@code bulwark explain} shows it and what protects it, and the
     * policy leaves it out of what is enforced. Returns the decisions as stored.
     */
    public synchronized List<Decision> put(List<Decision> decisions, String by) throws StoreException {
        if (decisions.isEmpty()) {
            return List.of();
        }
        Published now = current();
        Instant at = clock.instant();
        DecisionBatch batch = new DecisionBatch(at, by);
        DecisionBook book = now.book();
        List<Decision> stored = new ArrayList<>(decisions.size());
        for (Decision decision : decisions) {
            if (decision.origin().equals(Decision.MANUAL)) {
                throw new IllegalArgumentException("a ban by hand goes through ban(), which checks that its target can be blocked");
            }
            OriginDecisions table = book.origin(decision.origin());
            Decision existing = table.find(decision.target());
            Decision kept = existing == null ? decision : new Decision(decision.origin(), decision.target(), decision.action(), decision.score(),
                    decision.categories(), decision.reason(), existing.firstSeen(), decision.lastSeen(), decision.expiresAt());
            batch.put(kept, change(existing, kept));
            book = book.withOrigin(table.with(kept));
            stored.add(kept);
        }
        store.write(batch);
        publish(book, now.host(), at);
        return stored;
    }

    /** Removes the manual decision on exactly {@code target}; false when there was none. */
    public synchronized boolean unban(IpRange target, String by) throws StoreException {
        Published now = current();
        Instant at = clock.instant();
        DecisionBatch batch = new DecisionBatch(at, by);
        DecisionBook book = now.book();
        boolean removed = false;
        // a manual ban, and a jail's: an unban by hand lifts a false positive of a jail too
        for (OriginDecisions table : List.copyOf(book.origins().values())) {
            String origin = table.origin();
            if (!origin.equals(Decision.MANUAL) && !origin.startsWith(dev.bulwark.detect.jail.JailBook.ORIGIN_PREFIX)) {
                continue;
            }
            Decision existing = table.find(target);
            if (existing == null) {
                continue;
            }
            batch.remove(existing, Change.REMOVED);
            book = book.withOrigin(table.without(target));
            removed = true;
        }
        if (!removed) {
            return false;
        }
        store.write(batch);
        publish(book, now.host(), at);
        return true;
    }

    /**
     * One round of a feed: {@code fresh} is its whole content in force (fresh or last good) as
     * decisions seen at {@code at}, each expiring at the earlier of its own expiry and
     * {@code feedExpiry}. Entries new to the feed are created, changed ones replaced, the rest
     * touched (seen again, expiry moved on), and those that left the feed removed.
     */
    public synchronized RoundResult feedRound(String origin, List<Decision> fresh, Instant at, Instant feedExpiry) throws StoreException {
        // decisions keep whole seconds: compare in them
        at = at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        feedExpiry = feedExpiry.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Published now = current();
        OriginDecisions previous = now.book().origin(origin);
        Decision[] incoming = merged(fresh);
        DecisionBatch batch = new DecisionBatch(at, "feed");
        Instant previousFeedExpiry = previous.latestExpiry();
        if (previous.size() > 0) {
            batch.touch(origin, at, previousFeedExpiry, feedExpiry);
        }
        List<Decision> result = new ArrayList<>(incoming.length);
        int created = 0;
        int changed = 0;
        int removed = 0;
        int left = 0;
        int right = 0;
        while (left < previous.size() || right < incoming.length) {
            int order = left == previous.size() ? 1 : right == incoming.length ? -1
                    : BY_TARGET.compare(previous.get(left), incoming[right]);
            if (order < 0) {
                batch.remove(previous.get(left++), Change.REMOVED);
                removed++;
                continue;
            }
            if (order > 0) {
                Decision decision = incoming[right++];
                batch.put(decision, Change.CREATED);
                result.add(decision);
                created++;
                continue;
            }
            Decision old = previous.get(left++);
            Decision fresher = incoming[right++];
            Decision kept = new Decision(origin, fresher.target(), fresher.action(), fresher.score(), fresher.categories(),
                    fresher.reason(), old.firstSeen(), at, fresher.expiresAt());
            // what the touch made of the stored row
            Instant touchedExpiry = Objects.equals(old.expiresAt(), previousFeedExpiry) ? feedExpiry : old.expiresAt();
            if (!sameExceptTimes(old, kept) || !Objects.equals(touchedExpiry, kept.expiresAt())) {
                batch.put(kept, change(old, kept));
                changed++;
            }
            result.add(kept);
        }
        store.write(batch);
        publish(now.book().withOrigin(OriginDecisions.of(origin, result)), now.host(), at);
        return new RoundResult(created, changed, removed, result.size());
    }

    /** Takes every decision of an origin away, e.g. a feed no longer configured. */
    public synchronized int dropOrigin(String origin, String by) throws StoreException {
        Published now = current();
        OriginDecisions table = now.book().origin(origin);
        if (table.size() == 0) {
            return 0;
        }
        Instant at = clock.instant();
        DecisionBatch batch = new DecisionBatch(at, by);
        table.forEach(decision -> batch.remove(decision, Change.REMOVED));
        store.write(batch);
        publish(now.book().withOrigin(OriginDecisions.empty(origin)), now.host(), at);
        return table.size();
    }

    /** Removes every decision whose expiry has passed at {@code now}; returns how many. */
    public synchronized int expire(Instant now) throws StoreException {
        Published published = current();
        List<Decision> expired = published.book().expiredAt(now);
        if (expired.isEmpty()) {
            return 0;
        }
        DecisionBatch batch = new DecisionBatch(now, "expiry");
        expired.forEach(decision -> batch.remove(decision, Change.EXPIRED));
        store.write(batch);
        DecisionBook book = published.book();
        Map<String, List<Decision>> byOrigin = new java.util.TreeMap<>();
        for (Decision decision : expired) {
            byOrigin.computeIfAbsent(decision.origin(), origin -> new ArrayList<>()).add(decision);
        }
        for (Map.Entry<String, List<Decision>> entry : byOrigin.entrySet()) {
            OriginDecisions table = book.origin(entry.getKey());
            List<Decision> live = new ArrayList<>(table.size());
            table.forEach(decision -> {
                if (decision.isLiveAt(now)) {
                    live.add(decision);
                }
            });
            book = book.withOrigin(OriginDecisions.of(entry.getKey(), live));
        }
        publish(book, published.host(), now);
        return expired.size();
    }

    private Published publish(DecisionBook book, HostExclusions host, Instant at) {
        Published previous = current.get();
        // the same object while the host is unchanged: the policy keeps each origin's part by it
        IpSet exclusions = previous != null && previous.host().equals(host) ? previous.exclusions() : policy.exclusions(host.addresses());
        Snapshot snapshot = policy.compile(book, exclusions, at);
        Published published = new Published(++version, book, snapshot, snapshot.blockedAt(at), exclusions, host, at);
        current.set(published);
        onPublish.accept(published);
        return published;
    }

    /** Duplicate targets in one feed's content become one decision: the highest score, all categories, the latest expiry. */
    private static Decision[] merged(List<Decision> fresh) {
        Decision[] sorted = fresh.toArray(new Decision[0]);
        Arrays.sort(sorted, BY_TARGET);
        int size = 0;
        for (Decision decision : sorted) {
            if (size > 0 && sorted[size - 1].target().equals(decision.target())) {
                sorted[size - 1] = combine(sorted[size - 1], decision);
            } else {
                sorted[size++] = decision;
            }
        }
        return size == sorted.length ? sorted : Arrays.copyOf(sorted, size);
    }

    private static Decision combine(Decision first, Decision second) {
        LinkedHashSet<String> categories = new LinkedHashSet<>(first.categories());
        categories.addAll(second.categories());
        Instant expiresAt = first.expiresAt() == null || second.expiresAt() == null ? null
                : later(first.expiresAt(), second.expiresAt()) ? first.expiresAt() : second.expiresAt();
        return new Decision(first.origin(), first.target(), first.action(), Math.max(first.score(), second.score()),
                List.copyOf(categories), first.reason() != null ? first.reason() : second.reason(), first.firstSeen(), first.lastSeen(), expiresAt);
    }

    /** What replacing {@code existing} (null: none) with {@code decision} is, for the history. */
    private static Change change(Decision existing, Decision decision) {
        if (existing == null) {
            return Change.CREATED;
        }
        return sameExceptTimes(existing, decision) && later(decision.expiresAt(), existing.expiresAt()) ? Change.EXTENDED : Change.CHANGED;
    }

    private static boolean sameExceptTimes(Decision left, Decision right) {
        return left.action() == right.action() && left.score() == right.score() && left.categories().equals(right.categories())
                && Objects.equals(left.reason(), right.reason());
    }

    /** Whether {@code candidate} is later than {@code than}, null being never (latest of all). */
    private static boolean later(Instant candidate, Instant than) {
        if (candidate == null) {
            return than != null;
        }
        return than != null && candidate.isAfter(than);
    }

    /** What a feed round did. */
    public record RoundResult(int created, int changed, int removed, int total) {
    }
}
