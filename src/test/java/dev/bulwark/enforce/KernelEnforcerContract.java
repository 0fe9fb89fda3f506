package dev.bulwark.enforce;

import static dev.bulwark.enforce.NetnsLab.CLEAN_V4;
import static dev.bulwark.enforce.NetnsLab.CLEAN_V6;
import static dev.bulwark.enforce.NetnsLab.IN_PREFIX_V4;
import static dev.bulwark.enforce.NetnsLab.IN_PREFIX_V6;
import static dev.bulwark.enforce.NetnsLab.LISTED_V4;
import static dev.bulwark.enforce.NetnsLab.LISTED_V6;
import static dev.bulwark.enforce.NetnsLab.PREFIX_V4;
import static dev.bulwark.enforce.NetnsLab.PREFIX_V6;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.ip.IpSet;
import dev.bulwark.policy.Snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every kernel enforcer must prove with real packets: an enforcer in namespace {@code host}
 * of a {@link NetnsLab}, probes sent from the {@code attacker} namespace. Subclasses say how to
 * make the enforcer, read its kernel state back and break it.
 */
abstract class KernelEnforcerContract {
    static final IpSet LIST = IpSet.of(LISTED_V4, PREFIX_V4, LISTED_V6, PREFIX_V6, "198.51.100.0/24", "2001:db8::/32");

    NetnsLab lab;
    @TempDir
    Path state;

    @BeforeEach
    void makeLab() throws Exception {
        lab = NetnsLab.create();
    }

    @AfterEach
    void deleteLab() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    abstract Enforcer enforcer(RuleSettings rules);

    /** Every element in the kernel's sets, as prefixes in Bulwark's text form. */
    abstract Set<String> kernelElements() throws Exception;

    /** The kernel's rules and sets as text, without anything that changes by itself (counters, timeouts). */
    abstract String kernelListing() throws Exception;

    /** Empties the IPv4 sets behind Bulwark's back. */
    abstract void flushSetsBehindItsBack() throws Exception;

    /** Deletes Bulwark's rules (or its table) behind its back. */
    abstract void deleteRulesBehindItsBack() throws Exception;

    /** True when nothing of Bulwark's is left in the kernel. */
    abstract boolean nothingLeft() throws Exception;

    Enforcer enforcer() {
        return enforcer(RuleSettings.defaults());
    }

    static Set<String> prefixes(IpSet set) {
        return new TreeSet<>(set.toPrefixes());
    }

    @Test
    void dropsListedSourcesAndPrefixesAndPassesTheRest() throws Exception {
        for (String source : List.of(CLEAN_V4, LISTED_V4, IN_PREFIX_V4, CLEAN_V6, LISTED_V6, IN_PREFIX_V6)) {
            assertThat(lab.reaches(source)).as("before enforcing, %s reaches the host", source).isTrue();
        }

        ApplyReport report = enforcer().apply(Snapshot.of(LIST), Instant.now());

        assertThat(report.full()).isTrue();
        assertThat(kernelElements()).isEqualTo(prefixes(LIST));
        assertThat(lab.reaches(CLEAN_V4)).isTrue();
        assertThat(lab.reaches(CLEAN_V6)).isTrue();
        assertThat(lab.reaches(LISTED_V4)).as("a listed IPv4 address").isFalse();
        assertThat(lab.reaches(LISTED_V6)).as("a listed IPv6 address").isFalse();
        assertThat(lab.reaches(IN_PREFIX_V4)).as(".77 of a listed /24").isFalse();
        assertThat(lab.reaches(IN_PREFIX_V6)).as("an address of a listed IPv6 prefix").isFalse();
    }

