package dev.bulwark.api;

import static java.util.Objects.requireNonNull;

import dev.bulwark.api.ApiClientException.Kind;
import dev.bulwark.decision.Decision;
import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpRange;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The command line's side of the API: one method a call, answers decoded into the records the
 * server wrote them from. Every failure is an {@link ApiClientException} whose message a person
 * can act on: the daemon is not running, the token cannot be read, the key is wrong.
 */
public final class ApiClient implements AutoCloseable {
    public static final URI DEFAULT_URL = URI.create("http://127.0.0.1:" + ApiConfig.DEFAULT_PORT);
    public static final String KEY_VARIABLE = "BULWARK_API_KEY";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI base;
    private final Credential credential;
    private final Duration timeout;
    private final HttpClient http;

    /**
     * The key to send, and where it came from; or no key ({@code key} null) and why there is
     * none, for the message when the daemon asks for one. Never shows the key.
     */
    public record Credential(String key, String description) {
        public Credential {
            requireNonNull(description, "description is null");
        }

        public static Credential of(String key, String source) {
            return new Credential(requireNonNull(key, "key is null"), source);
        }

        public static Credential none(String why) {
            return new Credential(null, why);
        }

        @Override
        public String toString() {
            return "Credential[" + description + "]";
        }
    }

    /** A page of decisions; {@code truncated} when the daemon holds more than were asked for. */
    public record Decisions(List<Decision> decisions, boolean truncated) {
        public Decisions {
            decisions = List.copyOf(decisions);
        }
    }

    public ApiClient(URI base, Credential credential, Duration timeout) {
        this.base = url(base.toString());
        this.credential = requireNonNull(credential, "credential is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    /** The API's base address from what a person wrote ({@code http://HOST:PORT}), without a trailing slash. */
    public static URI url(String text) {
        String trimmed = text.trim();
        URI url;
        try {
            url = new URI(trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed);
        } catch (URISyntaxException e) {
            url = null;
        }
        if (url == null || !"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
            throw new IllegalArgumentException("the API address must be http://HOST:PORT, not '" + text + "'");
        }
        return url;
    }

    /** Whether the API is on this host by its address: localhost, 127.0.0.0/8 or ::1 (no name is resolved). */
    public static boolean isLocal(URI api) {
        String host = api.getHost();
        if (host == null) {
            return false;
        }
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        IpAddress address = Access.parseRemote(host);
        return address != null && Access.isLoopback(address);
    }

    /** {@code GET /v1/explain/ADDRESS}. */
    public Explanation explain(IpAddress address) throws ApiClientException {
        JsonNode body = call("GET", "/v1/explain/" + address, null).body;
        return decode(() -> ApiJson.readExplanation(body));
    }

    /** {@code GET /v1/decisions}; {@code origin} null for all. */
    public Decisions decisions(String origin, int limit) throws ApiClientException {
        String query = "?limit=" + limit + (origin == null ? "" : "&origin=" + URLEncoder.encode(origin, StandardCharsets.UTF_8));
        JsonNode body = call("GET", "/v1/decisions" + query, null).body;
        return decode(() -> new Decisions(ApiJson.readDecisions(body), body.path("truncated").asBoolean()));
    }

    /** {@code POST /v1/decisions}: a manual ban; {@code duration} null for until unbanned, {@code score} may be {@link Decision#NO_SCORE}. */
    public Decision ban(IpRange target, Duration duration, String reason, int score, List<String> categories)
            throws ApiClientException {
        ObjectNode request = JSON.createObjectNode();
        request.put("target", target.toString());
        if (duration != null) {
            request.put("duration", duration.toSeconds() + "s");
        }
        if (reason != null) {
            request.put("reason", reason);
        }
        if (score != Decision.NO_SCORE) {
            request.put("score", score);
        }
        var array = request.putArray("categories");
        for (String category : categories) {
            array.add(category);
        }
        JsonNode body = call("POST", "/v1/decisions", JSON.writeValueAsString(request)).body;
        return decode(() -> ApiJson.readDecision(body));
    }

    /** {@code DELETE /v1/decisions?target=}: throws {@link Kind#NOT_FOUND} when there was no manual decision on it. */
    public void unban(IpRange target) throws ApiClientException {
        call("DELETE", "/v1/decisions?target=" + URLEncoder.encode(target.toString(), StandardCharsets.UTF_8), null);
    }

    public Status status() throws ApiClientException {
        JsonNode body = call("GET", "/v1/status", null).body;
        return decode(() -> ApiJson.readStatus(body));
    }

    @Override
    public void close() {
        http.close();
    }

    private record Answer(int status, JsonNode body) {
    }

    private Answer call(String method, String path, String json) throws ApiClientException {
        URI uri = URI.create(base + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        if (credential.key() != null) {
            request.header("Authorization", "Bearer " + credential.key());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            throw new ApiClientException(Kind.UNREACHABLE, "cannot reach the daemon at " + base + " (connection refused): "
                    + "is bulwark run running? start it with systemctl start bulwark", e);
        } catch (HttpConnectTimeoutException e) {
            throw new ApiClientException(Kind.UNREACHABLE, "cannot reach the daemon at " + base + ": no answer to connect within "
                    + timeout.toSeconds() + "s; check --api", e);
        } catch (HttpTimeoutException e) {
            throw new ApiClientException(Kind.UNREACHABLE, "the daemon at " + base + " did not answer " + method + " " + path
                    + " within " + timeout.toSeconds() + "s", e);
        } catch (IOException e) {
            throw new ApiClientException(Kind.UNREACHABLE, "cannot talk to the daemon at " + base + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiClientException(Kind.UNREACHABLE, "interrupted while waiting for the daemon", e);
        }
        JsonNode body = parse(response);
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            if (body == null) {
                throw new ApiClientException(Kind.SERVER, "unexpected answer from " + uri + ": not JSON; is --api the address of bulwark?");
            }
            return new Answer(status, body);
        }
        String error = body != null && body.path("error").isString() ? body.path("error").stringValue() : "HTTP " + status;
        throw switch (status) {
            case 400 -> new ApiClientException(Kind.BAD_REQUEST, error);
            case 401 -> new ApiClientException(Kind.UNAUTHORIZED, credential.key() == null
                    ? "the daemon needs an API key for this, and " + credential.description()
                    : "the daemon refused the request: " + error);
            case 403 -> new ApiClientException(Kind.FORBIDDEN, "the daemon refused the API key from " + credential.description()
                    + ": it is not valid; pass the right --token-file or " + KEY_VARIABLE);
            case 404 -> new ApiClientException(Kind.NOT_FOUND, error);
            case 422 -> new ApiClientException(Kind.REFUSED, error);
            default -> new ApiClientException(Kind.SERVER, "the daemon failed: " + error);
        };
    }

    private static JsonNode parse(HttpResponse<String> response) {
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith("application/json")) {
            return null;
        }
        try {
            return JSON.readTree(response.body());
        } catch (JacksonException e) {
            return null;
        }
    }

    @FunctionalInterface
    private interface Decoder<T> {
        T decode();
    }

    private <T> T decode(Decoder<T> decoder) throws ApiClientException {
        try {
            return decoder.decode();
        } catch (RuntimeException e) {
            throw new ApiClientException(Kind.SERVER, "unexpected answer from the daemon at " + base + ": " + e.getMessage()
                    + "; is the command line the same version as the daemon?", e);
        }
    }
}
