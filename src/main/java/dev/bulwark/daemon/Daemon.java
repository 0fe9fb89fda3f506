package dev.bulwark.daemon;

import static java.util.Objects.requireNonNull;

import dev.bulwark.api.ApiConfig.ApiKey;
import dev.bulwark.api.ApiServer;
import dev.bulwark.api.LocalToken;
import dev.bulwark.api.Status;
import dev.bulwark.decision.Decision;
import dev.bulwark.decision.DecisionStore;
import dev.bulwark.decision.OriginDecisions;
import dev.bulwark.decision.StoreException;
import dev.bulwark.detect.jail.BanCounts;
import dev.bulwark.detect.jail.JailBook;
import dev.bulwark.detect.jail.MemoryBanCounts;
import dev.bulwark.detect.jail.SqliteBanCounts;
import dev.bulwark.enforce.CommandRunner;
import dev.bulwark.enforce.EnforceException;
import dev.bulwark.enforce.Enforcer;
import dev.bulwark.enforce.EnforcerConfig;
import dev.bulwark.enforce.HostFacts;
import dev.bulwark.enforce.LockoutGuard;
import dev.bulwark.enforce.dryrun.DryRunEnforcer;
import dev.bulwark.enforce.file.FileEnforcer;
import dev.bulwark.enforce.ipset.IpsetEnforcer;
import dev.bulwark.enforce.nftables.NftablesEnforcer;
import dev.bulwark.feed.FeedConfig;
import dev.bulwark.feed.FeedRound;
import dev.bulwark.feed.FeedScheduler;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.policy.DecisionPolicy;
import dev.bulwark.policy.HostExclusions;
import dev.bulwark.policy.PolicyConfig;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: wires the store, the keeper, the feeds, the enforcers and the API in
 * the order data flows, and runs them. Start-up restores every decision from the store and
 * reconciles the enforcers before the first feed is fetched, so a restart leaves no gap;
 * closing stops everything and leaves the rules in force.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    static final Duration HOST_REFRESH = Duration.ofSeconds(30);
    static final Duration COUNTER_POLL = Duration.ofMinutes(5);
    /** How often the history older than the configuration's {@code history:} is removed (the first time a minute after the start). */
    static final Duration HISTORY_PRUNE = Duration.ofHours(6);
    /** The jails' ban counts under {@code state_dir}, for escalation of repeat offenders. */
    static final String BAN_COUNTS_FILE = "jails.db";

    private final DaemonConfig config;
    private final DecisionStore store;
    private final DecisionKeeper keeper;
    private final Reconciler reconciler;
    private final DaemonMetrics metrics;
    private final DaemonService service;
    private final HostFacts hostFacts;
    private final Clock clock;
    private final BanCounts banCounts;
    private final JailDecisions jails;
    private FeedScheduler scheduler;
    private volatile LogDetection logs;
    private ApiServer api;
    private ScheduledExecutorService background;

    /** The parts of the machine the daemon talks to, replaceable by tests. */
    public record Environment(Clock clock, CommandRunner runner, HostFacts hostFacts, OutputStream dryRunOutput) {
        public Environment {
            requireNonNull(clock, "clock is null");
            requireNonNull(runner, "runner is null");
            requireNonNull(dryRunOutput, "dryRunOutput is null");
        }
    }

    private Daemon(DaemonConfig config, DecisionStore store, List<Enforcer> enforcers, Environment environment, BanCounts banCounts,
                   JailBook jailBook) {
        this.config = config;
        this.store = store;
        this.banCounts = banCounts;
        this.clock = environment.clock();
        this.hostFacts = config.policy().checkSelf() ? environment.hostFacts() : null;
        DecisionPolicy policy = new DecisionPolicy(config.policy());
        Reconciler[] reconcilerHolder = new Reconciler[1];
        this.keeper = new DecisionKeeper(store, policy, clock, published -> {
            if (reconcilerHolder[0] != null) {
                reconcilerHolder[0].signal();
            }
        });
        this.metrics = new DaemonMetrics(keeper::current, config.feeds(), jailBook.names().stream().map(JailBook::origin).toList());
        this.reconciler = new Reconciler(enforcers, keeper, clock, metrics);
        reconcilerHolder[0] = reconciler;
        this.jails = new JailDecisions(jailBook, keeper);
        this.service = new DaemonService(keeper, reconciler, store, this::feedStatuses, this::jailStatuses, metrics::scrape, clock);
    }

    /**
     * Opens the store, restores its decisions, reconciles the enforcers with them and returns
     * a daemon that has not started its feeds or API yet ({@link #start}). {@code store} is
     * owned by the daemon from here on.
     */
    public static Daemon restore(DaemonConfig config, DecisionStore store, Environment environment) throws Exception {
        Files.createDirectories(config.stateDir());
        List<Enforcer> enforcers = enforcers(config, environment);
        BanCounts banCounts = config.jails().jails().isEmpty() ? new MemoryBanCounts()
                : SqliteBanCounts.open(config.stateDir().resolve(BAN_COUNTS_FILE));
        Daemon daemon;
        try {
            daemon = new Daemon(config, store, enforcers, environment, banCounts, new JailBook(config.jails(), banCounts, new Random()));
            daemon.keeper.load(daemon.readHost());
            daemon.dropUnconfiguredOrigins();
        } catch (Exception e) {
            // the store is the caller's until this returns; the ban counts are ours
            banCounts.close();
            throw e;
        }
        int jailBans = daemon.jails.restore();
        Published published = daemon.keeper.current();
        LOG.info("restored {} decisions from the store ({} bans of jails): {} IPv4 and {} IPv6 prefixes to enforce",
                published.book().size(), jailBans, published.blocked().prefixCount(IpFamily.IPV4), published.blocked().prefixCount(IpFamily.IPV6));
        daemon.reconciler.reconcile(environment.clock().instant());
        return daemon;
    }

    /** The enforcers a configuration names, their state under {@code state_dir/enforce}. */
    static List<Enforcer> enforcers(DaemonConfig config, Environment environment) {
        Path stateDirectory = config.stateDir().resolve("enforce");
        LockoutGuard guard = config.policy().checkSelf() && environment.hostFacts() != null
                ? new LockoutGuard(environment.hostFacts()) : LockoutGuard.none();
        List<Enforcer> enforcers = new ArrayList<>();
        for (EnforcerConfig enforcer : config.enforce()) {
            enforcers.add(switch (enforcer) {
                case EnforcerConfig.Nftables nftables -> new NftablesEnforcer(nftables.table(), nftables.rules(), environment.runner(), guard, stateDirectory);
                case EnforcerConfig.Ipset ipset -> new IpsetEnforcer(ipset.rules(), ipset.iptables(), environment.runner(), guard, stateDirectory);
                case EnforcerConfig.DryRun dryRun -> new DryRunEnforcer(environment.dryRunOutput(), stateDirectory);
                case EnforcerConfig.File file -> new FileEnforcer(file.path(),
                        file.family() == 4 ? IpFamily.IPV4 : file.family() == 6 ? IpFamily.IPV6 : null);
            });
        }
        return enforcers;
    }

    /** A feed or jail taken out of the configuration takes its decisions with it. */
    private void dropUnconfiguredOrigins() throws Exception {
        Set<String> configured = new HashSet<>();
        config.feeds().forEach(feed -> configured.add(feed.name()));
        jails.book().names().forEach(jail -> configured.add(JailBook.origin(jail)));
        for (OriginDecisions table : List.copyOf(keeper.current().book().origins().values())) {
            String origin = table.origin();
            if (!origin.equals(Decision.MANUAL) && !configured.contains(origin)) {
                int dropped = keeper.dropOrigin(origin, "config");
                String jail = JailBook.jailOf(origin);
                LOG.info("{} {} is no longer configured: its {} decisions were removed", jail == null ? "feed" : "jail", jail == null ? origin : jail,
                        dropped);
            }
        }
    }

    /** Starts the feeds' schedules, the reconcile loop, the API and the host checks. */
    public synchronized void start() throws IOException {
        reconciler.start();
        scheduler = FeedScheduler.create(config.feeds(), config.stateDir(), this::onFeedRound, clock, new Random());
        scheduler.start();
        if (!config.jails().jails().isEmpty()) {
            // here, not at restore: bulwark apply restores too, and must leave them to the daemon
            int pending = jails.book().restorePending(clock.instant());
            if (pending > 0) {
                LOG.info("jails: counting on from {} offenders' failures not yet banned, kept at the last stop", pending);
            }
            logs = LogDetection.start(config.jails(), config.stateDir(), jails, clock);
        }
        List<ApiKey> keys = new ArrayList<>(config.api().keys());
        keys.add(LocalToken.create(config.stateDir()));
        api = new ApiServer(service, keys, config.api().edlNetworks());
        api.start(config.api().host(), config.api().port());
        background = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "bulwark-host");
            thread.setDaemon(true);
            return thread;
        });
        if (hostFacts != null) {
            background.scheduleWithFixedDelay(this::refreshHost, HOST_REFRESH.toSeconds(), HOST_REFRESH.toSeconds(), TimeUnit.SECONDS);
        }
        background.scheduleWithFixedDelay(this::pollCounters, 10, COUNTER_POLL.toSeconds(), TimeUnit.SECONDS);
        if (config.historyKeep() != null) {
            background.scheduleWithFixedDelay(this::pruneHistory, 60, HISTORY_PRUNE.toSeconds(), TimeUnit.SECONDS);
        }
        LOG.info("bulwark {} running: {} feeds, {} jails, enforcers {}, API on http://{}:{}", dev.bulwark.Version.current(), config.feeds().size(),
                config.jails().jails().size(), reconciler.enforcers().stream().map(Enforcer::name).toList(), config.api().host(), api.port());
    }

    /**
     * One whole cycle for cron users and boot: every feed's round once (none when
     * {@code offline}), expiries, and one apply to every enforcer. Returns false when an
     * enforcer failed.
     */
    public boolean runOnce(boolean offline) throws Exception {
        if (!offline) {
            FeedScheduler once = FeedScheduler.create(config.feeds(), config.stateDir(), this::onFeedRound, clock, new Random());
            try {
                once.runOnce();
                scheduler = once;
            } finally {
                once.close();
            }
        }
        reconciler.reconcile(clock.instant());
        return reconciler.statuses().stream().allMatch(status -> status.error() == null);
    }

    void onFeedRound(FeedConfig feed, FeedRound round) {
        metrics.feedRound(feed, round);
        if (round.outcome().refused()) {
            LOG.warn("feed {}: {}; its last good content stays in force", feed.name(), round.outcome().message());
        }
        if (round.content() == null) {
            return;
        }
        PolicyConfig policy = config.policy();
        Instant at = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Duration ttl = feed.ttl() != null ? feed.ttl() : policy.defaultTtl();
        Instant feedExpiry = at.plus(ttl);
        FeedDecisions.Result result = FeedDecisions.of(feed, round.content(), at, feedExpiry, policy.maxPrefixIpv4(), policy.maxPrefixIpv6());
        if (result.tooBroad() > 0) {
            LOG.warn("feed {}: {} entries broader than /{} (IPv4) or /{} (IPv6) refused (policy.max_prefix)",
                    feed.name(), result.tooBroad(), policy.maxPrefixIpv4(), policy.maxPrefixIpv6());
        }
        try {
            DecisionKeeper.RoundResult applied = keeper.feedRound(feed.name(), result.decisions(), at, feedExpiry);
            if (round.changed() || applied.created() + applied.removed() + applied.changed() > 0) {
                LOG.info("feed {}: {} ({}): {} entries, {} new, {} changed, {} gone", feed.name(), round.outcome().kind().label(),
                        round.duration().toMillis() + " ms", applied.total(), applied.created(), applied.changed(), applied.removed());
            }
        } catch (Exception e) {
            LOG.error("feed {}: cannot store its round; the decisions in force stay: {}", feed.name(), e.getMessage(), e);
        }
    }

    private HostExclusions readHost() {
        if (hostFacts == null) {
            return HostExclusions.none();
        }
        try {
            return new HostExclusions(hostFacts.ownAddresses(), hostFacts.defaultGateways(), hostFacts.sshPeers());
        } catch (EnforceException e) {
            LOG.warn("cannot read this host's addresses, gateways or SSH peers; the lockout guard of each apply still checks: {}", e.getMessage());
            return HostExclusions.none();
        }
    }

    private void refreshHost() {
        try {
            keeper.hostChanged(readHost());
        } catch (Throwable e) {
            LOG.error("host check failed", e);
        }
    }

    /**
     * Removes the history of decisions older than the configuration's {@code history:} (nothing
     * when it is forever); returns how many entries went. A failure is logged and tried again at
     * the next time.
     */
    long pruneHistory() {
        Duration keep = config.historyKeep();
        if (keep == null) {
            return 0;
        }
        Instant before = clock.instant().minus(keep);
        try {
            long removed = store.pruneHistory(before);
            if (removed > 0) {
                LOG.info("history: {} entries from before {} removed (history: {})", removed, before,
                        keep.toHours() % 24 == 0 ? keep.toDays() + "d" : keep.toHours() + "h");
            }
            return removed;
        } catch (StoreException | RuntimeException e) {
            LOG.warn("cannot remove the history from before {}: {}; tried again in {} hours", before, e.getMessage(), HISTORY_PRUNE.toHours());
            return 0;
        }
    }

    private void pollCounters() {
        for (Enforcer enforcer : reconciler.enforcers()) {
            try {
                metrics.dropped(enforcer.counters());
            } catch (Throwable e) {
                LOG.debug("{}: cannot read counters: {}", enforcer.name(), e.getMessage());
            }
        }
    }

    private List<dev.bulwark.feed.FeedStatus> feedStatuses() {
        FeedScheduler current = scheduler;
        return current == null ? List.of() : current.statuses();
    }

    /** Each jail's logs and counts, for status; the counts alone before the logs are followed. */
    private List<Status.JailStatus> jailStatuses() {
        LogDetection reading = logs;
        List<Status.JailStatus> statuses = new ArrayList<>();
        for (JailBook.Summary jail : jails.book().summaries(clock.instant())) {
            statuses.add(new Status.JailStatus(jail.jail(), reading == null ? List.of() : reading.logs(jail.jail()),
                    reading == null ? 0 : reading.lines(jail.jail()), jail.failing(), jail.banned(), jail.failures(), jail.bans(),
                    jail.forgotten()));
        }
        return statuses;
    }

    public DaemonService service() {
        return service;
    }

    public Reconciler reconciler() {
        return reconciler;
    }

    public DecisionKeeper keeper() {
        return keeper;
    }

    /** Where the log tailers hand each failure their filters find: {@code jails().failure(jail, failure, now)}. */
    public JailDecisions jails() {
        return jails;
    }

    /** The API's port (useful when the configuration asks for port 0). */
    public int apiPort() {
        return api.port();
    }

    /** Stops feeds, API and loops; the rules in force stay as they are. */
    @Override
    public synchronized void close() {
        if (logs != null) {
            logs.close();
            logs = null;
            // no more lines come: what the jails counted so far is what the saved offsets say was read
            try {
                int kept = jails.book().keepPending(clock.instant());
                LOG.info("jails: {} offenders' failures not yet banned kept for the next start", kept);
            } catch (IOException e) {
                LOG.warn("cannot keep the failures not yet banned for the next start (they are counted afresh): {}", e.getMessage());
            }
        }
        if (api != null) {
            api.stop();
        }
        if (scheduler != null) {
            scheduler.close();
        }
        if (background != null) {
            background.shutdownNow();
        }
        reconciler.close();
        try {
            store.close();
        } catch (Exception e) {
            LOG.warn("closing the store: {}", e.getMessage());
        }
        try {
            banCounts.close();
        } catch (IOException e) {
            LOG.warn("closing the ban counts: {}", e.getMessage());
        }
    }
}
