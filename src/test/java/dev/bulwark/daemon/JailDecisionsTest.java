package dev.bulwark.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.bulwark.api.ApiConfig;
import dev.bulwark.api.Explanation;
import dev.bulwark.decision.Action;
import dev.bulwark.decision.Change;
import dev.bulwark.decision.Decision;
import dev.bulwark.decision.HistoryEntry;
import dev.bulwark.decision.SqliteDecisionStore;
import dev.bulwark.detect.Failure;
import dev.bulwark.detect.jail.Ban;
import dev.bulwark.detect.jail.Increment;
import dev.bulwark.detect.jail.JailConfig;
import dev.bulwark.detect.jail.JailFilter;
import dev.bulwark.detect.jail.JailRules;
import dev.bulwark.detect.jail.JailSource;
import dev.bulwark.detect.jail.JailsConfig;
import dev.bulwark.enforce.EnforcerConfig;
import dev.bulwark.enforce.ProcessRunner;
import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpRange;
import dev.bulwark.ip.IpSet;
import dev.bulwark.policy.PolicyConfig;
import dev.bulwark.policy.Protection;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bans of jails as decisions of the whole daemon: real SQLite files in a temporary state directory, a manual clock, a file enforcer. */
class JailDecisionsTest {
    private static final Instant START = DecisionKeeperTest.START;
    private static final Increment DOUBLING = new Increment(true, 1, List.of(), null, Duration.ZERO, false, Increment.DEFAULT_FORGET_AFTER);

    @TempDir
    Path directory;

    private final DecisionKeeperTest.ManualClock clock = new DecisionKeeperTest.ManualClock(START);
    private final List<Daemon> running = new ArrayList<>();

    @AfterEach
    void close() {
        running.forEach(Daemon::close);
    }

    private static JailConfig jail(String name, int maxRetry, Increment increment) {
        JailRules rules = new JailRules(name, maxRetry, Duration.ofMinutes(10), Duration.ofMinutes(10), IpSet.empty(), increment, 64,
                List.of("bruteforce", "ssh"));
        return new JailConfig(rules, new JailFilter("sshd", null, Map.of()), new JailSource.LogFiles(List.of("/var/log/auth.log")), false);
    }

    private Daemon daemon(String allow, JailsConfig jails) throws Exception {
        PolicyConfig policy = new PolicyConfig(60, 30, Duration.ofHours(24), Protection.all(), IpSet.empty(),
                allow == null ? IpSet.empty() : IpSet.of(allow), 8, 32, false);
        DaemonConfig config = new DaemonConfig(directory.resolve("bulwark.yml"), directory.resolve("state"), ApiConfig.defaults(), policy,
                List.of(), List.of(new EnforcerConfig.File(directory.resolve("edl.txt"), 0)), jails, DaemonConfig.DEFAULT_HISTORY_KEEP);
        Daemon daemon = Daemon.restore(config, SqliteDecisionStore.open(directory.resolve("state/decisions.db")),
                new Daemon.Environment(clock, ProcessRunner.local(), null, new ByteArrayOutputStream()));
        running.add(daemon);
        return daemon;
    }

    private void stop(Daemon daemon) {
        running.remove(daemon);
        daemon.close();
    }

    private List<Ban> fail(Daemon daemon, String jail, String id, int count) throws Exception {
        List<Ban> bans = new ArrayList<>();
        for (int index = 0; index < count; index++) {
            Instant now = clock.instant();
            bans.addAll(daemon.jails().failure(jail, new Failure(id, now,
                    List.of("sshd[99]: Failed password for root from " + id + " port 22 ssh2")), now));
            clock.set(now.plusSeconds(10));
        }
        return bans;
    }

    private String enforced(Daemon daemon) throws Exception {
        daemon.reconciler().reconcile(clock.instant());
        return Files.readString(directory.resolve("edl.txt"));
    }

