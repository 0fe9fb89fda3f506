package dev.bulwark.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.api.ApiConfig.ApiKey;
import dev.bulwark.decision.Action;
import dev.bulwark.decision.Change;
import dev.bulwark.decision.Decision;
import dev.bulwark.decision.HistoryEntry;
import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpSet;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The API on a real server on loopback, answering from a fake daemon. */
class ApiServerTest {
    static final String ADMIN_KEY = "admin-secret-key-0123456789";
    static final String WRONG_KEY = "not-the-key-9876543210";

    final FakeDaemonView view = new FakeDaemonView();
    final ApiServer server = new ApiServer(view, List.of(new ApiKey("admin", ApiKeys.sha256Hex(ADMIN_KEY))), IpSet.empty());
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws IOException {
        view.decisions.add(FakeDaemonView.decision("drop", "192.0.2.0/24", Action.BLOCK, Decision.NO_SCORE, List.of(), null, null));
        view.decisions.add(FakeDaemonView.decision("scored-api", "192.0.2.7", Action.BLOCK, 85, List.of("ssh", "brute-force"),
                "SSH brute force", FakeDaemonView.NOW.plusSeconds(86_400)));
        view.decisions.add(FakeDaemonView.decision("scored-api", "198.51.100.9", Action.MONITOR, 40, List.of("scan"), null,
                FakeDaemonView.NOW.plusSeconds(3600)));
        server.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        server.stop();
        client.close();
    }

