package dev.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bulwark enforce} without root: usage, refusals, and the two dry runs. */
class EnforceCommandTest {
    @TempDir
    Path state;

    @Test
    void theDryRunBackendPrintsTheDifferenceFromItsLastRun() {
        CommandRun first = CommandRun.withStdin("203.0.113.1\n198.51.100.0/24\n2001:db8::/32\n",
                "enforce", "--backend", "dry-run", "--state-dir", state.toString(), "-");
        CommandRun second = CommandRun.withStdin("203.0.113.1\n198.51.100.0/25\n",
                "enforce", "--backend", "dry-run", "--state-dir", state.toString(), "--ttl", "2h", "-");

        assertThat(first.code()).as(first.stderr()).isZero();
        assertThat(first.stdout()).isEqualTo("+ 198.51.100.0/24\n+ 203.0.113.1\n+ 2001:db8::/32\n");
        assertThat(first.stderr()).contains("dry-run: full load (no state from an earlier apply): 3 added, 0 removed");
        assertThat(second.stdout()).isEqualTo("- 198.51.100.0/24\n+ 198.51.100.0/25 until 2026-11-23T14:00:00Z\n"
                + "~ 203.0.113.1 until 2026-11-23T14:00:00Z\n- 2001:db8::/32\n");
    }

    @Test
    void dryRunPrintsTheExactScriptAndLeavesNoState() {
        CommandRun run = CommandRun.withStdin("203.0.113.1\n", "enforce", "--backend", "nftables", "--dry-run", "--state-dir", state.toString(), "-");

        assertThat(run.code()).as(run.stderr()).isZero();
        assertThat(run.stdout()).startsWith("nft -f - <<'EOF'\ntable inet bulwark {\n")
                .contains("add element inet bulwark v4_hosts { 203.0.113.1 }\n");
        assertThat(run.stderr()).contains("(dry run: nothing was run)");
        assertThat(state.resolve("enforce")).doesNotExist();
    }

    @Test
    void theIpsetDryRunSwapsInAFreshSet() {
        CommandRun run = CommandRun.withStdin("203.0.113.1\n10.0.0.0/8\n", "enforce", "--backend", "ipset", "--dry-run",
                "--state-dir", state.toString(), "--ttl", "1h", "-");

        assertThat(run.code()).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("""
                ipset restore <<'EOF'
                create bulwark-v4-new hash:net family inet hashsize 1024 maxelem 65536 timeout 0
                add bulwark-v4-new 10.0.0.0/8 timeout 3600
                add bulwark-v4-new 203.0.113.1 timeout 3600
                create bulwark-v4 hash:net family inet hashsize 1024 maxelem 65536 timeout 0
                swap bulwark-v4-new bulwark-v4
                destroy bulwark-v4-new
                EOF
                """);
    }

    @Test
    void anEmptyOrUnreadableListChangesNothing() throws Exception {
        Path empty = Files.writeString(state.resolve("empty.txt"), "# nothing\n");

        CommandRun emptyRun = CommandRun.of("enforce", "--backend", "dry-run", "--state-dir", state.toString(), empty.toString());
        CommandRun missing = CommandRun.of("enforce", "--backend", "dry-run", "--state-dir", state.toString(), state.resolve("nope.txt").toString());

        assertThat(emptyRun.code()).isEqualTo(1);
        assertThat(emptyRun.stderr()).contains("the list is empty; nothing changed").contains("--allow-empty");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.stderr()).contains("cannot read").contains("nothing changed");
        assertThat(state.resolve("enforce")).doesNotExist();
    }

    @Test
    void badUsageSaysWhatIsMissing() {
        CommandRun noBackend = CommandRun.of("enforce", "list.txt");
        CommandRun noList = CommandRun.of("enforce", "--backend", "nftables");
        CommandRun listWithRemove = CommandRun.of("enforce", "--backend", "nftables", "--remove", "list.txt");
        CommandRun badHook = CommandRun.of("enforce", "--backend", "nftables", "--hooks", "prerouting", "list.txt");
        CommandRun badBackend = CommandRun.of("enforce", "--backend", "pf", "list.txt");

        assertThat(noBackend.code()).isEqualTo(2);
        assertThat(noBackend.stderr()).contains("--backend is required: nftables, ipset or dry-run");
        assertThat(noList.stderr()).contains("LIST is required");
        assertThat(listWithRemove.stderr()).contains("--remove and --counters take no LIST");
        assertThat(badHook.stderr()).contains("unknown hook 'prerouting': use input, forward and/or output");
        assertThat(badBackend.code()).isEqualTo(2);
        assertThat(badBackend.stderr()).contains("unknown backend 'pf'");
    }
}