    @Test
    void aBanIsStoredAsADecisionOfItsJailEnforcedAtOnceAndExplained() throws Exception {
        Daemon daemon = daemon(null, new JailsConfig(List.of(jail("sshd", 5, Increment.DISABLED)), JailsConfig.defaultRecidive()));

        List<Ban> bans = fail(daemon, "sshd", "192.0.2.7", 5);

        Instant bannedAt = START.plusSeconds(40);
        assertThat(bans).singleElement().satisfies(ban -> assertThat(ban.at()).isEqualTo(bannedAt));
        Decision decision = daemon.keeper().current().book().origin("jail:sshd").find(IpRange.parse("192.0.2.7"));
        assertThat(decision).isEqualTo(new Decision("jail:sshd", IpRange.parse("192.0.2.7"), Action.BLOCK, Decision.NO_SCORE,
                List.of("bruteforce", "ssh"), "5 failures in 40s (10m): sshd[99]: Failed password for root from 192.0.2.7 port 22 ssh2",
                bannedAt, bannedAt, bannedAt.plus(Duration.ofMinutes(10))));
        assertThat(daemon.keeper().current().blocked().contains(IpAddress.parse("192.0.2.7"))).isTrue();
        assertThat(enforced(daemon)).isEqualTo("192.0.2.7\n");

        Explanation explanation = daemon.service().explain(IpAddress.parse("192.0.2.7"), true);
        assertThat(explanation.blocked()).isTrue();
        assertThat(explanation.expiresAt()).isEqualTo(bannedAt.plus(Duration.ofMinutes(10)));
        assertThat(explanation.decisions()).extracting(Decision::origin, Decision::reason)
                .containsExactly(tuple("jail:sshd", decision.reason()));
        assertThat(explanation.history()).extracting(HistoryEntry::change, HistoryEntry::by).containsExactly(tuple(Change.CREATED, "jail"));
        assertThat(explanation.enforcers()).containsExactly("file:" + directory.resolve("edl.txt"));
        assertThat(daemon.service().metrics()).contains("bulwark_decisions{origin=\"jail:sshd\"} 1.0")
                .contains("bulwark_decisions{origin=\"jail:recidive\"} 0.0");

        clock.set(bannedAt.plus(Duration.ofMinutes(10)));
        assertThat(enforced(daemon)).as("expired with the ban").isEmpty();
    }

    @Test
    void anUnbanByHandLiftsAJailsBan() throws Exception {
        Daemon daemon = daemon(null, new JailsConfig(List.of(jail("sshd", 5, Increment.DISABLED)), JailsConfig.defaultRecidive()));
        fail(daemon, "sshd", "192.0.2.8", 5);
        assertThat(enforced(daemon)).isEqualTo("192.0.2.8\n");

        assertThat(daemon.keeper().unban(IpRange.parse("192.0.2.8"), "cli")).isTrue();

        assertThat(daemon.keeper().current().book().origin("jail:sshd").find(IpRange.parse("192.0.2.8"))).isNull();
        assertThat(enforced(daemon)).isEmpty();
        assertThat(daemon.service().explain(IpAddress.parse("192.0.2.8"), true).history())
                .as("newest first").extracting(HistoryEntry::change, HistoryEntry::by).containsExactly(tuple(Change.REMOVED, "cli"), tuple(Change.CREATED, "jail"));
        assertThat(daemon.keeper().unban(IpRange.parse("192.0.2.8"), "cli")).as("nothing left to lift").isFalse();
    }

    @Test
    void aProlongedBanExtendsItsDecisionAndKeepsItsReasonAndFirstSeen() throws Exception {
        Daemon daemon = daemon(null, new JailsConfig(List.of(jail("sshd", 3, Increment.DISABLED)), null));
        Ban first = fail(daemon, "sshd", "192.0.2.7", 3).getFirst();

        Ban prolonged = fail(daemon, "sshd", "192.0.2.7", 3).getFirst();

        assertThat(prolonged.kind()).isEqualTo(Ban.Kind.PROLONGED);
        Decision decision = daemon.keeper().current().book().origin("jail:sshd").find(IpRange.parse("192.0.2.7"));
        assertThat(decision.expiresAt()).isEqualTo(prolonged.expiresAt()).isAfter(first.expiresAt());
        assertThat(decision.firstSeen()).isEqualTo(first.at());
        assertThat(decision.lastSeen()).isEqualTo(prolonged.at());
        assertThat(decision.reason()).isEqualTo(first.reason());
        assertThat(daemon.service().explain(IpAddress.parse("192.0.2.7"), true).history()).extracting(HistoryEntry::change)
                .containsExactly(Change.EXTENDED, Change.CREATED);
    }

