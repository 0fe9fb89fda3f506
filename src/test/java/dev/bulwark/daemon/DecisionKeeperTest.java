package dev.bulwark.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.decision.Action;
import dev.bulwark.decision.Change;
import dev.bulwark.decision.Decision;
import dev.bulwark.decision.HistoryEntry;
import dev.bulwark.decision.MemoryDecisionStore;
import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpRange;
import dev.bulwark.ip.IpSet;
import dev.bulwark.policy.DecisionPolicy;
import dev.bulwark.policy.HostExclusions;
import dev.bulwark.policy.PolicyConfig;
import dev.bulwark.policy.Protection;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class DecisionKeeperTest {
    static final Instant START = Instant.parse("2026-11-23T10:00:00Z");

    private final ManualClock clock = new ManualClock(START);
    private final MemoryDecisionStore store = new MemoryDecisionStore();
    private final List<Published> published = new ArrayList<>();

    private DecisionKeeper keeper(PolicyConfig config) throws Exception {
        DecisionKeeper keeper = new DecisionKeeper(store, new DecisionPolicy(config), clock, published::add);
        keeper.load(HostExclusions.none());
        return keeper;
    }

    static PolicyConfig policy(String allow) {
        PolicyConfig defaults = PolicyConfig.defaults();
        return new PolicyConfig(60, 30, Duration.ofHours(24), Protection.all(), IpSet.empty(), allow == null ? IpSet.empty() : IpSet.of(allow),
                8, 32, true);
    }

    static Decision feedEntry(String origin, String target, int score, Instant at, Instant expiresAt) {
        return new Decision(origin, IpRange.parse(target), Action.BLOCK, score, List.of("scanner"), null, at, at, expiresAt);
    }

    @Test
    void aBanIsStoredBeforeItIsPublishedAndBlocksUntilItExpires() throws Exception {
        DecisionKeeper keeper = keeper(policy(null));
        Decision ban = keeper.ban(IpRange.parse("198.51.100.7"), Duration.ofHours(1), "brute force", Decision.NO_SCORE, List.of(), "ops");

        assertThat(store.count()).isEqualTo(1);
        assertThat(ban.expiresAt()).isEqualTo(START.plusSeconds(3600));
        Published now = keeper.current();
        assertThat(now.blocked().contains(IpAddress.parse("198.51.100.7"))).isTrue();
        assertThat(now.snapshot().expiring()).containsOnlyKeys(START.plusSeconds(3600));
        assertThat(store.history(IpAddress.parse("198.51.100.7"), 10)).extracting(HistoryEntry::change, HistoryEntry::by)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Change.CREATED, "ops"));

        clock.set(START.plusSeconds(3600));
        assertThat(keeper.expire(clock.instant())).isEqualTo(1);
        assertThat(keeper.current().blocked().isEmpty()).isTrue();
        assertThat(store.count()).isZero();
        assertThat(store.history(IpAddress.parse("198.51.100.7"), 10).get(0).change()).isEqualTo(Change.EXPIRED);
    }

    @Test
    void banningAgainWithALaterExpiryExtendsAndKeepsTheFirstSeen() throws Exception {
        DecisionKeeper keeper = keeper(policy(null));
        keeper.ban(IpRange.parse("198.51.100.7"), Duration.ofHours(1), "r", Decision.NO_SCORE, List.of(), "ops");
        clock.set(START.plusSeconds(600));
        Decision again = keeper.ban(IpRange.parse("198.51.100.7"), Duration.ofHours(2), "r", Decision.NO_SCORE, List.of(), "ops");

        assertThat(again.firstSeen()).isEqualTo(START);
        assertThat(again.lastSeen()).isEqualTo(START.plusSeconds(600));
        assertThat(store.history(IpAddress.parse("198.51.100.7"), 10).get(0).change()).isEqualTo(Change.EXTENDED);
        assertThat(keeper.current().book().size()).isEqualTo(1);
    }

    @Test
    void unbanRemovesOnlyTheManualDecision() throws Exception {
        DecisionKeeper keeper = keeper(policy(null));
        keeper.feedRound("drop", List.of(feedEntry("drop", "198.51.100.0/24", Decision.NO_SCORE, START, START.plusSeconds(86400))),
                START, START.plusSeconds(86400));
        keeper.ban(IpRange.parse("198.51.100.7"), null, "r", Decision.NO_SCORE, List.of(), "ops");

        assertThat(keeper.unban(IpRange.parse("198.51.100.7"), "ops")).isTrue();
        assertThat(keeper.unban(IpRange.parse("198.51.100.7"), "ops")).isFalse();
        assertThat(keeper.current().book().size()).isEqualTo(1);
        assertThat(keeper.current().blocked().contains(IpAddress.parse("198.51.100.7"))).as("still in the feed's /24").isTrue();
    }

    @Test
    void bansThatCanNeverTakeEffectAreRefusedWithTheReason() throws Exception {
        DecisionKeeper keeper = keeper(policy("203.0.113.0/24"));

        assertThatThrownBy(() -> keeper.ban(IpRange.parse("203.0.113.9"), null, null, -1, List.of(), "ops"))
                .hasMessageContaining("can never be blocked");
        assertThatThrownBy(() -> keeper.ban(IpRange.parse("10.1.2.3"), null, null, -1, List.of(), "ops"))
                .hasMessageContaining("can never be blocked");
        assertThatThrownBy(() -> keeper.ban(IpRange.parse("1.0.0.0/7"), null, null, -1, List.of(), "ops"))
                .hasMessageContaining("broader than the policy's limit /8");
        assertThat(store.count()).isZero();
    }

    @Test
    void aFeedRoundCreatesChangesTouchesAndRemovesExactlyWhatDiffers() throws Exception {
        DecisionKeeper keeper = keeper(policy(null));
        Instant expiry1 = START.plus(Duration.ofHours(24));
        keeper.feedRound("scored", List.of(
                feedEntry("scored", "198.51.100.1", 90, START, expiry1),
                feedEntry("scored", "198.51.100.2", 90, START, expiry1),
                feedEntry("scored", "198.51.100.3", 40, START, expiry1)), START, expiry1);
        Published first = keeper.current();
        assertThat(first.blocked().toPrefixes()).containsExactly("198.51.100.1", "198.51.100.2");

        Instant second = START.plus(Duration.ofHours(1));
        Instant expiry2 = second.plus(Duration.ofHours(24));
        DecisionKeeper.RoundResult result = keeper.feedRound("scored", List.of(
                feedEntry("scored", "198.51.100.1", 90, second, expiry2),
                feedEntry("scored", "198.51.100.3", 80, second, expiry2),
                feedEntry("scored", "198.51.100.4", 70, second, expiry2),
                feedEntry("scored", "198.51.100.4", 75, second, expiry2)), second, expiry2);

        assertThat(result).isEqualTo(new DecisionKeeper.RoundResult(1, 1, 1, 3));
        Published now = keeper.current();
        assertThat(now.blocked().toPrefixes()).containsExactly("198.51.100.1", "198.51.100.3", "198.51.100.4");
        Decision kept = now.book().origin("scored").find(IpRange.parse("198.51.100.1"));
        assertThat(kept.firstSeen()).isEqualTo(START);
        assertThat(kept.lastSeen()).isEqualTo(second);
        assertThat(kept.expiresAt()).isEqualTo(expiry2);
        assertThat(now.book().origin("scored").find(IpRange.parse("198.51.100.4")).score()).as("duplicates merged").isEqualTo(75);
        // the store, after the touch, holds exactly the book: nothing more, nothing stale
        List<Decision> stored = new ArrayList<>();
        store.forEach(stored::add);
        assertThat(stored).containsExactlyInAnyOrderElementsOf(now.book().origin("scored").asList());
    }

    @Test
    void anUnchangedRoundChangesNothingButTheTimesEvenWithinASecond() throws Exception {
        DecisionKeeper keeper = keeper(policy(null));
        Instant first = START.plusMillis(250);
        keeper.feedRound("drop", List.of(feedEntry("drop", "198.51.100.0/24", -1, first, first.plus(Duration.ofHours(24)))),
                first, first.plus(Duration.ofHours(24)));
        Instant second = START.plusSeconds(3600).plusMillis(750);

        DecisionKeeper.RoundResult result = keeper.feedRound("drop",
                List.of(feedEntry("drop", "198.51.100.0/24", -1, second, second.plus(Duration.ofHours(24)))), second, second.plus(Duration.ofHours(24)));

        assertThat(result).isEqualTo(new DecisionKeeper.RoundResult(0, 0, 0, 1));
        List<Decision> stored = new ArrayList<>();
        store.forEach(stored::add);
        assertThat(stored).extracting(Decision::lastSeen, Decision::expiresAt).containsExactly(org.assertj.core.groups.Tuple.tuple(
                START.plusSeconds(3600), START.plusSeconds(3600).plus(Duration.ofHours(24))));
    }

    @Test
    void anEntryWithItsOwnEarlierExpiryKeepsItAcrossRounds() throws Exception {
        DecisionKeeper keeper = keeper(policy(null));
        Instant own = START.plus(Duration.ofHours(2));
        Instant feedExpiry = START.plus(Duration.ofHours(24));
        keeper.feedRound("stix", List.of(feedEntry("stix", "198.51.100.1", -1, START, own),
                feedEntry("stix", "198.51.100.2", -1, START, feedExpiry)), START, feedExpiry);
        Instant second = START.plusSeconds(900);
        keeper.feedRound("stix", List.of(feedEntry("stix", "198.51.100.1", -1, second, own),
                feedEntry("stix", "198.51.100.2", -1, second, second.plus(Duration.ofHours(24)))), second, second.plus(Duration.ofHours(24)));

        List<Decision> stored = new ArrayList<>();
        store.forEach(stored::add);
        assertThat(stored).extracting(Decision::expiresAt).containsExactlyInAnyOrder(own, second.plus(Duration.ofHours(24)));
    }

    @Test
    void allowlistedAddressesSplitABlockedPrefix() throws Exception {
        DecisionKeeper keeper = keeper(policy("198.51.100.128/25"));
        keeper.feedRound("drop", List.of(feedEntry("drop", "198.51.100.0/24", -1, START, START.plusSeconds(60))), START, START.plusSeconds(60));

        assertThat(keeper.current().blocked().toPrefixes()).containsExactly("198.51.100.0/25");
    }

    @Test
    void theHostsOwnAddressesAreNeverBlocked() throws Exception {
        DecisionKeeper keeper = keeper(policy(null));
        keeper.feedRound("drop", List.of(feedEntry("drop", "198.51.100.0/30", -1, START, START.plusSeconds(60))), START, START.plusSeconds(60));
        keeper.hostChanged(new HostExclusions(List.of(IpAddress.parse("198.51.100.1")), List.of(), List.of()));

        assertThat(keeper.current().blocked().toPrefixes()).containsExactly("198.51.100.0", "198.51.100.2/31");
    }

    @Test
    void aRestartRestoresTheSameStateFromTheStore() throws Exception {
        DecisionKeeper keeper = keeper(policy(null));
        keeper.feedRound("drop", List.of(feedEntry("drop", "198.51.100.0/24", -1, START, START.plusSeconds(600))), START, START.plusSeconds(600));
        keeper.ban(IpRange.parse("2001:db8::1"), null, "r", -1, List.of(), "ops");

        DecisionKeeper restarted = new DecisionKeeper(store, new DecisionPolicy(policy(null)), clock, published -> { });
        restarted.load(HostExclusions.none());

        assertThat(restarted.current().snapshot()).isEqualTo(keeper.current().snapshot());
        assertThat(restarted.current().book().size()).isEqualTo(2);
    }

    /** A clock tests move by hand. */
    static final class ManualClock extends Clock {
        private Instant now;

        ManualClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
