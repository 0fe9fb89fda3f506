package dev.bulwark.detect.jail;

import static java.util.Objects.requireNonNull;

import dev.bulwark.detect.Failure;
import dev.bulwark.ip.IpRange;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every jail's counting: failures in, bans out, with fail2ban's semantics (server/failmanager.py,
 * ticket.py, actions.py, banmanager.py, observer.py).
 *
 * <ul>
 * <li>Per offender, failures are counted while they lie within findtime of the latest (see
 *     {@link Ticket} for how fail2ban scales a count that spreads further). When the count
 *     reaches maxretry the offender is banned and its count starts again from nothing.
 * <li>A ban lasts from its last failure's time for bantime, escalated for repeat offenders
 *     ({@link Increment}); a ban whose end has already passed is not made.
 * <li>Failures of an offender already banned are counted as any others; reaching maxretry again
 *     prolongs the ban to the new failures' time plus bantime when that ends later, and is not
 *     another ban.
 * <li>A failure id that is no address (fail2ban's {@code <F-ID>}) is counted and banned the same
 *     way; its ban is reported ({@link Ban#enforceable()} false) and never becomes a decision.
 * <li>Each new ban of an address also counts as a failure for the recidive rule, at the time it
 *     was decided, as fail2ban's recidive jail reads its "Ban" lines.
 * </ul>
 *
 * <p>Time: {@code now} is passed in. A failure's own time is used as fail2ban's filter uses it:
 * never later than now; in {@link #failure} (lines read as they are written) a time more than a
 * minute from now is taken as now (a wrong time zone or a late write); in {@link #backlogFailure}
 * (lines already in a file when it is first read) failures older than findtime are ignored. To
 * replay a log offline, pass each failure with {@code now} at its own time.
 *
 * <p>At most {@link #MAX_OFFENDERS} offenders are counted per jail at once. Failures not yet
 * banned are kept over a clean restart ({@link #keepPending}, {@link #restorePending}), which
 * fail2ban does not do; a crash loses them. Kept: the bans in force,
 * restored from the decisions ({@link #restore}), and the ban counts ({@link BanCounts}).
 * Thread-safe; one lock.
 */
public final class JailBook {
    private static final Logger LOG = LoggerFactory.getLogger(JailBook.class);
    public static final String ORIGIN_PREFIX = "jail:";
    /** fail2ban's filter takes a time further than this from now, on a line read as written, as now. */
    static final Duration LIVE_DEVIATION = Duration.ofMinutes(1);
    /** How often, in the time passed in, aged failures, ended bans and forgotten counts are dropped. */
    static final Duration SWEEP_EVERY = Duration.ofMinutes(1);
    /**
     * Matched lines kept per offender (fail2ban's maxmatches, which defaults to maxretry): a
     * distributed attack makes one ticket per address, and each holds its lines until findtime passes.
     */
    static final int MAX_LINES = 10;
    /** fail2ban's observer: retries of a known offender grow with 2^bans, capped at maxretry. */
    private static final int MAX_DOUBLINGS = 20;
    /**
     * Offenders counted and not yet banned, per jail, at most: a distributed attack of more
     * addresses than this within findtime, each failing fewer than maxretry times, makes the
     * jail forget the one whose last failure is oldest (fail2ban keeps every one, without bound).
     * At most 10 lines each, that is some hundred megabytes in the worst case.
     */
    static final int MAX_OFFENDERS = 100_000;

    private final Map<String, Jail> jails = new LinkedHashMap<>();
    private final Jail recidive;
    private final BanCounts store;
    private final RandomGenerator random;
    /** Offender key, then jail name. */
    private final Map<String, Map<String, BanCount>> counts = new HashMap<>();
    private Instant nextSweep = Instant.MIN;

    /** Reads the ban counts from {@code store}, which the book then writes; {@code random} draws the rndtime part. */
    public JailBook(JailsConfig config, BanCounts store, RandomGenerator random) throws IOException {
        requireNonNull(config, "config is null");
        this.store = requireNonNull(store, "store is null");
        this.random = requireNonNull(random, "random is null");
        for (JailConfig jail : config.jails()) {
            jails.put(jail.name(), new Jail(jail.rules()));
        }
        this.recidive = config.recidive() == null ? null : new Jail(config.recidive());
        for (BanCount count : store.load()) {
            counts.computeIfAbsent(count.offender(), offender -> new HashMap<>()).put(count.jail(), count);
        }
    }

    /** The origin of a jail's decisions: {@code jail:NAME}. */
    public static String origin(String jail) {
        return ORIGIN_PREFIX + jail;
    }

    /** The jail an origin names, or null when it is no jail's. */
    public static String jailOf(String origin) {
        return origin.startsWith(ORIGIN_PREFIX) ? origin.substring(ORIGIN_PREFIX.length()) : null;
    }

    /** The configured jails' names, and {@code recidive} when that rule is on: the origins the book owns. */
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>(jails.keySet());
        if (recidive != null) {
            names.add(JailsConfig.RECIDIVE);
        }
        return names;
    }

    /** The rules of a configured jail or of the recidive rule, or null. */
    public JailRules rules(String jail) {
        Jail found = state(jail);
        return found == null ? null : found.rules;
    }

    private Jail state(String jail) {
        return jail.equals(JailsConfig.RECIDIVE) ? recidive : jails.get(jail);
    }

    /**
     * A failure on a line read as it was written. Returns the bans it caused: none, a new ban,
     * a prolonged one, and possibly the recidive rule's ban after a new one.
     *
     * @throws IllegalArgumentException when no jail is named {@code jail}
     */
    public synchronized List<Ban> failure(String jail, Failure failure, Instant now) {
        return count(jail, failure, now, true);
    }

    /** A failure on a line that was in the file before the jail first read it: ignored when older than findtime. */
    public synchronized List<Ban> backlogFailure(String jail, Failure failure, Instant now) {
        return count(jail, failure, now, false);
    }

    private List<Ban> count(String name, Failure failure, Instant now, boolean live) {
        Jail jail = jail(name);
        sweepIfDue(now);
        Instant time = failure.time();
        if (live) {
            if (Duration.between(now, time).abs().compareTo(LIVE_DEVIATION) > 0) {
                time = now;
            }
        } else if (time.isBefore(now.minus(jail.rules.findTime()))) {
            return List.of();
        }
        if (time.isAfter(now)) {
            time = now;
        }
        Offender offender = Offender.of(failure.id(), jail.rules);
        if (offender == null) {
            return List.of();
        }
        return count(jail, offender, time, failure.lines(), now);
    }

    private List<Ban> count(Jail jail, Offender offender, Instant time, List<String> lines, Instant now) {
        JailRules rules = jail.rules;
        long findTime = rules.findTime().toMillis();
        long at = time.toEpochMilli();
        Ticket ticket = jail.tickets.get(offender.key());
        if (ticket != null && ticket.agedAt(now.toEpochMilli(), findTime)) {
            ticket = null;
        }
        int maxLines = Math.min(rules.maxRetry(), MAX_LINES);
        jail.failures++;
        if (ticket == null) {
            ticket = new Ticket(at, lines, maxLines);
            jail.admit(offender.key(), ticket, now.toEpochMilli());
        } else {
            ticket.add(at, findTime, lines, maxLines);
        }
        if (ticket.retry() < rules.maxRetry() && rules.increment().enabled()) {
            BanCount known = known(offender.key(), rules.name(), now);
            // fail2ban skips failures at or before the last ban: lines it read again after a restart
            if (known != null && time.isAfter(known.lastBan())) {
                int retries = Math.min((1 << Math.min(known.count(), MAX_DOUBLINGS)) / 2 + 1, rules.maxRetry());
                ticket.addRetries(retries - 1);
            }
        }
        if (ticket.retry() < rules.maxRetry()) {
            return List.of();
        }
        jail.tickets.remove(offender.key());
        return ban(jail, offender, ticket, now);
    }

    private List<Ban> ban(Jail jail, Offender offender, Ticket ticket, Instant now) {
        JailRules rules = jail.rules;
        Instant at = Instant.ofEpochMilli(ticket.lastMillis());
        Instant baseEnd = rules.permanent() ? null : at.plus(rules.banTime());
        if (baseEnd != null && baseEnd.isBefore(now)) {
            return List.of();
        }
        ActiveBan active = jail.bans.get(offender.key());
        if (active != null && active.endedAt(now)) {
            active = null;
        }
        if (active != null) {
            if (active.end() == null || baseEnd != null && !baseEnd.isAfter(active.end())) {
                return List.of();
            }
            jail.bans.put(offender.key(), new ActiveBan(baseEnd, active.count()));
            return List.of(ban(jail, offender, Ban.Kind.PROLONGED, ticket, at, rules.banTime(), baseEnd, active.count()));
        }
        int earlier = earlierBans(offender.key(), rules, now);
        Increment increment = rules.increment();
        double draw = increment.enabled() && !increment.randomTime().isZero() && earlier > 0 ? random.nextDouble() : 0;
        Duration banTime = increment.banTime(rules.banTime(), earlier, draw);
        Instant end = banTime == null ? null : at.plus(banTime);
        int number = earlier + 1;
        remember(new BanCount(rules.name(), offender.key(), number, at, banTime));
        jail.bans.put(offender.key(), new ActiveBan(end, number));
        jail.bansMade++;
        Ban ban = ban(jail, offender, Ban.Kind.NEW, ticket, at, banTime, end, number);
        if (recidive == null || jail == recidive || offender.target() == null || offender.ignoredBy(recidive.rules.ignoreIp())) {
            return List.of(ban);
        }
        List<Ban> bans = new ArrayList<>(2);
        bans.add(ban);
        bans.addAll(count(recidive, Offender.of(offender.target()), now, List.of("[" + rules.name() + "] Ban " + offender.key()), now));
        return bans;
    }

    private static Ban ban(Jail jail, Offender offender, Ban.Kind kind, Ticket ticket, Instant at, Duration banTime, Instant end, int number) {
        String id = offender.target() == null ? offender.key().substring(Offender.ID_PREFIX.length()) : offender.key();
        return new Ban(jail.rules.name(), id, offender.target(), kind, at, banTime, end, number, ticket.retry(),
                Instant.ofEpochMilli(ticket.firstMillis()), at, ticket.lines());
    }

    /**
     * How many bans came before: this jail's count of the offender, or with overalljails the
     * sum of every jail's (which is what fail2ban reads, and then stores plus one).
     */
    private int earlierBans(String offender, JailRules rules, Instant now) {
        if (!rules.increment().enabled() || !rules.increment().overallJails()) {
            BanCount own = known(offender, rules.name(), now);
            return own == null ? 0 : own.count();
        }
        int sum = 0;
        for (BanCount count : counts.getOrDefault(offender, Map.of()).values()) {
            if (!count.forgottenAt(now, forgetAfter(count.jail()))) {
                sum += count.count();
            }
        }
        return sum;
    }

    private BanCount known(String offender, String jail, Instant now) {
        BanCount count = counts.getOrDefault(offender, Map.of()).get(jail);
        return count == null || count.forgottenAt(now, forgetAfter(jail)) ? null : count;
    }

    private Duration forgetAfter(String jail) {
        JailRules rules = rules(jail);
        return rules == null ? Increment.DEFAULT_FORGET_AFTER : rules.increment().forgetAfter();
    }

    /** Kept in memory even when the store fails: the ban itself matters more than its count, which only escalation reads. */
    private void remember(BanCount count) {
        counts.computeIfAbsent(count.offender(), offender -> new HashMap<>()).put(count.jail(), count);
        try {
            store.put(count);
        } catch (IOException e) {
            LOG.error("jail {}: the ban of {} is made, but its count could not be stored (a restart forgets it): {}", count.jail(),
                    count.offender(), e.getMessage());
        }
    }

    /**
     * A ban in force that the decisions hold (at start): failures of its target while it lasts
     * prolong it instead of banning again. {@code expiresAt} null: permanent. Ignored for a jail
     * not configured.
     */
    public synchronized void restore(String jail, IpRange target, Instant expiresAt) {
        Jail restored = state(jail);
        if (restored == null) {
            return;
        }
        String key = Offender.of(target).key();
        BanCount count = counts.getOrDefault(key, Map.of()).get(jail);
        restored.bans.put(key, new ActiveBan(expiresAt, count == null ? 1 : count.count()));
    }

    /**
     * Keeps the failures not yet banned (those within findtime at {@code now}) in the store, for
     * the next start: at a clean stop, once no more lines come. Returns how many offenders'.
     */
    public synchronized int keepPending(Instant now) throws IOException {
        List<PendingFailures> pending = new ArrayList<>();
        for (String name : names()) {
            Jail jail = state(name);
            long findTime = jail.rules.findTime().toMillis();
            for (Map.Entry<String, Ticket> entry : jail.tickets.entrySet()) {
                Ticket ticket = entry.getValue();
                if (!ticket.agedAt(now.toEpochMilli(), findTime)) {
                    pending.add(new PendingFailures(name, entry.getKey(), ticket.firstMillis(), ticket.lastMillis(), ticket.retry(), ticket.lines()));
                }
            }
        }
        store.putPending(pending);
        return pending.size();
    }

    /**
     * Counts on from the failures a clean stop kept ({@link #keepPending}): those of jails still
     * configured and still within findtime at {@code now}. Returns how many offenders' were
     * taken up. A store that cannot give them is logged; the counts start afresh.
     */
    public synchronized int restorePending(Instant now) {
        List<PendingFailures> kept;
        try {
            kept = store.takePending();
        } catch (IOException e) {
            LOG.warn("{}", e.getMessage());
            return 0;
        }
        int restored = 0;
        for (PendingFailures failures : kept) {
            Jail jail = state(failures.jail());
            if (jail == null) {
                continue;
            }
            Ticket ticket = Ticket.restored(failures.firstMillis(), failures.lastMillis(), failures.retry(), failures.lines(),
                    Math.min(jail.rules.maxRetry(), MAX_LINES));
            if (ticket.agedAt(now.toEpochMilli(), jail.rules.findTime().toMillis())) {
                continue;
            }
            jail.admit(failures.offender(), ticket, now.toEpochMilli());
            restored++;
        }
        return restored;
    }

    /**
     * How many failures an offender has counted and not yet been banned for; 0 for none. For
     * {@code bulwark detect} and tests. The look moves the offender last in the order of
     * forgetting, as a failure would.
     */
    public synchronized int pendingFailures(String jail, String id, Instant now) {
        Jail counting = jail(jail);
        Offender offender = Offender.of(id, counting.rules);
        Ticket ticket = offender == null ? null : counting.tickets.get(offender.key());
        return ticket == null || ticket.agedAt(now.toEpochMilli(), counting.rules.findTime().toMillis()) ? 0 : ticket.retry();
    }

    /** The ban count of an offender (an address, prefix or failure id as {@link Ban#offender()} gives it), 0 when none or forgotten. */
    public synchronized int banCount(String jail, String offender, Instant now) {
        IpRange target = IpRange.tryParse(offender);
        String key = target != null ? Offender.of(target).key() : Offender.ID_PREFIX + offender;
        BanCount count = known(key, jail, now);
        return count == null ? 0 : count.count();
    }

    /** Drops failures older than findtime, bans that ended and forgotten counts; done on its own every minute of the time passed in. */
    public synchronized void sweep(Instant now) {
        nextSweep = now.plus(SWEEP_EVERY);
        List<Jail> all = new ArrayList<>(jails.values());
        if (recidive != null) {
            all.add(recidive);
        }
        for (Jail jail : all) {
            long findTime = jail.rules.findTime().toMillis();
            jail.tickets.values().removeIf(ticket -> ticket.agedAt(now.toEpochMilli(), findTime));
            jail.bans.values().removeIf(ban -> ban.endedAt(now));
        }
        List<BanCount> forgotten = new ArrayList<>();
        for (Map<String, BanCount> byJail : counts.values()) {
            for (BanCount count : byJail.values()) {
                if (count.forgottenAt(now, forgetAfter(count.jail()))) {
                    forgotten.add(count);
                }
            }
        }
        if (forgotten.isEmpty()) {
            return;
        }
        for (BanCount count : forgotten) {
            Map<String, BanCount> byJail = counts.get(count.offender());
            byJail.remove(count.jail());
            if (byJail.isEmpty()) {
                counts.remove(count.offender());
            }
        }
        try {
            store.remove(forgotten);
        } catch (IOException e) {
            LOG.warn("cannot remove {} forgotten ban counts from the store; they are forgotten in memory: {}", forgotten.size(), e.getMessage());
        }
    }

    private void sweepIfDue(Instant now) {
        if (!now.isBefore(nextSweep)) {
            sweep(now);
        }
    }

    private Jail jail(String name) {
        Jail jail = jails.get(name);
        if (jail == null) {
            throw new IllegalArgumentException("no jail named '" + name + "'; the jails are " + jails.keySet());
        }
        return jail;
    }

    /**
     * One jail at a glance, for {@code bulwark status}: offenders counting now (not yet banned,
     * within findtime), bans in force, and since the start failures counted, bans made, and
     * offenders forgotten because {@link #MAX_OFFENDERS} were counting.
     */
    public record Summary(String jail, int failing, int banned, long failures, long bans, long forgotten) {
    }

    /** Each jail's summary, the recidive rule's last; aged failures and ended bans are not counted. */
    public synchronized List<Summary> summaries(Instant now) {
        List<Summary> summaries = new ArrayList<>();
        for (String name : names()) {
            Jail jail = state(name);
            long findTime = jail.rules.findTime().toMillis();
            int failing = 0;
            for (Ticket ticket : jail.tickets.values()) {
                if (!ticket.agedAt(now.toEpochMilli(), findTime)) {
                    failing++;
                }
            }
            int banned = 0;
            for (ActiveBan ban : jail.bans.values()) {
                if (!ban.endedAt(now)) {
                    banned++;
                }
            }
            summaries.add(new Summary(name, failing, banned, jail.failures, jail.bansMade, jail.forgotten));
        }
        return summaries;
    }

    /** One jail's state: failures not yet banned (the least recently failing first), and bans in force, by offender key. */
    private static final class Jail {
        final JailRules rules;
        /** In access order: the get of each failure puts its offender last, so the first is the one to forget when full. */
        final LinkedHashMap<String, Ticket> tickets = new LinkedHashMap<>(16, 0.75f, true);
        final Map<String, ActiveBan> bans = new HashMap<>();
        long failures;
        long bansMade;
        long forgotten;

        Jail(JailRules rules) {
            this.rules = rules;
        }

        /** A new offender's ticket; when {@link #MAX_OFFENDERS} are counting, aged ones go, then the least recently failing. */
        void admit(String key, Ticket ticket, long nowMillis) {
            if (tickets.size() >= MAX_OFFENDERS) {
                long findTime = rules.findTime().toMillis();
                var eldest = tickets.values().iterator();
                // in the order they last failed, so the aged ones are first: O(1) a failure, not a sweep of them all
                while (eldest.hasNext() && eldest.next().agedAt(nowMillis, findTime)) {
                    eldest.remove();
                }
                if (tickets.size() >= MAX_OFFENDERS) {
                    eldest = tickets.values().iterator();
                    eldest.next();
                    eldest.remove();
                    forgotten++;
                    if (Long.bitCount(forgotten) == 1) {
                        LOG.warn("jail {}: {} offenders are counting failures at once; the one whose last failure is oldest is forgotten"
                                + " ({} so far)", rules.name(), MAX_OFFENDERS, forgotten);
                    }
                }
            }
            tickets.put(key, ticket);
        }
    }

    /** {@code end} null: permanent. */
    private record ActiveBan(Instant end, int count) {
        /** fail2ban unbans once the time is past the end. */
        boolean endedAt(Instant now) {
            return end != null && now.isAfter(end);
        }
    }
}
