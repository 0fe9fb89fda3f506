package dev.bulwark.daemon;

import static java.util.Objects.requireNonNull;

import dev.bulwark.api.Status.EnforcerStatus;
import dev.bulwark.enforce.ApplyReport;
import dev.bulwark.enforce.Enforcer;
import dev.bulwark.ip.IpAddress;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings every enforcer to the latest published state: on each publish, at each decision's
 * expiry, and again after a failed apply (with backoff). Runs on one named daemon thread; a
 * failing enforcer never stops the others, and its last good rules stay in force.
 */
public final class Reconciler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    static final Duration FIRST_RETRY = Duration.ofSeconds(5);
    static final Duration LAST_RETRY = Duration.ofMinutes(5);
    private static final Duration IDLE = Duration.ofMinutes(1);

    private final DecisionKeeper keeper;
    private final Clock clock;
    private final ReconcileListener listener;
    private final List<Slot> slots = new ArrayList<>();
    private final Object signal = new Object();
    private boolean signalled;
    private volatile boolean running;
    private Thread thread;

    public Reconciler(List<Enforcer> enforcers, DecisionKeeper keeper, Clock clock, ReconcileListener listener) {
        this.keeper = requireNonNull(keeper, "keeper is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.listener = requireNonNull(listener, "listener is null");
        for (Enforcer enforcer : enforcers) {
            slots.add(new Slot(enforcer));
        }
    }

    /** Something changed: apply it soon. Cheap; safe from any thread. */
    public void signal() {
        synchronized (signal) {
            signalled = true;
            signal.notifyAll();
        }
    }

    public synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        thread = Thread.ofPlatform().name("bulwark-reconcile").daemon(true).start(this::loop);
    }

    private void loop() {
        while (running) {
            Instant wakeAt;
            try {
                wakeAt = reconcile(clock.instant());
            } catch (Throwable e) {
                LOG.error("reconcile failed; trying again in {}s", FIRST_RETRY.toSeconds(), e);
                wakeAt = clock.instant().plus(FIRST_RETRY);
            }
            synchronized (signal) {
                long waitMillis = Math.max(1, Duration.between(clock.instant(), wakeAt).toMillis());
                if (!signalled && running) {
                    try {
                        signal.wait(waitMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                signalled = false;
            }
        }
    }

    /**
     * One pass at {@code now}: expires what is due, applies the current state to every
     * enforcer that does not hold it yet (and whose retry time has come); returns when the next
     * pass is due.
     */
    public Instant reconcile(Instant now) throws Exception {
        keeper.expire(now);
        Published published = keeper.current();
        Instant wakeAt = now.plus(IDLE);
        for (Slot slot : slots) {
            if (slot.applied != null && slot.applied.version() == published.version()) {
                continue;
            }
            if (slot.retryAt != null && now.isBefore(slot.retryAt)) {
                wakeAt = earlier(wakeAt, slot.retryAt);
                continue;
            }
            apply(slot, published, now);
            if (slot.retryAt != null) {
                wakeAt = earlier(wakeAt, slot.retryAt);
            }
        }
        Instant nextExpiry = published.book().nextExpiry();
        if (nextExpiry != null) {
            wakeAt = earlier(wakeAt, nextExpiry.isAfter(now) ? nextExpiry : now.plusMillis(10));
        }
        return wakeAt;
    }

    private void apply(Slot slot, Published published, Instant now) {
        long started = System.nanoTime();
        try {
            ApplyReport report = slot.enforcer.apply(published.snapshot(), now);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            // the first apply is logged even when it changed nothing: it shows that a restart
            // found the kernel as it was left and reconciled it by difference
            boolean first = slot.applied == null;
            slot.applied = published;
            slot.lastApply = now;
            slot.lastDuration = took;
            slot.lastSummary = report.summary();
            slot.error = null;
            slot.failures = 0;
            slot.retryAt = null;
            if (report.changed() || report.full() || first) {
                LOG.info("{} (state {}, {} ms)", report.summary(), published.version(), took.toMillis());
            }
            listener.applied(slot.enforcer.name(), took, report);
        } catch (Exception e) {
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            slot.failures++;
            Duration backoff = FIRST_RETRY.multipliedBy(1L << Math.min(slot.failures - 1, 6));
            if (backoff.compareTo(LAST_RETRY) > 0) {
                backoff = LAST_RETRY;
            }
            slot.retryAt = now.plus(backoff);
            slot.lastDuration = took;
            slot.error = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.error("{}: apply failed ({} in a row); the rules in force stay; next try in {}s: {}",
                    slot.enforcer.name(), slot.failures, backoff.toSeconds(), slot.error);
            listener.failed(slot.enforcer.name(), took, e);
        }
    }

    /** Each enforcer's last apply. */
    public List<EnforcerStatus> statuses() {
        List<EnforcerStatus> statuses = new ArrayList<>();
        for (Slot slot : slots) {
            statuses.add(new EnforcerStatus(slot.enforcer.name(), slot.lastApply, slot.lastDuration, slot.lastSummary, slot.error));
        }
        return statuses;
    }

    /** The enforcers whose last good apply blocks {@code address}. */
    public List<String> holding(IpAddress address) {
        List<String> names = new ArrayList<>();
        for (Slot slot : slots) {
            Published applied = slot.applied;
            if (applied != null && applied.blocked().contains(address)) {
                names.add(slot.enforcer.name());
            }
        }
        return names;
    }

    /** The version each enforcer holds, -1 for none yet: lets tests and benchmarks wait for an apply. */
    public long appliedVersion(int index) {
        Published applied = slots.get(index).applied;
        return applied == null ? -1 : applied.version();
    }

    public List<Enforcer> enforcers() {
        List<Enforcer> enforcers = new ArrayList<>();
        for (Slot slot : slots) {
            enforcers.add(slot.enforcer);
        }
        return enforcers;
    }

    /** Stops the thread; the rules in force stay as they are. */
    @Override
    public void close() {
        Thread stopping;
        synchronized (this) {
            running = false;
            stopping = thread;
            thread = null;
        }
        signal();
        if (stopping != null) {
            try {
                stopping.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Instant earlier(Instant left, Instant right) {
        return right.isBefore(left) ? right : left;
    }

    /** Told of each apply, for metrics. */
    public interface ReconcileListener {
        void applied(String enforcer, Duration took, ApplyReport report);

        void failed(String enforcer, Duration took, Exception failure);

        ReconcileListener NONE = new ReconcileListener() {
            @Override
            public void applied(String enforcer, Duration took, ApplyReport report) {
            }

            @Override
            public void failed(String enforcer, Duration took, Exception failure) {
            }
        };
    }

    private static final class Slot {
        final Enforcer enforcer;
        volatile Published applied;
        volatile Instant lastApply;
        volatile Duration lastDuration;
        volatile String lastSummary;
        volatile String error;
        int failures;
        Instant retryAt;

        Slot(Enforcer enforcer) {
            this.enforcer = enforcer;
        }
    }
}
