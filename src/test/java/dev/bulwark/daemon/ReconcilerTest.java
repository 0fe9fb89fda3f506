package dev.bulwark.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.decision.Decision;
import dev.bulwark.decision.MemoryDecisionStore;
import dev.bulwark.enforce.ApplyReport;
import dev.bulwark.enforce.DropCounters;
import dev.bulwark.enforce.EnforceException;
import dev.bulwark.enforce.Enforcer;
import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpRange;
import dev.bulwark.policy.DecisionPolicy;
import dev.bulwark.policy.HostExclusions;
import dev.bulwark.policy.Snapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ReconcilerTest {
    private static final Instant START = DecisionKeeperTest.START;

    private final DecisionKeeperTest.ManualClock clock = new DecisionKeeperTest.ManualClock(START);
    private final RecordingEnforcer good = new RecordingEnforcer("good");
    private final RecordingEnforcer flaky = new RecordingEnforcer("flaky");
    private final DecisionKeeper keeper = new DecisionKeeper(new MemoryDecisionStore(), new DecisionPolicy(DecisionKeeperTest.policy(null)),
            clock, published -> { });
    private final Reconciler reconciler = new Reconciler(List.of(good, flaky), keeper, clock, Reconciler.ReconcileListener.NONE);

    @Test
    void appliesEachNewStateOnceToEveryEnforcer() throws Exception {
        keeper.load(HostExclusions.none());
        reconciler.reconcile(clock.instant());
        reconciler.reconcile(clock.instant());
        assertThat(good.applied).hasSize(1);

        keeper.ban(IpRange.parse("198.51.100.7"), null, null, Decision.NO_SCORE, List.of(), "ops");
        reconciler.reconcile(clock.instant());

        assertThat(good.applied).hasSize(2);
        assertThat(good.applied.get(1).blockedAt(START).toPrefixes()).containsExactly("198.51.100.7");
        assertThat(reconciler.holding(IpAddress.parse("198.51.100.7"))).containsExactly("good", "flaky");
    }

    @Test
    void aFailingEnforcerIsRetriedWithBackoffWithoutHoldingUpTheOthers() throws Exception {
        keeper.load(HostExclusions.none());
        flaky.failuresLeft = 2;
        keeper.ban(IpRange.parse("198.51.100.7"), null, null, Decision.NO_SCORE, List.of(), "ops");

        Instant wake = reconciler.reconcile(clock.instant());
        assertThat(good.applied).hasSize(1);
        assertThat(flaky.applied).isEmpty();
        assertThat(wake).isEqualTo(START.plus(Reconciler.FIRST_RETRY));
        assertThat(reconciler.statuses().get(1).error()).isEqualTo("kernel said no");
        assertThat(reconciler.holding(IpAddress.parse("198.51.100.7"))).containsExactly("good");

        reconciler.reconcile(START.plusSeconds(1));
        assertThat(flaky.attempts).as("not before its retry time").isEqualTo(1);
        clock.set(START.plus(Reconciler.FIRST_RETRY));
        wake = reconciler.reconcile(clock.instant());
        assertThat(flaky.attempts).isEqualTo(2);
        assertThat(wake).as("the second failure waits twice as long").isEqualTo(clock.instant().plus(Reconciler.FIRST_RETRY.multipliedBy(2)));
        clock.set(wake);
        reconciler.reconcile(clock.instant());

        assertThat(flaky.applied).hasSize(1);
        assertThat(reconciler.statuses().get(1).error()).isNull();
        assertThat(good.applied).as("the good one had nothing new").hasSize(1);
    }

    @Test
    void wakesAtTheNextExpiryAndAppliesTheStateWithoutTheExpiredBan() throws Exception {
        keeper.load(HostExclusions.none());
        keeper.ban(IpRange.parse("198.51.100.7"), Duration.ofSeconds(30), null, Decision.NO_SCORE, List.of(), "ops");

        Instant wake = reconciler.reconcile(clock.instant());
        assertThat(wake).isEqualTo(START.plusSeconds(30));
        clock.set(wake);
        reconciler.reconcile(clock.instant());

        assertThat(good.applied.get(good.applied.size() - 1).blockedAt(wake).isEmpty()).isTrue();
        assertThat(keeper.current().book().size()).isZero();
    }

    /** Records each snapshot applied; fails the first {@code failuresLeft} times. */
    static final class RecordingEnforcer implements Enforcer {
        final String name;
        final List<Snapshot> applied = new ArrayList<>();
        int failuresLeft;
        int attempts;

        RecordingEnforcer(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public ApplyReport apply(Snapshot desired, Instant now) throws EnforceException {
            attempts++;
            if (failuresLeft > 0) {
                failuresLeft--;
                throw new EnforceException("kernel said no");
            }
            applied.add(desired);
            return new ApplyReport(name, false, null, 0, 0, 0, 0, 0, 0, Duration.ZERO);
        }

        @Override
        public void remove() {
        }

        @Override
        public DropCounters counters() {
            return null;
        }
    }
}
