package dev.bulwark.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.api.Blocklist;
import dev.bulwark.api.Explanation;
import dev.bulwark.decision.Action;
import dev.bulwark.decision.Change;
import dev.bulwark.decision.Decision;
import dev.bulwark.decision.MemoryDecisionStore;
import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpRange;
import dev.bulwark.policy.DecisionPolicy;
import dev.bulwark.policy.HostExclusions;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DaemonServiceTest {
    private static final Instant START = DecisionKeeperTest.START;
    private static final Instant FEED_EXPIRY = START.plus(Duration.ofHours(24));

    private final DecisionKeeperTest.ManualClock clock = new DecisionKeeperTest.ManualClock(START);
    private final MemoryDecisionStore store = new MemoryDecisionStore();
    private final ReconcilerTest.RecordingEnforcer enforcer = new ReconcilerTest.RecordingEnforcer("nftables");
    private DecisionKeeper keeper;
    private Reconciler reconciler;
    private DaemonService service;

    @BeforeEach
    void start() throws Exception {
        keeper = new DecisionKeeper(store, new DecisionPolicy(DecisionKeeperTest.policy("198.51.100.200")), clock, published -> { });
        reconciler = new Reconciler(List.of(enforcer), keeper, clock, Reconciler.ReconcileListener.NONE);
        service = new DaemonService(keeper, reconciler, store, List::of, List::of, () -> "", clock);
        keeper.load(HostExclusions.none());
        keeper.feedRound("scored", List.of(
                DecisionKeeperTest.feedEntry("scored", "198.51.100.0/24", 90, START, FEED_EXPIRY),
                DecisionKeeperTest.feedEntry("scored", "203.0.113.5", 45, START, FEED_EXPIRY),
                DecisionKeeperTest.feedEntry("scored", "203.0.113.6", 10, START, FEED_EXPIRY)), START, FEED_EXPIRY);
    }

    @Test
    void explainsABlockWithEveryDecisionTheExpiryAndTheEnforcersHoldingIt() throws Exception {
        service.ban(IpRange.parse("198.51.100.7"), null, "ssh brute force", Decision.NO_SCORE, List.of("ssh"), "ops");
        reconciler.reconcile(clock.instant());

        Explanation explanation = service.explain(IpAddress.parse("198.51.100.7"), true);

        assertThat(explanation.blocked()).isTrue();
        assertThat(explanation.action()).isEqualTo(Action.BLOCK);
        assertThat(explanation.score()).isEqualTo(90);
        assertThat(explanation.expiresAt()).as("the manual ban never expires").isNull();
        assertThat(explanation.decisions()).extracting(Decision::origin).containsExactly("manual", "scored");
        assertThat(explanation.enforcers()).containsExactly("nftables");
        assertThat(explanation.history()).extracting(entry -> entry.change(), entry -> entry.by())
                .contains(org.assertj.core.groups.Tuple.tuple(Change.CREATED, "ops"), org.assertj.core.groups.Tuple.tuple(Change.CREATED, "feed"));
        assertThat(service.explain(IpAddress.parse("198.51.100.8"), false).expiresAt()).isEqualTo(FEED_EXPIRY);
    }

    @Test
    void explainsTheMonitorBandTheIgnoredAndTheAllowlist() throws Exception {
        Explanation monitored = service.explain(IpAddress.parse("203.0.113.5"), false);
        assertThat(monitored.blocked()).isFalse();
        assertThat(monitored.action()).isEqualTo(Action.MONITOR);
        assertThat(monitored.score()).isEqualTo(45);

        Explanation ignored = service.explain(IpAddress.parse("203.0.113.6"), false);
        assertThat(ignored.action()).isNull();
        assertThat(ignored.decisions()).hasSize(1);

        Explanation allowed = service.explain(IpAddress.parse("198.51.100.200"), false);
        assertThat(allowed.blocked()).isFalse();
        assertThat(allowed.allowedBy()).isEqualTo("allowlist 198.51.100.200");
        assertThat(allowed.decisions()).extracting(Decision::origin).containsExactly("scored");

        Explanation privateAddress = service.explain(IpAddress.parse("10.0.0.1"), false);
        assertThat(privateAddress.protectedBy()).isEqualTo("protected range: private");
        assertThat(privateAddress.decisions()).isEmpty();
    }

    @Test
    void theBlocklistIsTheEnforcedListPerFamilyWithATagThatChangesWithIt() throws Exception {
        Blocklist all = service.blocklist(null, 0);
        assertThat(all.text()).isEqualTo("198.51.100.0/25\n198.51.100.128/26\n198.51.100.192/29\n198.51.100.201\n"
                + "198.51.100.202/31\n198.51.100.204/30\n198.51.100.208/28\n198.51.100.224/27\n");
        assertThat(service.blocklist(null, 0)).isSameAs(all);
        assertThat(service.blocklist(IpFamily.IPV6, 0).text()).isEmpty();

        service.ban(IpRange.parse("2001:db8::1"), Duration.ofHours(1), null, 50, List.of(), "ops");
        Blocklist after = service.blocklist(null, 0);
        assertThat(after.tag()).isNotEqualTo(all.tag());
        assertThat(after.text()).endsWith("2001:db8::1\n");
        assertThat(service.blocklist(IpFamily.IPV6, 0).text()).isEqualTo("2001:db8::1\n");
        assertThat(service.blocklist(null, 95).text()).as("a manual ban scored 50 and the feed's 90s are below 95").isEmpty();
        assertThat(service.blocklist(null, 60).text()).doesNotContain("2001:db8::1");
    }

    @Test
    void statusCountsDecisionsPrefixesAndTheMonitorBand() {
        var status = service.status();
        assertThat(status.decisions()).isEqualTo(3);
        assertThat(status.monitored()).isEqualTo(1);
        assertThat(status.blockedV4()).isEqualTo(8);
        assertThat(status.enforcers()).extracting(s -> s.name()).containsExactly("nftables");
    }
}