    @Test
    void anAllowedAddressIsStoredAndExplainedButNotEnforcedAndAFailureIdIsNeverStored() throws Exception {
        Daemon daemon = daemon("198.51.100.0/24", new JailsConfig(List.of(jail("sshd", 2, Increment.DISABLED)), null));

        assertThat(fail(daemon, "sshd", "198.51.100.7", 2)).hasSize(1);
        assertThat(fail(daemon, "sshd", "root", 2)).singleElement().satisfies(ban -> assertThat(ban.enforceable()).isFalse());
        assertThat(fail(daemon, "sshd", "2001:db8:5:6::1", 2)).singleElement()
                .satisfies(ban -> assertThat(ban.target()).isEqualTo(IpRange.parse("2001:db8:5:6::/64")));

        assertThat(daemon.keeper().current().book().origin("jail:sshd").asList()).extracting(Decision::target)
                .containsExactly(IpRange.parse("198.51.100.7"), IpRange.parse("2001:db8:5:6::/64"));
        Explanation allowed = daemon.service().explain(IpAddress.parse("198.51.100.7"), false);
        assertThat(allowed.blocked()).isFalse();
        assertThat(allowed.allowedBy()).isEqualTo("allowlist 198.51.100.0/24");
        assertThat(allowed.decisions()).extracting(Decision::origin).containsExactly("jail:sshd");
        assertThat(enforced(daemon)).isEqualTo("2001:db8:5:6::/64\n");
    }

    @Test
    void aRestartRestoresTheBansFromTheStoreAndKeepsTheBanCounts() throws Exception {
        JailsConfig jails = new JailsConfig(List.of(jail("sshd", 3, DOUBLING)), null);
        Daemon daemon = daemon(null, jails);
        Ban first = fail(daemon, "sshd", "192.0.2.7", 3).getFirst();
        stop(daemon);

        Daemon restarted = daemon(null, jails);
        assertThat(enforced(restarted)).as("restored, no log read again").isEqualTo("192.0.2.7\n");
        assertThat(fail(restarted, "sshd", "192.0.2.7", 3)).singleElement()
                .satisfies(ban -> assertThat(ban.kind()).as("banned still: prolonged, not banned again").isEqualTo(Ban.Kind.PROLONGED));
        stop(restarted);

        clock.set(first.expiresAt().plus(Duration.ofHours(1)));
        Daemon later = daemon(null, jails);
        Ban second = fail(later, "sshd", "192.0.2.7", 2).getFirst();
        assertThat(second.banCount()).isEqualTo(2);
        assertThat(second.banTime()).as("the second ban doubles, and a known offender's failures count twice").isEqualTo(Duration.ofMinutes(20));
        assertThat(Files.exists(directory.resolve("state").resolve(Daemon.BAN_COUNTS_FILE))).isTrue();
    }

    @Test
    void aJailTakenOutOfTheConfigurationTakesItsDecisionsWithItAndRecidiveKeepsItsOwn() throws Exception {
        JailRules quickRecidive = new JailRules("recidive", 2, Duration.ofDays(1), Duration.ofDays(7), IpSet.empty(), Increment.DISABLED, 64,
                List.of("recidive"));
        Daemon daemon = daemon(null, new JailsConfig(List.of(jail("sshd", 1, Increment.DISABLED), jail("nginx", 1, Increment.DISABLED)),
                quickRecidive));
        fail(daemon, "sshd", "192.0.2.7", 1);
        assertThat(fail(daemon, "nginx", "192.0.2.7", 1)).extracting(Ban::jail).containsExactly("nginx", "recidive");
        assertThat(daemon.keeper().current().book().origins()).containsOnlyKeys("jail:nginx", "jail:recidive", "jail:sshd");
        stop(daemon);

        Daemon restarted = daemon(null, new JailsConfig(List.of(jail("sshd", 1, Increment.DISABLED)), quickRecidive));

        assertThat(restarted.keeper().current().book().origins()).containsOnlyKeys("jail:recidive", "jail:sshd");
        assertThat(restarted.service().explain(IpAddress.parse("192.0.2.7"), true).history())
                .anySatisfy(entry -> assertThat(List.of(entry.origin(), entry.change(), entry.by())).containsExactly("jail:nginx", Change.REMOVED, "config"));
    }
}
