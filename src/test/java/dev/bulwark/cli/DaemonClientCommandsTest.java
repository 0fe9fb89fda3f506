package dev.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.api.ApiServer;
import dev.bulwark.api.FakeDaemonView;
import dev.bulwark.api.LocalToken;
import dev.bulwark.api.Status;
import dev.bulwark.api.Status.EnforcerStatus;
import dev.bulwark.api.Status.JailStatus;
import dev.bulwark.decision.Action;
import dev.bulwark.decision.Change;
import dev.bulwark.decision.Decision;
import dev.bulwark.decision.HistoryEntry;
import dev.bulwark.feed.FeedStatus;
import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpSet;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ban}, {@code unban}, {@code list}, {@code explain}, {@code status} against a real API server on loopback. */
class DaemonClientCommandsTest {
    static final Instant NOW = FakeDaemonView.NOW;

    @TempDir
    Path state;

    final FakeDaemonView view = new FakeDaemonView();
    ApiServer server;
    String api;
    String token;

    @BeforeEach
    void start() throws IOException {
        assertThat(CommandRun.CLOCK.instant()).isEqualTo(NOW);
        view.decisions.add(FakeDaemonView.decision("drop", "192.0.2.0/24", Action.BLOCK, Decision.NO_SCORE, List.of(), null, null));
        view.decisions.add(FakeDaemonView.decision("scored-api", "192.0.2.7", Action.BLOCK, 85, List.of("ssh", "brute-force"),
                "SSH brute force", NOW.plusSeconds(86_400)));
        view.decisions.add(FakeDaemonView.decision("scored-api", "198.51.100.9", Action.MONITOR, 40, List.of("scan"), null,
                NOW.plusSeconds(5400)));
        server = new ApiServer(view, List.of(LocalToken.create(state)), IpSet.empty());
        server.start("127.0.0.1", 0);
        api = "http://127.0.0.1:" + server.port();
        token = state.resolve(LocalToken.FILE_NAME).toString();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private CommandRun run(String... arguments) {
        String[] all = new String[arguments.length + 2];
        System.arraycopy(arguments, 0, all, 0, arguments.length);
        all[arguments.length] = "--api";
        all[arguments.length + 1] = api;
        return CommandRun.of(all);
    }

    @Test
    void explainSaysWhetherAndWhyAnAddressIsBlocked() {
        view.history.add(new HistoryEntry(NOW.minusSeconds(600), Change.EXTENDED, "feed", view.decisions.get(1)));
        view.history.add(new HistoryEntry(NOW.minusSeconds(7200), Change.CREATED, "feed", view.decisions.get(1)));

        CommandRun run = run("explain", "192.0.2.7");

        assertThat(run.code()).as(run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo("""
                192.0.2.7: BLOCKED, score 85, no expiry

                Decisions:
                  ORIGIN      TARGET        ACTION  SCORE  CATEGORIES       FIRST SEEN            LAST SEEN             EXPIRES                       REASON
                  drop        192.0.2.0/24  block   -      -                2026-11-23T10:00:00Z  2026-11-23T11:50:00Z  never                         -
                  scored-api  192.0.2.7     block   85     ssh,brute-force  2026-11-23T10:00:00Z  2026-11-23T11:50:00Z  2026-11-24T12:00:00Z (in 1d)  SSH brute force

                Allowlisted by:  none
                Protected as:    none
                Enforced by:     nftables

                History (newest first):
                  AT                    CHANGE    BY    ORIGIN      TARGET     ACTION  SCORE  EXPIRES
                  2026-11-23T11:50:00Z  extended  feed  scored-api  192.0.2.7  block   85     2026-11-24T12:00:00Z
                  2026-11-23T10:00:00Z  created   feed  scored-api  192.0.2.7  block   85     2026-11-24T12:00:00Z
                """);
    }

    @Test
    void explainOfAnUnlistedOrAllowedAddress() {
        view.allowed.put(IpAddress.parse("192.0.2.1"), "192.0.2.1 (allow: /etc/bulwark/allow.txt line 3)");

        CommandRun unlisted = run("explain", "2001:db8::1");
        CommandRun allowed = run("explain", "192.0.2.1");
        CommandRun monitored = run("explain", "198.51.100.9");

        assertThat(unlisted.stdout()).isEqualTo("""
                2001:db8::1: not blocked; no decision names it

                Allowlisted by:  none
                Protected as:    none
                Enforced by:     none
                """);
        assertThat(allowed.stdout()).startsWith("192.0.2.1: not blocked: allowlisted by 192.0.2.1 (allow: /etc/bulwark/allow.txt line 3)\n")
                .contains("Allowlisted by:  192.0.2.1 (allow: /etc/bulwark/allow.txt line 3)\n");
        assertThat(monitored.stdout()).startsWith("198.51.100.9: not blocked, monitored (score 40)\n")
                .contains("scored-api  198.51.100.9  monitor  40     scan        2026-11-23T10:00:00Z  2026-11-23T11:50:00Z  "
                        + "2026-11-23T13:30:00Z (in 1h 30m)  -\n");
    }

    @Test
    void explainJsonIsTheApisAnswer() {
        CommandRun run = run("explain", "192.0.2.7", "--json");

        assertThat(run.code()).isZero();
        assertThat(run.stdout()).startsWith("{\"address\":\"192.0.2.7\",\"blocked\":true,\"action\":\"block\",\"score\":85,")
                .endsWith("\"allowed_by\":null,\"protected_by\":null,\"enforcers\":[\"nftables\"],\"history\":[]}\n");
    }

    @Test
    void aMalformedAddressIsAUsageErrorAndAsksNothing() {
        CommandRun run = run("explain", "192.0.2.0/24");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.stderr()).isEqualTo("bulwark explain: not a single address: '192.0.2.0/24'\n");
        assertThat(view.calls).isZero();
    }

    @Test
    void listPrintsAnAlignedTable() {
        CommandRun run = run("list");

        assertThat(run.code()).as(run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo("""
                ORIGIN      TARGET        ACTION   SCORE  EXPIRES    CATEGORIES       REASON
                drop        192.0.2.0/24  block    -      never      -                -
                scored-api  192.0.2.7     block    85     in 1d      ssh,brute-force  SSH brute force
                scored-api  198.51.100.9  monitor  40     in 1h 30m  scan             -
                3 decisions
                """);
        assertThat(run.stderr()).isEmpty();
    }

    @Test
    void listOfOneOriginUpToALimitSaysWhenThereIsMore() {
        CommandRun run = run("list", "--origin", "scored-api", "--limit", "1");

        assertThat(run.code()).isZero();
        assertThat(view.lastOrigin).isEqualTo("scored-api");
        assertThat(run.stdout()).endsWith("1 decision\n");
        assertThat(run.stderr()).isEqualTo("bulwark list: showing the first 1; pass --limit N for more (at most 100000)\n");
    }

    @Test
    void listJsonAndAnEmptyList() {
        CommandRun json = run("list", "--json", "--origin", "drop");
        CommandRun none = run("list", "--origin", "nobody");

        assertThat(json.stdout()).startsWith("{\"count\":1,\"truncated\":false,\"decisions\":[{\"origin\":\"drop\",\"target\":\"192.0.2.0/24\"");
        assertThat(none.stdout()).isEqualTo("no decisions of origin nobody\n");
        assertThat(run("list", "--limit", "0").code()).isEqualTo(2);
    }

    @Test
    void banWithTheLocalTokenIsMadeAsLocal() {
        CommandRun run = run("ban", "203.0.113.7", "--for", "24h", "--reason", "SSH brute force", "--score", "90",
                "--category", "ssh", "--category", "brute-force,scan", "--token-file", token);

        assertThat(run.code()).as(run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo("banned 203.0.113.7 until 2026-11-24T12:00:00Z (in 1d), score 90, ssh, brute-force, scan: SSH brute force\n");
        assertThat(view.lastBy).isEqualTo("local");
        assertThat(view.lastDuration).isEqualTo(Duration.ofHours(24));
        assertThat(view.decisions.get(3).categories()).containsExactly("ssh", "brute-force", "scan");
    }

    @Test
    void aBanWithoutDurationLastsUntilUnbanned() {
        CommandRun run = run("ban", "2001:db8:bad::/48", "--token-file", token);

        assertThat(run.stdout()).isEqualTo("banned 2001:db8:bad::/48 until unbanned\n");
        assertThat(view.lastDuration).isNull();
    }

    @Test
    void aBanTheDaemonRefusesFailsWithItsReason() {
        view.refused = IpSet.of("10.0.0.0/8");

        CommandRun run = run("ban", "10.1.2.3", "--token-file", token);

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.stderr()).isEqualTo("bulwark ban: 10.1.2.3 is protected (private): it is never blocked\n");
    }

    @Test
    void badBanArgumentsAreUsageErrors() {
        assertThat(run("ban", "203.0.113.300", "--token-file", token).stderr()).startsWith("bulwark ban: not an IP address, prefix or range: '203.0.113.300'");
        assertThat(run("ban", "203.0.113.3", "--for", "tomorrow", "--token-file", token).stderr())
                .isEqualTo("bulwark ban: --for: 'tomorrow' is not a duration; write e.g. 500ms, 30s, 15m, 12h or 7d\n");
        assertThat(run("ban", "203.0.113.3", "--for", "10ms", "--token-file", token).stderr()).isEqualTo("bulwark ban: --for must be at least 1s\n");
        assertThat(run("ban", "203.0.113.3", "--score", "101", "--token-file", token).stderr()).isEqualTo("bulwark ban: --score must be from 0 to 100, not 101\n");
        assertThat(run("ban", "203.0.113.3", "--score", "high").code()).isEqualTo(2);
        assertThat(run("ban").code()).isEqualTo(2);
        assertThat(view.calls).isZero();
    }

    @Test
    void aTokenFileThatCannotBeReadSaysWhatToDo() {
        CommandRun run = run("ban", "203.0.113.7", "--token-file", state.resolve("other.token").toString());

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.stderr()).contains("other.token does not exist (bulwark run creates it at start)", "pass --token-file");
        assertThat(view.calls).isZero();
    }

    @Test
    void aWrongTokenIsRefusedAndNotShown() throws IOException {
        Path wrong = Files.writeString(state.resolve("wrong.token"), "0123456789abcdef\n");

        CommandRun run = run("unban", "203.0.113.7", "--token-file", wrong.toString());

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.stderr()).isEqualTo("bulwark unban: the daemon refused the API key from " + wrong
                + ": it is not valid; pass the right --token-file or BULWARK_API_KEY\n");
        assertThat(run.stdout() + run.stderr()).doesNotContain("0123456789abcdef");
    }

