package dev.bulwark.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.api.ApiClient.Credential;
import dev.bulwark.api.ApiClientException.Kind;
import dev.bulwark.api.Status.EnforcerStatus;
import dev.bulwark.api.Status.JailStatus;
import dev.bulwark.decision.Action;
import dev.bulwark.decision.Change;
import dev.bulwark.decision.Decision;
import dev.bulwark.decision.HistoryEntry;
import dev.bulwark.feed.FeedStatus;
import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpRange;
import dev.bulwark.ip.IpSet;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against the real server: every answer decodes into the record it was written from. */
class ApiClientTest {
    static final String KEY = "client-test-key-0123456789";

    final FakeDaemonView view = new FakeDaemonView();
    final ApiServer server = new ApiServer(view, List.of(new ApiConfig.ApiKey("ops", ApiKeys.sha256Hex(KEY))), IpSet.empty());

    @BeforeEach
    void start() throws IOException {
        server.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    ApiClient client(Credential credential) {
        return new ApiClient(URI.create("http://127.0.0.1:" + server.port() + "/"), credential, Duration.ofSeconds(10));
    }

    @Test
    void anExplanationComesBackAsTheDaemonGaveIt() throws Exception {
        Decision feed = FakeDaemonView.decision("scored-api", "192.0.2.0/24", Action.BLOCK, 85, List.of("ssh", "scan"), "seen \"scanning\"",
                FakeDaemonView.NOW.plusSeconds(3600));
        Decision manual = FakeDaemonView.decision(Decision.MANUAL, "192.0.2.7-192.0.2.9", Action.BLOCK, Decision.NO_SCORE, List.of(),
                null, null);
        view.decisions.addAll(List.of(feed, manual));
        view.history.add(new HistoryEntry(FakeDaemonView.NOW.minusSeconds(60), Change.EXTENDED, "feed", feed));
        view.protectedAddresses.put(IpAddress.parse("192.0.2.8"), "ssh-peers");

        try (ApiClient client = client(Credential.none("no key"))) {
            Explanation explanation = client.explain(IpAddress.parse("192.0.2.8"));

            assertThat(explanation).isEqualTo(view.explain(IpAddress.parse("192.0.2.8"), true));
            assertThat(explanation.decisions()).containsExactly(feed, manual);
            assertThat(explanation.protectedBy()).isEqualTo("ssh-peers");
            assertThat(explanation.history()).hasSize(1);
        }
    }

    @Test
    void aStatusComesBackAsTheDaemonGaveIt() throws Exception {
        view.status = new Status("0.1.0", FakeDaemonView.NOW.minusSeconds(86_400), 7, 120_000, 90_000, 12, 300,
                List.of(new FeedStatus("drop", "https://feeds.example.net/drop.txt", FakeDaemonView.NOW.minusSeconds(60),
                                FakeDaemonView.NOW.minusSeconds(60), FakeDaemonView.NOW.minusSeconds(3600), 1234, "ok", null, 0,
                                FakeDaemonView.NOW.plusSeconds(3600)),
                        new FeedStatus("broken", "/etc/bulwark/broken.txt", FakeDaemonView.NOW.minusSeconds(30), null, null, 0, "error",
                                "cannot read /etc/bulwark/broken.txt: no such file", 3, null)),
                List.of(new EnforcerStatus("nftables", FakeDaemonView.NOW.minusSeconds(50), Duration.ofMillis(120), "+3 -1", null)),
                List.of(new JailStatus("sshd", List.of("/var/log/auth.log", "/var/log/auth.log.1 (rotated)"), 5120, 3, 2, 41, 7, 1),
                        new JailStatus("recidive", List.of(), 0, 1, 0, 7, 0, 0)));

        try (ApiClient client = client(Credential.none("no key"))) {
            assertThat(client.status()).isEqualTo(view.status);
        }
    }

    @Test
    void bansAndUnbansCarryTheKeysName() throws Exception {
        try (ApiClient client = client(Credential.of(KEY, "a test"))) {
            Decision decision = client.ban(IpRange.parse("203.0.113.0/28"), Duration.ofMinutes(90), "scan", 60, List.of("scan"));

            assertThat(decision.target()).isEqualTo(IpRange.parse("203.0.113.0/28"));
            assertThat(decision.expiresAt()).isEqualTo(FakeDaemonView.NOW.plusSeconds(5400));
            assertThat(view.lastBy).isEqualTo("ops");
            assertThat(client.decisions(Decision.MANUAL, 10)).isEqualTo(new ApiClient.Decisions(List.of(decision), false));

            client.unban(IpRange.parse("203.0.113.0/28"));
            assertThatThrownBy(() -> client.unban(IpRange.parse("203.0.113.0/28")))
                    .isInstanceOf(ApiClientException.class).extracting(e -> ((ApiClientException) e).kind()).isEqualTo(Kind.NOT_FOUND);
        }
    }

    @Test
    void withoutAKeyAWriteSaysWhyThereWasNone() {
        try (ApiClient client = client(Credential.none("cannot read the API token /var/lib/bulwark/api.token: permission denied; "
                + "run as root or pass --token-file"))) {
            assertThatThrownBy(() -> client.unban(IpRange.parse("192.0.2.1")))
                    .isInstanceOf(ApiClientException.class)
                    .hasMessage("the daemon needs an API key for this, and cannot read the API token /var/lib/bulwark/api.token: "
                            + "permission denied; run as root or pass --token-file");
        }
    }

    @Test
    void aWrongKeyIsNamedBySourceNotShown() {
        try (ApiClient client = client(Credential.of("wrong-key-value", "BULWARK_API_KEY"))) {
            assertThatThrownBy(() -> client.status())
                    .isInstanceOf(ApiClientException.class)
                    .hasMessage("the daemon refused the API key from BULWARK_API_KEY: it is not valid; pass the right --token-file or BULWARK_API_KEY")
                    .hasMessageNotContaining("wrong-key-value");
            assertThat(Credential.of("wrong-key-value", "BULWARK_API_KEY").toString()).doesNotContain("wrong-key-value");
        }
    }

    @Test
    void theLocalTokenIsForADaemonOnThisHostOnly() {
        assertThat(ApiClient.isLocal(URI.create("http://127.0.0.1:8750"))).isTrue();
        assertThat(ApiClient.isLocal(URI.create("http://127.1.2.3:8750"))).isTrue();
        assertThat(ApiClient.isLocal(URI.create("http://[::1]:8750"))).isTrue();
        assertThat(ApiClient.isLocal(URI.create("http://LOCALHOST:8750/"))).isTrue();
        assertThat(ApiClient.isLocal(URI.create("http://192.0.2.10:8750"))).isFalse();
        assertThat(ApiClient.isLocal(URI.create("http://[2001:db8::1]:8750"))).isFalse();
        assertThat(ApiClient.isLocal(URI.create("https://bulwark.example.net"))).isFalse();
        assertThat(ApiClient.isLocal(URI.create("http://127.0.0.1.example.net"))).isFalse();
    }

    @Test
    void aDaemonThatIsNotRunningIsSaidSo() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        try (ApiClient client = new ApiClient(URI.create("http://127.0.0.1:" + closed), Credential.none("no key"), Duration.ofSeconds(5))) {
            assertThatThrownBy(client::status)
                    .isInstanceOf(ApiClientException.class)
                    .hasMessage("cannot reach the daemon at http://127.0.0.1:" + closed + " (connection refused): "
                            + "is bulwark run running? start it with systemctl start bulwark");
        }
    }

    @Test
    void somethingElseOnThePortIsNotMistakenForTheDaemon() throws Exception {
        HttpServer other = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        other.createContext("/", exchange -> {
            byte[] page = "<html>welcome</html>".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        other.start();
        try (ApiClient client = new ApiClient(URI.create("http://127.0.0.1:" + other.getAddress().getPort()), Credential.none("no key"),
                Duration.ofSeconds(5))) {
            assertThatThrownBy(client::status).isInstanceOf(ApiClientException.class)
                    .hasMessageContaining("not JSON; is --api the address of bulwark?");
        } finally {
            other.stop(0);
        }
    }
}