    @Test
    void anIncrementalUpdateAppliesExactlyTheDifference() throws Exception {
        IpSet before = IpSet.of(LISTED_V4, PREFIX_V4, LISTED_V6, "198.51.100.0/24", "192.0.2.7", "2001:db8::7");
        IpSet after = IpSet.of(LISTED_V4, "198.51.100.0/25", "192.0.2.8", PREFIX_V6, "2001:db8::7");
        enforcer().apply(Snapshot.of(before), Instant.now());
        assertThat(kernelElements()).isEqualTo(prefixes(before));

        ApplyReport report = enforcer().apply(Snapshot.of(after), Instant.now());

        assertThat(report.full()).as(report.summary()).isFalse();
        Set<String> added = new TreeSet<>(prefixes(after));
        added.removeAll(prefixes(before));
        Set<String> removed = new TreeSet<>(prefixes(before));
        removed.removeAll(prefixes(after));
        assertThat(report.added()).isEqualTo(added.size());
        assertThat(report.removed()).isEqualTo(removed.size());
        assertThat(report.kept()).isEqualTo(prefixes(before).size() - removed.size());
        assertThat(kernelElements()).isEqualTo(prefixes(after));
        assertThat(lab.reaches(IN_PREFIX_V4)).as("its prefix was removed").isTrue();
        assertThat(lab.reaches(IN_PREFIX_V6)).as("its prefix was added").isFalse();
        assertThat(lab.reaches(LISTED_V4)).isFalse();
        assertThat(lab.reaches(LISTED_V6)).as("removed from the list").isTrue();
    }

    @Test
    void applyingTheSameListAgainChangesNothing() throws Exception {
        enforcer().apply(Snapshot.of(LIST), Instant.now());
        String first = kernelListing();

        ApplyReport again = enforcer().apply(Snapshot.of(LIST), Instant.now());
        ApplyReport third = enforcer().apply(Snapshot.of(LIST), Instant.now().plusSeconds(60));

        assertThat(again.changed()).as(again.summary()).isFalse();
        assertThat(third.changed()).as(third.summary()).isFalse();
        assertThat(kernelListing()).isEqualTo(first);
        assertThat(kernelElements()).isEqualTo(prefixes(LIST));
    }

    @Test
    void restartsNeverLetABlockedProbeThrough() throws Exception {
        enforcer().apply(Snapshot.of(LIST), Instant.now());
        CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> probe(LISTED_V4, 400));
        CompletableFuture<Integer> blockedInPrefix = CompletableFuture.supplyAsync(() -> probe(IN_PREFIX_V6, 400));
        CompletableFuture<Integer> clean = CompletableFuture.supplyAsync(() -> probe(CLEAN_V4, 400));

        List<ApplyReport> reports = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            reports.add(enforcer().apply(Snapshot.of(LIST), Instant.now()));
            try (Stream<Path> files = Files.list(state)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            reports.add(enforcer().apply(Snapshot.of(LIST), Instant.now()));
            reports.add(enforcer(new RuleSettings(EnumSet.of(Hook.INPUT), Verdict.DROP, "bulwark test: ", -10))
                    .apply(Snapshot.of(LIST), Instant.now()));
        }

