package dev.bulwark.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpFormat;
import dev.bulwark.ip.IpSet;
import dev.bulwark.policy.Snapshot;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/** Element lists built from snapshots, by the merge with a kept large group and without it, against a sort-based reference. */
class ElementsTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    /** What the elements must be: each group without the addresses of the later ones, every prefix with its group's expiry, sorted. */
    private static List<String> reference(Snapshot snapshot, IpFamily family) {
        List<String> texts = new ArrayList<>();
        IpSet covered = snapshot.permanent();
        covered.forEachPrefix(family, (high, low, length) -> texts.add(key(family, high, low, length) + " never"));
        for (Map.Entry<Instant, IpSet> group : snapshot.expiring().descendingMap().entrySet()) {
            if (!group.getKey().isAfter(NOW)) {
                break;
            }
            long expiry = group.getKey().getEpochSecond();
            group.getValue().difference(covered).forEachPrefix(family, (high, low, length) -> texts.add(key(family, high, low, length) + " " + expiry));
            covered = covered.union(group.getValue());
        }
        texts.sort(null);
        return texts;
    }

    /** Sorts like the elements do: by address, as fixed-width hex, then by length. */
    private static String key(IpFamily family, long high, long low, int length) {
        return String.format("%016x%016x/%03d %s", high, low, length, IpFormat.prefix(family, high, low, length));
    }

    private static List<String> texts(Elements elements) {
        List<String> texts = new ArrayList<>();
        for (int index = 0; index < elements.size(); index++) {
            long expiry = elements.expiry(index);
            texts.add(key(elements.family(), elements.high(index), elements.low(index), elements.length(index))
                    + " " + (expiry == Elements.NEVER ? "never" : String.valueOf(expiry)));
        }
        return texts;
    }

    private static IpSet randomHosts(Random random, int count, long from, long span) {
        IpSet.Builder builder = IpSet.builder();
        for (int index = 0; index < count; index++) {
            long address = from + random.nextLong(span);
            builder.addIpv4(address, address);
        }
        return builder.build();
    }

    @Test
    void aLargeGroupKeptBesideSmallDisjointOnesGivesTheSameElementsAsDecomposingAll() {
        Random random = new Random(7);
        IpSet feed = randomHosts(random, 20_000, 0x0A000000L, 1 << 24);
        Elements.Decompositions decompositions = new Elements.Decompositions();
        for (int round = 0; round < 5; round++) {
            TreeMap<Instant, IpSet> groups = new TreeMap<>();
            groups.put(NOW.plusSeconds(86_400), feed);
            groups.put(NOW.plusSeconds(3_600 + round), randomHosts(random, 1 + round * 3, 0xC6120000L, 1 << 16));
            groups.put(NOW.minusSeconds(5), IpSet.of("192.0.2.0/24"));
            Snapshot snapshot = new Snapshot(IpSet.of("203.0.113.0/25", "2001:db8::/48"), groups);

            Elements ipv4 = Elements.of(snapshot, IpFamily.IPV4, NOW, decompositions);

            assertThat(texts(ipv4)).as("round %s", round).isEqualTo(reference(snapshot, IpFamily.IPV4));
            assertThat(texts(Elements.of(snapshot, IpFamily.IPV6, NOW, decompositions))).isEqualTo(reference(snapshot, IpFamily.IPV6));
        }
    }

    @Test
    void aSmallGroupInsideTheLargeOneTakesItsAddressesByTheLaterExpiry() {
        Random random = new Random(11);
        IpSet feed = randomHosts(random, 10_000, 0x0A000000L, 1 << 16).union(IpSet.of("10.200.0.0/16"));
        // overlapping: one address of the feed, banned until later than the feed's expiry, and one until earlier
        IpSet later = IpSet.of("10.200.3.4");
        IpSet earlier = IpSet.of("10.200.7.0/30", "198.18.0.1");
        TreeMap<Instant, IpSet> groups = new TreeMap<>(Map.of(NOW.plusSeconds(600), feed, NOW.plusSeconds(9_000), later, NOW.plusSeconds(60), earlier));
        Snapshot snapshot = new Snapshot(IpSet.empty(), groups);
        Elements.Decompositions decompositions = new Elements.Decompositions();

        Elements elements = Elements.of(snapshot, IpFamily.IPV4, NOW, decompositions);

        assertThat(texts(elements)).isEqualTo(reference(snapshot, IpFamily.IPV4));
        assertThat(texts(elements)).anyMatch(text -> text.endsWith("10.200.3.4 " + NOW.plusSeconds(9_000).getEpochSecond()));
        assertThat(texts(elements)).anyMatch(text -> text.endsWith("198.18.0.1 " + NOW.plusSeconds(60).getEpochSecond()));
    }

    @Test
    void manyGroupsMergeInOrder() {
        Random random = new Random(3);
        TreeMap<Instant, IpSet> groups = new TreeMap<>();
        for (int group = 0; group < 300; group++) {
            groups.put(NOW.plusSeconds(10 + group), randomHosts(random, 40, 0x0B000000L, 1 << 14));
        }
        Snapshot snapshot = new Snapshot(randomHosts(random, 50, 0x0B000000L, 1 << 14), groups);

        assertThat(texts(Elements.of(snapshot, IpFamily.IPV4, NOW))).isEqualTo(reference(snapshot, IpFamily.IPV4));
    }

    @Test
    void changesReplayedOntoTheOldElementsGiveTheNewOnes() {
        Random random = new Random(5);
        Snapshot before = new Snapshot(randomHosts(random, 500, 0x0C000000L, 1 << 12),
                new TreeMap<>(Map.of(NOW.plusSeconds(100), randomHosts(random, 500, 0x0C000000L, 1 << 12))));
        Snapshot after = new Snapshot(randomHosts(random, 500, 0x0C000000L, 1 << 12),
                new TreeMap<>(Map.of(NOW.plusSeconds(200), randomHosts(random, 500, 0x0C000000L, 1 << 12))));
        Elements old = Elements.of(before, IpFamily.IPV4, NOW);
        Elements wanted = Elements.of(after, IpFamily.IPV4, NOW);

        Elements changes = old.changesTo(wanted);

        assertThat(texts(old.withChanges(changes, false))).isEqualTo(texts(wanted));
        assertThat(changes.size()).isLessThan(old.size() + wanted.size());
        assertThat(texts(old.withChanges(old.changesTo(old), false))).isEqualTo(texts(old));
        assertThat(old.changesTo(old).size()).isZero();
    }
}
