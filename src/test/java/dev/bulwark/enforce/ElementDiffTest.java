package dev.bulwark.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpFormat;
import dev.bulwark.ip.IpSet;
import dev.bulwark.policy.Snapshot;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

class ElementDiffTest {
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private static final long SECOND = NOW.getEpochSecond();

    static List<String> texts(Elements elements) {
        List<String> texts = new ArrayList<>();
        for (int index = 0; index < elements.size(); index++) {
            String text = IpFormat.prefix(elements.family(), elements.high(index), elements.low(index), elements.length(index));
            long expiry = elements.expiry(index);
            texts.add(expiry == Elements.NEVER ? text : text + " @" + (expiry - SECOND));
        }
        return texts;
    }

    private static Elements v4(Snapshot snapshot) {
        return Elements.of(snapshot, IpFamily.IPV4, NOW);
    }

    private static Snapshot groups(IpSet permanent, Object... expiringPairs) {
        TreeMap<Instant, IpSet> expiring = new TreeMap<>();
        for (int index = 0; index < expiringPairs.length; index += 2) {
            expiring.put(NOW.plusSeconds((Integer) expiringPairs[index]), (IpSet) expiringPairs[index + 1]);
        }
        return new Snapshot(permanent, expiring);
    }

    @Test
    void anAddressInSeveralGroupsGoesInOnceWithItsLatestExpiry() {
        Snapshot snapshot = groups(IpSet.of("10.0.0.5"),
                60, IpSet.of("10.0.0.0/29", "192.0.2.1"),
                600, IpSet.of("10.0.0.4/31"),
                -10, IpSet.of("198.51.100.1"));

        assertThat(texts(v4(snapshot))).containsExactly(
                "10.0.0.0/30 @60", "10.0.0.4 @600", "10.0.0.5", "10.0.0.6/31 @60", "192.0.2.1 @60");
    }

    @Test
    void findsWhatToAddRemoveRefreshAndKeep() {
        Elements applied = v4(groups(IpSet.of("10.0.0.1", "10.0.0.2", "10.1.0.0/16"), 100, IpSet.of("192.0.2.1", "192.0.2.3")));
        Elements desired = v4(groups(IpSet.of("10.0.0.1", "10.1.0.0/17", "192.0.2.3"), 100, IpSet.of("192.0.2.1")));

        ElementDiff diff = ElementDiff.between(applied, desired, SECOND, 5);

        assertThat(texts(diff.added())).containsExactly("10.1.0.0/17");
        assertThat(texts(diff.removed())).containsExactly("10.0.0.2", "10.1.0.0/16");
        assertThat(texts(diff.refreshed())).containsExactly("192.0.2.3");
        assertThat(diff.keptCount()).isEqualTo(2);
        assertThat(texts(diff.result())).containsExactly("10.0.0.1", "10.1.0.0/17", "192.0.2.1 @100", "192.0.2.3");
    }

    @Test
    void whatTheKernelAlreadyExpiredIsAddedNotDeleted() {
        Elements applied = v4(groups(IpSet.empty(), 10, IpSet.of("192.0.2.1", "192.0.2.2"), 3, IpSet.of("192.0.2.9")));
        long later = SECOND + 20;

        ElementDiff diff = ElementDiff.between(applied, v4(Snapshot.of(IpSet.of("192.0.2.1"))), later, 5);

        assertThat(texts(diff.added())).containsExactly("192.0.2.1");
        assertThat(diff.removed().size()).as("192.0.2.2 and .9 are gone from the kernel already").isZero();
    }

    @Test
    void anElementAboutToExpireIsLeftToTheKernel() {
        Elements applied = v4(groups(IpSet.empty(), 3, IpSet.of("192.0.2.1"), 60, IpSet.of("192.0.2.2")));

        ElementDiff diff = ElementDiff.between(applied, v4(Snapshot.of(IpSet.of("198.51.100.1"))), SECOND, 5);

        assertThat(texts(diff.removed())).containsExactly("192.0.2.2 @60");
        assertThat(diff.leftToExpire()).isEqualTo(1);
        assertThat(texts(diff.result())).containsExactly("198.51.100.1");
    }

    @Test
    void aTimeoutIsRewrittenOnlyOnceHalfOfItsNewLifetimeHasPassed() {
        Elements applied = v4(groups(IpSet.empty(), 7200, IpSet.of("192.0.2.1"), 3000, IpSet.of("192.0.2.2"), 7300, IpSet.of("192.0.2.3")));
        Elements desired = v4(groups(IpSet.empty(), 7500, IpSet.of("192.0.2.1", "192.0.2.2"), 100, IpSet.of("192.0.2.3")));

        ElementDiff diff = ElementDiff.between(applied, desired, SECOND, 5);

        assertThat(texts(diff.refreshed())).as(".2 has less than half of 7500 s left; .3 is shortened")
                .containsExactly("192.0.2.2 @7500", "192.0.2.3 @100");
        assertThat(diff.keptCount()).isEqualTo(1);
        assertThat(texts(diff.result())).containsExactly("192.0.2.1 @7200", "192.0.2.2 @7500", "192.0.2.3 @100");
    }

    @Test
    void theSameElementsMakeAnEmptyDifference() {
        Elements applied = v4(groups(IpSet.of("10.0.0.0/8"), 50, IpSet.of("192.0.2.0/24")));

        ElementDiff diff = ElementDiff.between(applied, v4(groups(IpSet.of("10.0.0.0/8"), 50, IpSet.of("192.0.2.0/24"))), SECOND, 5);

        assertThat(diff.isEmpty()).isTrue();
        assertThat(diff.keptCount()).isEqualTo(2);
    }
}
