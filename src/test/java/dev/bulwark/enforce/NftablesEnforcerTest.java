package dev.bulwark.enforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.enforce.nftables.NftablesEnforcer;
import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpSet;
import dev.bulwark.policy.Snapshot;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The nft scripts, against a fake runner; {@link NftablesEnforcerNetnsTest} runs them in a kernel. */
class NftablesEnforcerTest {
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private static final String CHAINS = """
            {"nftables": [{"metainfo": {"version": "1.0.6"}},
             {"chain": {"family": "inet", "table": "bulwark", "name": "input", "type": "filter", "hook": "input", "prio": -10, "policy": "accept"}},
             {"chain": {"family": "inet", "table": "bulwark", "name": "block"}}]}
            """;

    @TempDir
    Path state;

    private static FakeRunner kernel() {
        return new FakeRunner(call -> call.command().equals("nft -j list chains inet") ? FakeRunner.ok(CHAINS) : FakeRunner.ok(""));
    }

    private NftablesEnforcer enforcer(FakeRunner runner, RuleSettings rules) {
        return new NftablesEnforcer("bulwark", rules, runner, LockoutGuard.none(), state);
    }

    @Test
    void aFirstApplyLoadsEverythingInOneTransaction() throws Exception {
        FakeRunner runner = kernel();
        RuleSettings rules = new RuleSettings(EnumSet.of(Hook.INPUT, Hook.OUTPUT), Verdict.REJECT, "bulwark: ", -10);
        Snapshot snapshot = new Snapshot(IpSet.of("192.0.2.1", "198.51.100.0/24", "2001:db8::/32"),
                new java.util.TreeMap<>(java.util.Map.of(NOW.plusSeconds(3600), IpSet.of("203.0.113.9", "2001:db8:1::1"))));

        ApplyReport report = enforcer(runner, rules).apply(snapshot, NOW);

        assertThat(report.full()).isTrue();
        assertThat(report.reason()).isEqualTo("no state from an earlier apply");
        assertThat(runner.inputsOf("nft -f -")).containsExactly(Files.readString(Path.of("src/test/resources/enforce/full-load.nft")));
    }

    @Test
    void aSecondApplyCarriesOnlyTheDifference() throws Exception {
        FakeRunner runner = kernel();
        NftablesEnforcer enforcer = enforcer(runner, RuleSettings.defaults());
        enforcer.apply(Snapshot.of(IpSet.of("192.0.2.1", "192.0.2.3", "198.51.100.0/24")), NOW);
        runner.calls.clear();

        ApplyReport report = enforcer.apply(Snapshot.of(IpSet.of("192.0.2.1", "192.0.2.5", "198.51.100.0/25")), NOW.plusSeconds(60));

        assertThat(report.full()).isFalse();
        assertThat(List.of(report.added(), report.removed(), report.kept())).containsExactly(2L, 2L, 1L);
        assertThat(runner.calls.getFirst().command()).isEqualTo("nft -j list chains inet");
        String script = runner.inputsOf("nft -f -").getFirst();
        assertThat(script.lines().filter(line -> line.contains(" element ") || line.startsWith("flush set"))).containsExactly(
                "delete element inet bulwark v4_hosts { 192.0.2.1 }",
                "add element inet bulwark v4_hosts { 192.0.2.1 }",
                "delete element inet bulwark v4_hosts { 192.0.2.3 }",
                "flush set inet bulwark v4",
                "add element inet bulwark v4 { 198.51.100.0/25 }",
                "add element inet bulwark v4_hosts { 192.0.2.5 }");
        assertThat(script).as("only the interval set, rewritten because a prefix left it").doesNotContain("flush set inet bulwark v4_hosts");
    }

    @Test
    void aFailedIncrementalUpdateFallsBackToAFullLoad() throws Exception {
        FakeRunner setup = kernel();
        enforcer(setup, RuleSettings.defaults()).apply(Snapshot.of(IpSet.of("192.0.2.1")), NOW);
        int[] transactions = {0};
        FakeRunner runner = new FakeRunner(call -> {
            if (call.command().equals("nft -j list chains inet")) {
                return FakeRunner.ok(CHAINS);
            }
            if (call.command().equals("nft -f -") && transactions[0]++ == 0) {
                return FakeRunner.failed("Error: interval overlaps with an existing one\nadd element ...");
            }
            return FakeRunner.ok("");
        });

        ApplyReport report = enforcer(runner, RuleSettings.defaults()).apply(Snapshot.of(IpSet.of("192.0.2.0/24")), NOW);

        assertThat(report.full()).isTrue();
        assertThat(report.reason()).isEqualTo("the incremental update failed (Error: interval overlaps with an existing one)");
        assertThat(runner.inputsOf("nft -f -").get(1)).contains("flush set inet bulwark v4\n").contains("add element inet bulwark v4 { 192.0.2.0/24 }");
    }

    @Test
    void aTableThatCannotBeReusedIsReplacedInOneTransaction() throws Exception {
        FakeRunner runner = new FakeRunner(call -> {
            if (call.command().equals("nft -f -") && !call.input().contains("delete table")) {
                return FakeRunner.failed("Error: Could not process rule: File exists");
            }
            return call.command().startsWith("nft -j") ? FakeRunner.ok("{\"nftables\": []}") : FakeRunner.ok("");
        });

        enforcer(runner, RuleSettings.defaults()).apply(Snapshot.of(IpSet.of("192.0.2.1")), NOW);

        String replacement = runner.inputsOf("nft -f -").get(1);
        assertThat(replacement).startsWith("table inet bulwark {\n}\ndelete table inet bulwark\ntable inet bulwark {\n");
        assertThat(replacement).contains("add element inet bulwark v4_hosts { 192.0.2.1 }");
    }