    @Test
    void aLookupOfABlockedAddressSaysByWhichDecisions() throws Exception {
        HttpResponse<String> response = get("/v1/ip/192.0.2.7");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.body()).isEqualTo("""
                {"address":"192.0.2.7","blocked":true,"action":"block","score":85,"expires_at":null,"sources":[\
                {"origin":"drop","target":"192.0.2.0/24","action":"block","score":null,"categories":[],"reason":null,\
                "first_seen":"2026-11-23T10:00:00Z","last_seen":"2026-11-23T11:50:00Z","expires_at":null},\
                {"origin":"scored-api","target":"192.0.2.7","action":"block","score":85,"categories":["ssh","brute-force"],\
                "reason":"SSH brute force","first_seen":"2026-11-23T10:00:00Z","last_seen":"2026-11-23T11:50:00Z",\
                "expires_at":"2026-11-24T12:00:00Z"}],"allowed_by":null,"protected_by":null}""");
        assertThat(view.lastWithHistory).isFalse();
    }

    @Test
    void aLookupOfAnUnlistedAddressSaysNotBlocked() throws Exception {
        HttpResponse<String> response = get("/v1/ip/2001:db8::1");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("""
                {"address":"2001:db8::1","blocked":false,"action":null,"score":null,"expires_at":null,"sources":[],\
                "allowed_by":null,"protected_by":null}""");
    }

    @Test
    void aMonitoredOrAllowlistedAddressIsShownWithWhy() throws Exception {
        view.allowed.put(IpAddress.parse("192.0.2.1"), "203.0.113.0/24 (allow)");

        assertThat(get("/v1/ip/198.51.100.9").body()).startsWith("{\"address\":\"198.51.100.9\",\"blocked\":false,\"action\":\"monitor\",\"score\":40,");
        assertThat(get("/v1/ip/192.0.2.1").body()).contains("\"blocked\":false").endsWith("\"allowed_by\":\"203.0.113.0/24 (allow)\",\"protected_by\":null}");
    }

    @Test
    void aMalformedAddressIs400SayingWhatIsWrong() throws Exception {
        HttpResponse<String> octet = get("/v1/ip/192.0.2.256");
        HttpResponse<String> prefix = get("/v1/ip/192.0.2.0%2F24");
        HttpResponse<String> long_ = get("/v1/ip/" + "1".repeat(200));

        assertThat(octet.statusCode()).isEqualTo(400);
        assertThat(octet.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(octet.body()).startsWith("{\"error\":\"not an IP address, prefix or range: '192.0.2.256'");
        assertThat(prefix.statusCode()).isEqualTo(400);
        assertThat(prefix.body()).contains("not a single address");
        assertThat(long_.statusCode()).isEqualTo(400);
        assertThat(long_.body()).isEqualTo("{\"error\":\"not an IP address: 200 characters long\"}");
    }

    @Test
    void theLookupOnJettysCoreApiKeepsTheRulesOfTheOtherRoutes() throws Exception {
        HttpResponse<String> wrongKey = send("GET", "/v1/ip/192.0.2.7", null, "X-API-Key", WRONG_KEY);
        HttpResponse<String> rightKey = send("GET", "/v1/ip/192.0.2.7", null, "Authorization", "Bearer " + ADMIN_KEY);
        HttpResponse<String> trailingSlash = get("/v1/ip/192.0.2.7/");
        HttpResponse<String> encoded = get("/v1/ip/2001%3Adb8%3A%3A1");
        HttpResponse<String> deeper = get("/v1/ip/192.0.2.7/more");
        HttpResponse<String> post = send("POST", "/v1/ip/192.0.2.7", "{}", "X-API-Key", ADMIN_KEY);
        HttpResponse<String> empty = get("/v1/ip/");

        assertThat(wrongKey.statusCode()).isEqualTo(403);
        assertThat(wrongKey.body()).isEqualTo("{\"error\":\"the API key is not valid\"}");
        assertThat(rightKey.statusCode()).isEqualTo(200);
        assertThat(trailingSlash.body()).startsWith("{\"address\":\"192.0.2.7\",\"blocked\":true,");
        assertThat(encoded.body()).startsWith("{\"address\":\"2001:db8::1\",\"blocked\":false,");
        assertThat(deeper.statusCode()).isEqualTo(404);
        assertThat(deeper.body()).isEqualTo("{\"error\":\"no such endpoint: GET /v1/ip/192.0.2.7/more\"}");
        assertThat(post.statusCode()).isEqualTo(404);
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(empty.body()).startsWith("{\"error\":\"not an IP address, prefix or range: '' (empty)");
        assertThat(empty.headers().firstValue("Content-Length")).hasValue(Integer.toString(empty.body().length()));

        view.storeFails = true;
        HttpResponse<String> failing = get("/v1/ip/192.0.2.7");
        assertThat(failing.statusCode()).isEqualTo(503);
        assertThat(failing.body()).contains("the decision store failed: cannot read /var/lib/bulwark/bulwark.db");
    }

    @Test
    void aBanWaitingForTheStoreHoldsUpNeitherLookupsNorOtherRoutes() throws Exception {
        view.banGate = new CountDownLatch(1);
        CompletableFuture<HttpResponse<String>> ban = client.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/v1/decisions"))
                .header("X-API-Key", ADMIN_KEY).POST(HttpRequest.BodyPublishers.ofString("{\"target\": \"203.0.113.9\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(view.banWaiting.await(10, TimeUnit.SECONDS)).isTrue();

        HttpResponse<String> lookup = get("/v1/ip/192.0.2.7");
        HttpResponse<String> status = get("/v1/status");

        assertThat(lookup.statusCode()).isEqualTo(200);
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(ban).isNotDone();
        view.banGate.countDown();
        assertThat(ban.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
    }

    @Test
    void explainAddsTheEnforcersAndTheHistory() throws Exception {
        Decision ban = view.decisions.get(1);
        view.history.add(new HistoryEntry(FakeDaemonView.NOW.minusSeconds(7200), Change.CREATED, "feed", ban));

        HttpResponse<String> response = get("/v1/explain/192.0.2.7");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(view.lastWithHistory).isTrue();
        assertThat(response.body()).contains("\"protected_by\":null,\"enforcers\":[\"nftables\"],\"history\":[{\"at\":\"2026-11-23T10:00:00Z\","
                + "\"change\":\"created\",\"by\":\"feed\",\"decision\":{\"origin\":\"scored-api\",\"target\":\"192.0.2.7\"");
    }

    @Test
    void decisionsAreListedUpToTheLimitAndSayWhenThereWereMore() throws Exception {
        HttpResponse<String> all = get("/v1/decisions");
        HttpResponse<String> two = get("/v1/decisions?limit=2");
        HttpResponse<String> oneOrigin = get("/v1/decisions?origin=drop");

        assertThat(all.statusCode()).isEqualTo(200);
        assertThat(all.body()).startsWith("{\"count\":3,\"truncated\":false,\"decisions\":[{\"origin\":\"drop\"");
        assertThat(two.body()).startsWith("{\"count\":2,\"truncated\":true,");
        assertThat(oneOrigin.body()).startsWith("{\"count\":1,\"truncated\":false,");
        assertThat(view.lastOrigin).isEqualTo("drop");
        assertThat(view.lastLimit).isEqualTo(ApiServer.DEFAULT_LIMIT + 1);
    }

    @Test
    void aLimitOutOfRangeIs400() throws Exception {
        assertThat(get("/v1/decisions?limit=0").body()).isEqualTo("{\"error\":\"limit must be from 1 to 100000, not 0\"}");
        assertThat(get("/v1/decisions?limit=100001").statusCode()).isEqualTo(400);
        assertThat(get("/v1/decisions?limit=many").body()).contains("limit must be a whole number");
    }

    @Test
    void aBanWithTheRightKeyIsMadeInTheKeysName() throws Exception {
        HttpResponse<String> response = send("POST", "/v1/decisions", """
                {"target": "203.0.113.9", "duration": "24h", "reason": "port scan", "score": 70, "categories": ["scan"]}""",
                "Authorization", "Bearer " + ADMIN_KEY);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        assertThat(response.body()).isEqualTo("""
                {"origin":"manual","target":"203.0.113.9","action":"block","score":70,"categories":["scan"],\
                "reason":"port scan","first_seen":"2026-11-23T12:00:00Z","last_seen":"2026-11-23T12:00:00Z",\
                "expires_at":"2026-11-24T12:00:00Z"}""");
        assertThat(view.lastBy).isEqualTo("admin");
        assertThat(view.lastDuration).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void aBanWithoutDurationOrScoreIsUntilUnbannedAndUnscored() throws Exception {
        HttpResponse<String> response = send("POST", "/v1/decisions", "{\"target\": \"2001:db8::/48\"}", "X-API-Key", ADMIN_KEY);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        assertThat(response.body()).contains("\"target\":\"2001:db8::/48\"", "\"score\":null", "\"expires_at\":null");
        assertThat(view.lastDuration).isNull();
    }

    @Test
    void writesNeedAKeyEvenFromLoopback() throws Exception {
        HttpResponse<String> ban = send("POST", "/v1/decisions", "{\"target\": \"203.0.113.9\"}");
        HttpResponse<String> unban = send("DELETE", "/v1/decisions?target=192.0.2.7", null);

        assertThat(ban.statusCode()).isEqualTo(401);
        assertThat(ban.body()).isEqualTo("{\"error\":\"an API key is required: send it as Authorization: Bearer KEY or X-API-Key: KEY\"}");
        assertThat(unban.statusCode()).isEqualTo(401);
        assertThat(view.calls).isZero();
    }

    @Test
    void aWrongKeyIs403AndNeverEchoed() throws Exception {
        List<HttpResponse<String>> responses = List.of(
                send("POST", "/v1/decisions", "{\"target\": \"203.0.113.9\"}", "Authorization", "Bearer " + WRONG_KEY),
                send("POST", "/v1/decisions", "{\"target\": \"203.0.113.9\"}", "X-API-Key", WRONG_KEY),
                send("GET", "/v1/status", null, "X-API-Key", WRONG_KEY));

        for (HttpResponse<String> response : responses) {
            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(response.body()).isEqualTo("{\"error\":\"the API key is not valid\"}");
            assertThat(response.headers().map().toString()).doesNotContain(WRONG_KEY);
        }
        assertThat(view.calls).isZero();
    }

    @Test
    void anAuthorizationOtherThanBearerIs401() throws Exception {
        HttpResponse<String> response = send("GET", "/v1/status", null, "Authorization", "Basic YWRtaW46c2VjcmV0");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("must be Bearer KEY").doesNotContain("YWRtaW46c2VjcmV0");
    }

    @Test
    void loopbackReadsNeedNoKeyAndAcceptARightOne() throws Exception {
        assertThat(get("/v1/status").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v1/status", null, "X-API-Key", ADMIN_KEY).statusCode()).isEqualTo(200);
    }

    @Test
    void aBanThePolicyRefusesIs422WithTheReason() throws Exception {
        view.refused = IpSet.of("10.0.0.0/8");

        HttpResponse<String> response = send("POST", "/v1/decisions", "{\"target\": \"10.1.2.3\"}", "X-API-Key", ADMIN_KEY);

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(response.body()).isEqualTo("{\"error\":\"10.1.2.3 is protected (private): it is never blocked\"}");
    }

    @Test
    void aMalformedBanIs400SayingWhy() throws Exception {
        assertThat(ban("not json").body()).startsWith("{\"error\":\"the body is not JSON: ");
        assertThat(ban("[1]").body()).contains("the body must be a JSON object");
        assertThat(ban("{}").body()).isEqualTo("{\"error\":\"target is required\"}");
        assertThat(ban("{\"target\": \"192.0.2.300\"}").body()).startsWith("{\"error\":\"target: not an IP address, prefix or range: '192.0.2.300'");
        assertThat(ban("{\"target\": \"192.0.2.3\", \"ttl\": \"1h\"}").body())
                .isEqualTo("{\"error\":\"unknown field 'ttl': use target, duration, reason, score, categories\"}");
        assertThat(ban("{\"target\": \"192.0.2.3\", \"duration\": \"soon\"}").body()).contains("duration must be like 90s, 15m, 24h");
        assertThat(ban("{\"target\": \"192.0.2.3\", \"score\": 101}").body()).contains("score must be a whole number from 0 to 100");
        assertThat(ban("{\"target\": \"192.0.2.3\", \"categories\": \"ssh\"}").body()).contains("categories must be an array");
        assertThat(ban("{\"target\": \"192.0.2.3\", \"reason\": 5}").body()).isEqualTo("{\"error\":\"\\\"reason\\\" is not a string\"}");
        assertThat(ban("not json").statusCode()).isEqualTo(400);
        assertThat(view.lastBy).isNull();
    }

    @Test
    void durationsAreReadAsPeopleWriteThem() {
        assertThat(ApiServer.duration("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(ApiServer.duration("15m")).isEqualTo(Duration.ofMinutes(15));
        assertThat(ApiServer.duration("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(ApiServer.duration("2w")).isEqualTo(Duration.ofDays(14));
        assertThat(ApiServer.duration("PT36H")).isEqualTo(Duration.ofHours(36));
        assertThat(ApiServer.duration(null)).isNull();
    }

    @Test
    void anUnbanRemovesTheManualDecisionOr404() throws Exception {
        view.decisions.add(FakeDaemonView.decision(Decision.MANUAL, "203.0.113.9", Action.BLOCK, 70, List.of(), null, null));

        HttpResponse<String> first = send("DELETE", "/v1/decisions?target=203.0.113.9", null, "X-API-Key", ADMIN_KEY);
        HttpResponse<String> again = send("DELETE", "/v1/decisions?target=203.0.113.9/32", null, "X-API-Key", ADMIN_KEY);
        HttpResponse<String> missing = send("DELETE", "/v1/decisions", null, "X-API-Key", ADMIN_KEY);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("{\"removed\":true}");
        assertThat(view.lastBy).isEqualTo("admin");
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(again.body()).isEqualTo("{\"error\":\"no manual or jail decision on 203.0.113.9 (bans by feeds end with them)\"}");
        assertThat(missing.statusCode()).isEqualTo(400);
    }

    @Test
    void theBlocklistIsTextWithAnETagAndAnswers304WhenUnchanged() throws Exception {
        HttpResponse<String> first = get("/v1/blocklist");
        HttpResponse<String> unchanged = send("GET", "/v1/blocklist", null, "If-None-Match", "\"v41\", \"v42\"");
        HttpResponse<String> any = send("GET", "/v1/blocklist", null, "If-None-Match", "*");
        HttpResponse<String> changed = send("GET", "/v1/blocklist", null, "If-None-Match", "\"v41\"");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("Content-Type")).hasValue("text/plain;charset=utf-8");
        assertThat(first.headers().firstValue("ETag")).hasValue("\"v42\"");
        assertThat(first.body()).isEqualTo("192.0.2.0/24\n2001:db8::/32\n");
        assertThat(unchanged.statusCode()).isEqualTo(304);
        assertThat(unchanged.body()).isEmpty();
        assertThat(unchanged.headers().firstValue("ETag")).hasValue("\"v42\"");
        assertThat(any.statusCode()).isEqualTo(304);
        assertThat(changed.statusCode()).isEqualTo(200);
    }

    @Test
    void ifNoneMatchIsReadAsTheStandardSaysItMayBeWritten() {
        assertThat(ApiServer.matches("\"v1\"", "\"v1\"")).isTrue();
        assertThat(ApiServer.matches("W/\"v1\"", "\"v1\"")).isTrue();
        assertThat(ApiServer.matches("\"v0\" , \"v1\"", "\"v1\"")).isTrue();
        assertThat(ApiServer.matches("*", "\"v1\"")).isTrue();
        assertThat(ApiServer.matches("\"v10\"", "\"v1\"")).isFalse();
        assertThat(ApiServer.matches("v1", "\"v1\"")).isFalse();
        assertThat(ApiServer.matches(null, "\"v1\"")).isFalse();
    }

    @Test
    void theBlocklistTakesAFamilyAndAMinimumScore() throws Exception {
        assertThat(get("/v1/blocklist?family=6&min_score=60").statusCode()).isEqualTo(200);
        assertThat(view.lastFamily).isEqualTo(IpFamily.IPV6);
        assertThat(view.lastMinScore).isEqualTo(60);
        assertThat(get("/v1/blocklist?family=4").statusCode()).isEqualTo(200);
        assertThat(view.lastFamily).isEqualTo(IpFamily.IPV4);
        assertThat(view.lastMinScore).isZero();

        assertThat(get("/v1/blocklist?family=5").body()).isEqualTo("{\"error\":\"family must be 4 or 6, not '5'\"}");
        assertThat(get("/v1/blocklist?min_score=101").statusCode()).isEqualTo(400);
        assertThat(get("/v1/blocklist?min_score=x").statusCode()).isEqualTo(400);
    }

    @Test
    void statusMetricsAndHealth() throws Exception {
        HttpResponse<String> status = get("/v1/status");
        HttpResponse<String> metrics = get("/metrics");
        HttpResponse<String> health = get("/healthz");

        assertThat(status.body()).isEqualTo("""
                {"version":"0.1.0","started_at":"2026-11-23T11:00:00Z","snapshot_version":42,"decisions":2,"blocked_v4":1,\
                "blocked_v6":1,"monitored":0,"feeds":[],"enforcers":[],"jails":[]}""");
        assertThat(metrics.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(metrics.body()).isEqualTo(view.metrics);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("ok");
    }

    @Test
    void anUnknownRouteIs404InJson() throws Exception {
        HttpResponse<String> response = get("/v2/nothing");
        HttpResponse<String> wrongMethod = send("PUT", "/v1/decisions", "{}", "X-API-Key", ADMIN_KEY);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEqualTo("{\"error\":\"no such endpoint: GET /v2/nothing\"}");
        assertThat(wrongMethod.statusCode()).isEqualTo(404);
    }

    @Test
    void aFailingStoreIs503WithItsMessage() throws Exception {
        view.storeFails = true;

        HttpResponse<String> response = get("/v1/explain/192.0.2.7");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).isEqualTo(
                "{\"error\":\"the decision store failed: cannot read /var/lib/bulwark/bulwark.db: disk I/O error\"}");
    }

    @Test
    void aBusyPortIsAnErrorThatSaysSo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            ApiServer second = new ApiServer(view, List.of(), IpSet.empty());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> second.start("127.0.0.1", taken.getLocalPort()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("the API cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    private HttpResponse<String> ban(String body) throws Exception {
        return send("POST", "/v1/decisions", body, "X-API-Key", ADMIN_KEY);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null);
    }

    private HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
