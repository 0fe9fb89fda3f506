package dev.bulwark.enforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.cli.ExternalTool;
import dev.bulwark.enforce.ipset.IpsetEnforcer;
import dev.bulwark.enforce.nftables.NftablesEnforcer;
import dev.bulwark.ip.IpSet;
import dev.bulwark.policy.Snapshot;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Missing tools and missing privileges are reported with what to do, and change nothing. */
class MissingPrerequisitesTest {
    @TempDir
    Path state;

    @Test
    void aMissingProgramSaysWhichPackageToInstall() {
        ProcessRunner runner = new ProcessRunner(List.of(), Duration.ofSeconds(10));

        assertThatThrownBy(() -> runner.run(List.of("nft-not-installed-here", "-f", "-")))
                .isInstanceOf(EnforceException.class)
                .hasMessageContaining("cannot run nft-not-installed-here")
                .hasMessageContaining("install the nftables package, e.g. apt-get install nftables");
        assertThat(Tools.installHint("/usr/sbin/ipset")).isEqualTo("install the ipset package, e.g. apt-get install ipset");
        assertThat(Tools.installHint("ip6tables-legacy")).isEqualTo("install the iptables package, e.g. apt-get install iptables");
    }

    @Test
    void withoutRootNftablesSaysToRunAsRootOrDryRun() throws Exception {
        ExternalTool.assumeRoot();
        ExternalTool.assumeInstalled("nft");
        ExternalTool.assumeInstalled("setpriv");
        ProcessRunner nobody = new ProcessRunner(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"), Duration.ofSeconds(30));
        NftablesEnforcer enforcer = new NftablesEnforcer("bulwark", RuleSettings.defaults(), nobody, LockoutGuard.none(), state);

        assertThatThrownBy(() -> enforcer.apply(Snapshot.of(IpSet.of("192.0.2.1")), Instant.now()))
                .isInstanceOf(EnforceException.class)
                .hasMessageContaining("needs root or CAP_NET_ADMIN: run bulwark as root, or pass --dry-run");
    }

    @Test
    void withoutRootIpsetSaysToRunAsRootOrDryRun() throws Exception {
        ExternalTool.assumeRoot();
        ExternalTool.assumeInstalled("ipset");
        ExternalTool.assumeInstalled("setpriv");
        ProcessRunner nobody = new ProcessRunner(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"), Duration.ofSeconds(30));
        IpsetEnforcer enforcer = new IpsetEnforcer(RuleSettings.defaults(), "iptables", nobody, LockoutGuard.none(), state);

        assertThatThrownBy(() -> enforcer.apply(Snapshot.of(IpSet.of("192.0.2.1")), Instant.now()))
                .isInstanceOf(EnforceException.class)
                .hasMessageContaining("needs root or CAP_NET_ADMIN");
    }

    @Test
    void sshPeersAreReadFromSsOutputAndTheSessionEnvironment() throws Exception {
        FakeRunner runner = new FakeRunner(call -> FakeRunner.ok("""
                0      0       192.0.2.10:22      198.51.100.7:50122 users:(("sshd",pid=812,fd=4))
                0      0  [2001:db8::10]:2222 [2001:db8::99]:40000 users:(("sshd",pid=900,fd=4))
                0      0       192.0.2.10:443     203.0.113.5:1234  users:(("nginx",pid=1,fd=9))
                0      0  [::ffff:192.0.2.10]:22 [::ffff:203.0.113.44]:6000
                """));
        SystemHostFacts facts = new SystemHostFacts(runner, java.util.Map.of("SSH_CONNECTION", "198.51.100.200 50000 192.0.2.10 22"));

        assertThat(facts.sshPeers()).extracting(Object::toString)
                .containsExactly("198.51.100.200", "198.51.100.7", "2001:db8::99", "203.0.113.44");
        assertThat(SystemHostFacts.hostOf("[fe80::1%eth0]:22")).isEqualTo("fe80::1");
    }

    @Test
    void dryRunLinesCanBeTypedIntoAShell() {
        assertThat(PrintingRunner.shellLine(List.of("iptables", "-w", "-A", "BULWARK", "--log-prefix", "bulwark: ", "it's")))
                .isEqualTo("iptables -w -A BULWARK --log-prefix 'bulwark: ' 'it'\\''s'");
    }
}