    @Test
    void theDryRunTwinPrintsTheScriptAndRecordsNothing() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        NftablesEnforcer dryRun = new NftablesEnforcer("bulwark", RuleSettings.defaults(), new PrintingRunner(printed), LockoutGuard.none(), state);

        dryRun.apply(Snapshot.of(IpSet.of("192.0.2.1")), NOW);

        String text = printed.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("nft -f - <<'EOF'\ntable inet bulwark {\n").endsWith("add rule inet bulwark block drop\nEOF\n");
        assertThat(text).contains("add element inet bulwark v4_hosts { 192.0.2.1 }");
        try (var files = Files.list(state)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void theLockoutGuardStopsTheApplyBeforeAnyCommand() {
        FakeRunner runner = kernel();
        LockoutGuard guard = new LockoutGuard(new HostFacts() {
            public List<IpAddress> ownAddresses() {
                return List.of(IpAddress.parse("192.0.2.10"));
            }

            public List<IpAddress> defaultGateways() {
                return List.of(IpAddress.parse("fe80::1"));
            }

            public List<IpAddress> sshPeers() {
                return List.of(IpAddress.parse("198.51.100.22"));
            }
        });
        NftablesEnforcer enforcer = new NftablesEnforcer("bulwark", RuleSettings.defaults(), runner, guard, state);

        assertThatThrownBy(() -> enforcer.apply(Snapshot.of(IpSet.of("198.51.100.0/24", "fe80::/10", "203.0.113.1")), NOW))
                .hasMessageContaining("198.51.100.22 (the peer of an open SSH session, listed in 198.51.100.0/24)")
                .hasMessageContaining("fe80::1 (the default gateway, listed in fe80::/10)")
                .hasMessageNotContaining("192.0.2.10");
        assertThat(runner.calls).isEmpty();
    }

    /**
     * A long-lived enforcer diffs only the small groups beside an unchanged large one; a new
     * enforcer on the same state, for each step, diffs everything. Both must write the same
     * scripts: feed elements kept with their older expiry, bans added and taken out.
     */
    @Test
    void theDifferenceBesideAnUnchangedLargeGroupIsTheWholeDifference(@TempDir Path freshState) throws Exception {
        IpSet.Builder feed = IpSet.builder();
        for (long address = 0x0A000000L; address < 0x0A000000L + 2 * 6_000; address += 2) {
            feed.addIpv4(address, address);
        }
        IpSet firstRound = feed.build();
        IpSet secondRound = feed.build(); // the same addresses, a new object: the next round of the feed
        FakeRunner kept = kernel();
        NftablesEnforcer longLived = enforcer(kept, RuleSettings.defaults());
        List<Snapshot> steps = List.of(
                Snapshot.until(firstRound, NOW.plusSeconds(7_200)),
                // the next round, an hour later, moves the feed's expiry: too soon to rewrite its elements
                Snapshot.until(secondRound, NOW.plusSeconds(9_000)),
                new Snapshot(IpSet.of("198.18.0.1"), new java.util.TreeMap<>(java.util.Map.of(NOW.plusSeconds(9_000), secondRound))),
                new Snapshot(IpSet.of("198.18.0.1", "198.18.0.9"), new java.util.TreeMap<>(java.util.Map.of(NOW.plusSeconds(9_000), secondRound,
                        NOW.plusSeconds(4_000), IpSet.of("2001:db8::1")))),
                new Snapshot(IpSet.of("198.18.0.9"), new java.util.TreeMap<>(java.util.Map.of(NOW.plusSeconds(9_000), secondRound))));
        for (int step = 0; step < steps.size(); step++) {
            Instant at = NOW.plusSeconds(step == 0 ? 0 : 3_600 + step);
            FakeRunner fresh = kernel();
            ApplyReport quick = longLived.apply(steps.get(step), at);
            ApplyReport whole = new NftablesEnforcer("bulwark", RuleSettings.defaults(), fresh, LockoutGuard.none(), freshState)
                    .apply(steps.get(step), at);

            assertThat(kept.inputsOf("nft -f -").getLast()).as("step %s", step).isEqualTo(fresh.inputsOf("nft -f -").getLast());
            assertThat(quick.summary()).isEqualTo(whole.summary().replaceAll(" in \\d+ ms", quick.summary().replaceAll(".* in (\\d+) ms.*", " in $1 ms")));
        }
        assertThat(kept.inputsOf("nft -f -").getLast()).contains("delete element inet bulwark v4_hosts { 198.18.0.1 }")
                .doesNotContain("10.0.0.2 ");
    }

    @Test
    void countersAreSummedPerFamily() throws Exception {
        FakeRunner runner = new FakeRunner(call -> FakeRunner.ok("""
                {"nftables": [{"metainfo": {}},
                 {"counter": {"family": "inet", "name": "input_v4", "table": "bulwark", "packets": 5, "bytes": 420}},
                 {"counter": {"family": "inet", "name": "output_v4", "table": "bulwark", "packets": 1, "bytes": 84}},
                 {"counter": {"family": "inet", "name": "input_v6", "table": "bulwark", "packets": 2, "bytes": 208}}]}
                """));

        assertThat(enforcer(runner, RuleSettings.defaults()).counters()).isEqualTo(new DropCounters(6, 504, 2, 208));
    }
}
