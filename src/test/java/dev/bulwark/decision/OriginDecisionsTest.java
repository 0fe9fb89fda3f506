package dev.bulwark.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpRange;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class OriginDecisionsTest {
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

    static Decision decision(String origin, String target, Instant expiresAt) {
        return new Decision(origin, IpRange.parse(target), Action.BLOCK, Decision.NO_SCORE, List.of(), null, NOW, NOW, expiresAt);
    }

    @Test
    void findsEveryDecisionHoldingAnAddressIncludingNestedAndOverlappingOnes() {
        OriginDecisions table = OriginDecisions.of("feed", List.of(
                decision("feed", "10.0.0.0/8", null),
                decision("feed", "10.1.0.0/16", null),
                decision("feed", "10.1.2.3", null),
                decision("feed", "10.2.0.0-10.9.255.255", null),
                decision("feed", "192.0.2.0/24", null),
                decision("feed", "2001:db8::/32", null),
                decision("feed", "2001:db8::5", null)));

        assertThat(targets(table, "10.1.2.3")).containsExactly("10.0.0.0/8", "10.1.0.0/16", "10.1.2.3");
        assertThat(targets(table, "10.5.0.1")).containsExactly("10.0.0.0/8", "10.2.0.0-10.9.255.255");
        assertThat(targets(table, "11.0.0.0")).isEmpty();
        assertThat(targets(table, "192.0.2.255")).containsExactly("192.0.2.0/24");
        assertThat(targets(table, "2001:db8::5")).containsExactly("2001:db8::/32", "2001:db8::5");
        assertThat(targets(table, "2001:db9::")).isEmpty();
        // an IPv4 lookup never matches IPv6 entries, and the other way round
        assertThat(targets(table, "::a01:203")).isEmpty();
    }

    @Test
    void everyFieldComesBackAsItWasGivenFromTheColumns() {
        List<Decision> given = List.of(
                new Decision("feed", IpRange.parse("2001:db8::/48"), Action.MONITOR, 35, List.of("scanner"), "seen scanning",
                        NOW.minusSeconds(86_400), NOW, NOW.plusSeconds(3_600)),
                new Decision("feed", IpRange.parse("192.0.2.7"), Action.BLOCK, Decision.NO_SCORE, List.of(), null, NOW, NOW, null),
                new Decision("feed", IpRange.parse("198.51.100.0-198.51.100.9"), Action.BLOCK, 100, List.of("botnet", "c2"), "listed",
                        NOW.minusSeconds(5), NOW.minusSeconds(1), Instant.parse("9999-12-31T23:59:59Z")),
                new Decision("feed", IpRange.parse("2001:db8:0:1::1"), Action.BLOCK, 0, List.of("botnet", "c2"), "listed",
                        NOW, NOW, NOW.plusSeconds(60)));

        OriginDecisions table = OriginDecisions.of("feed", given);

        assertThat(table.asList()).containsExactlyInAnyOrderElementsOf(given);
        for (Decision decision : given) {
            assertThat(table.find(decision.target())).isEqualTo(decision);
        }
        assertThat(table.get(0).target()).isEqualTo(IpRange.parse("192.0.2.7"));
        assertThat(table.earliestExpiry()).isEqualTo(NOW.plusSeconds(60));
        assertThat(table.latestExpiry()).isEqualTo(Instant.parse("9999-12-31T23:59:59Z"));
        assertThat(table.find(IpRange.parse("2001:db8::/47"))).isNull();
    }

    @Test
    void agreesWithABruteForceScanOnRandomRanges() {
        Random random = new Random(42);
        List<Decision> decisions = new ArrayList<>();
        Set<IpRange> seen = new HashSet<>();
        while (decisions.size() < 2000) {
            long first = random.nextInt(1 << 16);
            long last = first + random.nextInt(random.nextBoolean() ? 4 : 3000);
            IpRange range = new IpRange(IpAddress.ipv4(first), IpAddress.ipv4(last));
            if (seen.add(range)) {
                decisions.add(new Decision("feed", range, Action.BLOCK, -1, List.of(), null, NOW, NOW, null));
            }
        }
        OriginDecisions table = OriginDecisions.of("feed", decisions);
        for (int probe = 0; probe < 3000; probe++) {
            IpAddress address = IpAddress.ipv4(random.nextInt(1 << 16) + 100);
            List<Decision> expected = decisions.stream()
                    .filter(decision -> decision.target().first().compareTo(address) <= 0 && decision.target().last().compareTo(address) >= 0)
                    .sorted(java.util.Comparator.comparing(Decision::target, OriginDecisions.TARGET_ORDER))
                    .toList();
            List<Decision> found = new ArrayList<>();
            table.containing(address, found);
            assertThat(found).as("decisions holding %s", address).isEqualTo(expected);
        }
    }

    @Test
    void withReplacesTheDecisionOnTheSameTargetAndWithoutRemovesIt() {
        OriginDecisions table = OriginDecisions.of("manual", List.of(decision("manual", "192.0.2.1", null)));
        Instant later = NOW.plusSeconds(60);
        OriginDecisions replaced = table.with(decision("manual", "192.0.2.1", later)).with(decision("manual", "192.0.2.2", null));

        assertThat(replaced.size()).isEqualTo(2);
        assertThat(replaced.find(IpRange.parse("192.0.2.1")).expiresAt()).isEqualTo(later);
        assertThat(replaced.earliestExpiry()).isEqualTo(later);
        assertThat(replaced.without(IpRange.parse("192.0.2.1")).asList()).extracting(d -> d.target().toString()).containsExactly("192.0.2.2");
        assertThat(table.without(IpRange.parse("198.51.100.1"))).isSameAs(table);
    }

    @Test
    void refusesTwoDecisionsOnOneTargetAndForeignOrigins() {
        assertThatThrownBy(() -> OriginDecisions.of("feed", List.of(decision("feed", "192.0.2.1", null), decision("feed", "192.0.2.1", null))))
                .hasMessageContaining("two decisions of feed on 192.0.2.1");
        assertThatThrownBy(() -> OriginDecisions.of("feed", List.of(decision("manual", "192.0.2.1", null))))
                .hasMessageContaining("decision of manual among those of feed");
    }

    private static List<String> targets(OriginDecisions table, String address) {
        List<Decision> found = new ArrayList<>();
        table.containing(IpAddress.parse(address), found);
        return found.stream().map(decision -> decision.target().toString()).toList();
    }
}