        assertThat(reports).anyMatch(ApplyReport::full);
        assertThat(blocked.join()).as("replies to a listed address while enforcers restarted").isZero();
        assertThat(blockedInPrefix.join()).as("replies to an address of a listed prefix while enforcers restarted").isZero();
        assertThat(clean.join()).as("the probes kept flowing: replies to a clean address").isGreaterThan(300);
    }

    private int probe(String source, int count) {
        try {
            return lab.received(source, count, 10);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anExpiredEntryLeavesTheKernel() throws Exception {
        Instant now = Instant.now();
        TreeMap<Instant, IpSet> expiring = new TreeMap<>();
        expiring.put(now.plusSeconds(3), IpSet.of(LISTED_V4, LISTED_V6));
        enforcer().apply(new Snapshot(IpSet.of(PREFIX_V4), expiring), now);
        assertThat(lab.reaches(LISTED_V4)).isFalse();

        long deadline = System.nanoTime() + 30_000_000_000L;
        while (kernelElements().contains(LISTED_V4) || kernelElements().contains(LISTED_V6)) {
            assertThat(System.nanoTime()).as("the kernel still holds the expired entries after 30 s").isLessThan(deadline);
            Thread.sleep(250);
        }

        assertThat(kernelElements()).containsExactly(PREFIX_V4);
        assertThat(lab.reaches(LISTED_V4)).isTrue();
        assertThat(lab.reaches(LISTED_V6)).isTrue();
        assertThat(lab.reaches(IN_PREFIX_V4)).isFalse();
    }

    @Test
    void countersShowTheDroppedPackets() throws Exception {
        Enforcer enforcer = enforcer();
        enforcer.apply(Snapshot.of(LIST), Instant.now());
        assertThat(enforcer.counters()).isEqualTo(new DropCounters(0, 0, 0, 0));

        assertThat(lab.received(LISTED_V4, 3, 200)).isZero();
        assertThat(lab.received(IN_PREFIX_V6, 2, 200)).isZero();
        assertThat(lab.received(CLEAN_V4, 2, 200)).isEqualTo(2);

        DropCounters counters = enforcer.counters();
        assertThat(counters.ipv4Packets()).isEqualTo(3);
        assertThat(counters.ipv6Packets()).isEqualTo(2);
        assertThat(counters.ipv4Bytes()).isEqualTo(3 * 84);

        enforcer().apply(Snapshot.of(LIST.union(IpSet.of("203.0.113.99"))), Instant.now());
        assertThat(enforcer.counters()).as("an update keeps the counts").isEqualTo(counters);
    }

    @Test
    void aFlushedSetIsDetectedAndRefilled() throws Exception {
        enforcer().apply(Snapshot.of(LIST), Instant.now());
        flushSetsBehindItsBack();
        assertThat(lab.reaches(LISTED_V4)).isTrue();

        ApplyReport report = enforcer().apply(Snapshot.of(LIST), Instant.now());

        assertThat(report.full()).as(report.summary()).isTrue();
        assertThat(kernelElements()).isEqualTo(prefixes(LIST));
        assertThat(lab.reaches(LISTED_V4)).isFalse();
    }

    @Test
    void deletedRulesAreRestored() throws Exception {
        enforcer().apply(Snapshot.of(LIST), Instant.now());
        deleteRulesBehindItsBack();
        assertThat(lab.reaches(LISTED_V4)).isTrue();

        enforcer().apply(Snapshot.of(LIST), Instant.now());

        assertThat(lab.reaches(LISTED_V4)).isFalse();
        assertThat(lab.reaches(LISTED_V6)).isFalse();
        assertThat(kernelElements()).isEqualTo(prefixes(LIST));
    }

    @Test
    void refusesAListThatBlocksTheHostItself() throws Exception {
        IpSet lockout = IpSet.of("10.77.0.0/24", "203.0.113.9");

        assertThatThrownBy(() -> enforcer().apply(Snapshot.of(lockout), Instant.now()))
                .isInstanceOf(EnforceException.class)
                .hasMessageContaining("10.77.0.1 (an address of this host, listed in 10.77.0.0/24)")
                .hasMessageContaining("Nothing was changed");
        assertThat(nothingLeft()).isTrue();
        assertThat(lab.reaches(CLEAN_V4)).isTrue();
    }

    @Test
    void removeTakesEverythingOut() throws Exception {
        Enforcer enforcer = enforcer(new RuleSettings(EnumSet.allOf(Hook.class), Verdict.REJECT, "bulwark: ", -10));
        enforcer.apply(Snapshot.of(LIST), Instant.now());
        assertThat(lab.reaches(LISTED_V4)).isFalse();

        enforcer.remove();

        assertThat(nothingLeft()).isTrue();
        assertThat(lab.reaches(LISTED_V4)).isTrue();
        try (Stream<Path> files = Files.list(state)) {
            assertThat(files).as("state files").isEmpty();
        }
    }
}