    @Test
    void unbanRemovesAManualBanOrSaysThereWasNone() {
        run("ban", "203.0.113.7", "--token-file", token);

        CommandRun first = run("unban", "203.0.113.7/32", "--token-file", token);
        CommandRun second = run("unban", "203.0.113.7", "--token-file", token);

        assertThat(first.code()).isZero();
        assertThat(first.stdout()).isEqualTo("unbanned 203.0.113.7\n");
        assertThat(view.lastBy).isEqualTo("local");
        assertThat(second.code()).isEqualTo(1);
        assertThat(second.stderr()).isEqualTo("bulwark unban: no manual or jail decision on 203.0.113.7 (bans by feeds end with them)\n");
    }

    @Test
    void statusShowsFeedsEnforcersAndJails() {
        view.status = new Status("0.1.0", NOW.minusSeconds(90_000), 42, 3, 2, 0, 1,
                List.of(new FeedStatus("drop", "https://feeds.example.net/drop.txt", NOW.minusSeconds(300), NOW.minusSeconds(300),
                                NOW.minusSeconds(86_400), 1234, "ok", null, 0, NOW.plusSeconds(43_200)),
                        new FeedStatus("scored-api", "https://api.example.net/threats?key=***", NOW.minusSeconds(60), NOW.minusSeconds(7200),
                                NOW.minusSeconds(7200), 56, "http-status", "HTTP 503 from api.example.net; keeping the last good copy", 4,
                                NOW.plusSeconds(240))),
                List.of(new EnforcerStatus("nftables", NOW.minusSeconds(290), Duration.ofMillis(85), "3 added, 1 removed", null)),
                List.of(new JailStatus("sshd", List.of("/var/log/auth.log", "/var/log/auth.log.1 (rotated)"), 5120, 3, 2, 41, 7, 0),
                        new JailStatus("web", List.of("journal _SYSTEMD_UNIT=nginx.service"), 900, 0, 0, 2, 0, 12),
                        new JailStatus("recidive", List.of(), 0, 1, 0, 7, 0, 0)));

        CommandRun run = run("status");

        assertThat(run.code()).as(run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo("""
                bulwark 0.1.0, running since 2026-11-22T11:00:00Z (1d 1h ago), snapshot 42
                Decisions:  3 live, 1 monitored
                Enforced:   2 IPv4 and 0 IPv6 prefixes

                Feeds:
                  NAME        RESULT       ENTRIES  LAST SUCCESS  NEXT TRY  FAILURES  ERROR
                  drop        ok           1234     5m ago        in 12h    0         -
                  scored-api  http-status  56       2h ago        in 4m     4         HTTP 503 from api.example.net; keeping the last good copy
                Enforcers:
                  NAME      LAST APPLY  TOOK  SUMMARY             ERROR
                  nftables  4m 50s ago  85ms  3 added, 1 removed  -
                Jails:
                  NAME      FAILING  BANNED  FAILURES  BANS  LINES  LOGS
                  sshd      3        2       41        7     5120   /var/log/auth.log, /var/log/auth.log.1 (rotated)
                  web       0        0       2         0     900    journal _SYSTEMD_UNIT=nginx.service; 12 offenders forgotten (too many failing at once)
                  recidive  1        0       7         0     0      (the jails' bans)
                """);
    }

    @Test
    void statusJson() {
        CommandRun run = run("status", "--json");

        assertThat(run.stdout()).isEqualTo("""
                {"version":"0.1.0","started_at":"2026-11-23T11:00:00Z","snapshot_version":42,"decisions":2,"blocked_v4":1,\
                "blocked_v6":1,"monitored":0,"feeds":[],"enforcers":[],"jails":[]}
                """);
    }

    @Test
    void aDaemonThatIsNotRunningIsSaidSo() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }

        CommandRun run = CommandRun.of("status", "--api", "http://127.0.0.1:" + closed);

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.stderr()).isEqualTo("bulwark status: cannot reach the daemon at http://127.0.0.1:" + closed
                + " (connection refused): is bulwark run running? start it with systemctl start bulwark\n");
    }

    @Test
    void aMalformedApiAddressIsAUsageError() {
        CommandRun run = CommandRun.of("status", "--api", "127.0.0.1:8750");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.stderr()).isEqualTo("bulwark status: the API address must be http://HOST:PORT, not '127.0.0.1:8750'\n");
    }

    @Test
    void helpNamesTheKeyAndTheDefaults() {
        CommandRun run = CommandRun.of("ban", "--help");

        assertThat(run.code()).isZero();
        assertThat(run.stdout()).contains("--api=URL", "Default: http://127.0.0.1:8750", "--token-file=FILE", "/var/lib/bulwark/api.token",
                "--for=DURATION", "--category=C");
    }
}
