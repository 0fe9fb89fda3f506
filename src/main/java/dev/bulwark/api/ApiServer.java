package dev.bulwark.api;

import static java.util.Objects.requireNonNull;

import dev.bulwark.api.ApiConfig.ApiKey;
import dev.bulwark.decision.Decision;
import dev.bulwark.decision.StoreException;
import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpRange;
import dev.bulwark.ip.IpSet;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.router.EndpointNotFound;
import io.javalin.util.JavalinBindException;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;

import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP API: lookups, explanations, manual decisions, the blocklist for appliances, status,
 * metrics and health. It answers from {@link DaemonView} only. Keys are checked per route (see
 * {@link Access}); the name of the key that made a ban or unban is passed on as its author.
 * The lookup, the hot path, is served by {@link LookupHandler} on Jetty's core API in front of
 * Javalin. JSON is written with a streaming generator ({@link ApiJson}); Javalin's own JSON
 * mapper (which wants Jackson 2, absent here) is never used.
 */
public final class ApiServer {
    public static final String JSON = "application/json";
    public static final String TEXT = "text/plain; charset=utf-8";
    public static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";
    public static final int DEFAULT_LIMIT = 1000;
    public static final int MAX_LIMIT = 100_000;

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final JsonMapper BODY_READER = JsonMapper.builder().build();
    private static final Set<String> BAN_FIELDS = Set.of("target", "duration", "reason", "score", "categories");
    private static final int MAX_ADDRESS_LENGTH = 64;

    private final DaemonView view;
    private final ApiKeys keys;
    private final Access access;
    private Javalin app;

    /**
     * @param keys        the configured keys and the local command line's ({@link LocalToken})
     * @param edlNetworks clients that may read {@code /v1/blocklist} without a key
     */
    public ApiServer(DaemonView view, List<ApiKey> keys, IpSet edlNetworks) {
        this.view = requireNonNull(view, "view is null");
        this.keys = new ApiKeys(keys);
        this.access = new Access(requireNonNull(edlNetworks, "edlNetworks is null"));
    }

    /** Listens on {@code host:port} (port 0: any free port, see {@link #port()}) and returns once it does. */
    public synchronized void start(String host, int port) throws IOException {
        if (app != null) {
            throw new IllegalStateException("the API server is already started");
        }
        Javalin created = Javalin.create(this::configure);
        try {
            created.start(host, port);
        } catch (JavalinBindException e) {
            created.stop();
            throw new IOException("the API cannot listen on " + host + ":" + port + ": " + rootMessage(e)
                    + "; is another bulwark running? set api.listen to another address", e);
        }
        app = created;
    }

    /** The port listened on. */
    public synchronized int port() {
        if (app == null) {
            throw new IllegalStateException("the API server is not started");
        }
        return app.port();
    }

    /** Stops listening and closes the connections. */
    public synchronized void stop() {
        if (app != null) {
            app.stop();
            app = null;
        }
    }

    private void configure(JavalinConfig config) {
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.concurrency.useVirtualThreads = true;
        QueuedThreadPool threads = threadPool();
        config.jetty.threadPool = threads;
        // the lookup runs on Jetty's core API in front of the servlet; every other route goes on to Javalin
        config.jetty.modifyServer(server -> {
            server.setDynamic(false);
            server.setHandler(new LookupHandler(this, threads.getVirtualThreadsExecutor()));
        });
        config.http.generateEtags = false;
        config.http.maxRequestSize = 1_000_000;
        config.routes.get("/v1/explain/{address}", guarded("/v1/explain", this::explain));
        config.routes.get("/v1/decisions", guarded("/v1/decisions", this::decisions));
        config.routes.post("/v1/decisions", guarded("/v1/decisions", this::ban));
        config.routes.delete("/v1/decisions", guarded("/v1/decisions", this::unban));
        config.routes.get(Access.BLOCKLIST, guarded(Access.BLOCKLIST, this::blocklist));
        config.routes.get("/v1/status", guarded("/v1/status", this::status));
        config.routes.get("/metrics", guarded("/metrics", this::metrics));
        config.routes.get(Access.HEALTH, guarded(Access.HEALTH, (context, by) -> context.contentType(TEXT).result("ok")));
        config.routes.exception(ApiError.class, (e, context) -> error(context, e.status, e.getMessage()));
        config.routes.exception(StoreException.class, (e, context) -> {
            LOG.warn("API {} {}: the store failed: {}", context.method(), context.path(), e.getMessage());
            error(context, 503, "the decision store failed: " + e.getMessage());
        });
        config.routes.exception(EndpointNotFound.class,
                (e, context) -> error(context, 404, "no such endpoint: " + context.method() + " " + context.path()));
        config.routes.exception(HttpResponseException.class, (e, context) -> error(context, e.getStatus(), e.getMessage()));
        config.routes.exception(Exception.class, (e, context) -> {
            LOG.error("API {} {} failed", context.method(), context.path(), e);
            error(context, 500, "internal error: " + e);
        });
    }

    /**
     * Jetty's own pool, with virtual threads for the work that may block (every route but the
     * lookup, see {@link LookupHandler}): selectors and acceptors stay on platform threads.
     * Javalin's virtual-thread pool runs the selectors on virtual threads too, which cost a
     * fifth of the lookup's throughput (docs/BENCHMARKS.md).
     */
    private static QueuedThreadPool threadPool() {
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("bulwark-api");
        threads.setVirtualThreadsExecutor(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("bulwark-api-virtual-", 0).factory()));
        return threads;
    }

    /** A route's work, given the name of the key the request came with (null: none, and none was needed). */
    @FunctionalInterface
    private interface Route {
        void handle(Context context, String keyName) throws Exception;
    }

    private Handler guarded(String endpoint, Route route) {
        return context -> route.handle(context, authenticate(context, endpoint));
    }

    private String authenticate(Context context, String endpoint) {
        var request = context.req();
        return authenticate(request.getHeader("Authorization"), request.getHeader("X-API-Key"), request.getMethod(), endpoint,
                request.getRemoteAddr());
    }

    /**
     * The name of the key the request came with, or null when it came with none and needs none.
     * Throws 401 when a key is needed and missing, 403 when the key is wrong.
     *
     * @param remote the peer's address as the container gives it (see {@link Access#parseRemote})
     */
    String authenticate(String authorization, String apiKey, String method, String endpoint, String remote) {
        String presented;
        if (authorization != null) {
            if (authorization.length() < 7 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new ApiError(401, "the Authorization header must be Bearer KEY (or send X-API-Key: KEY)");
            }
            presented = authorization.substring(7).trim();
        } else {
            presented = apiKey == null ? null : apiKey.trim();
        }
        if (presented != null) {
            String name = keys.nameOf(presented);
            if (name == null) {
                throw new ApiError(403, "the API key is not valid");
            }
            return name;
        }
        if (access.needsKey(Access.isWrite(method), endpoint, Access.parseRemote(remote))) {
            throw new ApiError(401, "an API key is required: send it as Authorization: Bearer KEY or X-API-Key: KEY");
        }
        return null;
    }

    /** {@code GET /v1/ip/{address}}, the hot path, served by {@link LookupHandler}: the answer's JSON. */
    byte[] lookup(String address) throws StoreException {
        return ApiJson.lookup(view.explain(address(address), false));
    }

    private void explain(Context context, String keyName) throws StoreException {
        Explanation explanation = view.explain(address(context.pathParam("address")), true);
        context.contentType(JSON).result(ApiJson.explanation(explanation));
    }

    private void decisions(Context context, String keyName) {
        String origin = context.queryParam("origin");
        if (origin != null && origin.isBlank()) {
            origin = null;
        }
        int limit = intParameter(context, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        // one more than asked tells whether there were more
        List<Decision> decisions = view.decisions(origin, limit + 1);
        boolean truncated = decisions.size() > limit;
        context.contentType(JSON).result(ApiJson.decisions(truncated ? decisions.subList(0, limit) : decisions, truncated));
    }

    private void ban(Context context, String keyName) throws StoreException {
        JsonNode body = body(context);
        IpRange target = range(requiredString(body, "target"), "target");
        Duration duration = duration(optionalString(body, "duration"));
        String reason = optionalString(body, "reason");
        int score = score(body.path("score"));
        List<String> categories = categories(body.path("categories"));
        Decision decision;
        try {
            decision = view.ban(target, duration, reason, score, categories, keyName);
        } catch (IllegalArgumentException e) {
            throw new ApiError(422, e.getMessage());
        }
        context.status(201).contentType(JSON).result(ApiJson.decision(decision));
    }

    private void unban(Context context, String keyName) throws StoreException {
        String text = context.queryParam("target");
        if (text == null || text.isBlank()) {
            throw new ApiError(400, "the target parameter is required, e.g. DELETE /v1/decisions?target=192.0.2.7");
        }
        IpRange target = range(text, "target");
        if (!view.unban(target, keyName)) {
            throw new ApiError(404, "no manual or jail decision on " + target + " (bans by feeds end with them)");
        }
        context.contentType(JSON).result(ApiJson.removed());
    }

    private void blocklist(Context context, String keyName) {
        String family = context.queryParam("family");
        IpFamily selected;
        if (family == null || family.isEmpty()) {
            selected = null;
        } else if (family.equals("4")) {
            selected = IpFamily.IPV4;
        } else if (family.equals("6")) {
            selected = IpFamily.IPV6;
        } else {
            throw new ApiError(400, "family must be 4 or 6, not '" + clip(family) + "'");
        }
        int minScore = intParameter(context, "min_score", 0, 0, 100);
        Blocklist blocklist = view.blocklist(selected, minScore);
        String tag = "\"" + blocklist.tag() + "\"";
        context.header("ETag", tag);
        if (matches(context.header("If-None-Match"), tag)) {
            context.status(304);
            return;
        }
        context.contentType(TEXT).result(blocklist.text());
    }

    /** Whether an If-None-Match header names the tag: {@code *}, or one of a list, weak or strong. */
    static boolean matches(String ifNoneMatch, String tag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String trimmed = candidate.trim();
            if (trimmed.startsWith("W/")) {
                trimmed = trimmed.substring(2);
            }
            if (trimmed.equals("*") || trimmed.equals(tag)) {
                return true;
            }
        }
        return false;
    }

    private void status(Context context, String keyName) {
        context.contentType(JSON).result(ApiJson.status(view.status()));
    }

    private void metrics(Context context, String keyName) {
        context.contentType(PROMETHEUS).result(view.metrics());
    }

    private static void error(Context context, int status, String message) {
        context.status(status).contentType(JSON).result(ApiJson.error(message));
    }

    private static IpAddress address(String text) {
        if (text.length() > MAX_ADDRESS_LENGTH) {
            throw new ApiError(400, "not an IP address: " + text.length() + " characters long");
        }
        try {
            return IpAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, e.getMessage());
        }
    }

    private static IpRange range(String text, String what) {
        try {
            return IpRange.parse(text.trim());
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, what + ": " + e.getMessage());
        }
    }

    private static int intParameter(Context context, String name, int defaultValue, int min, int max) {
        String text = context.queryParam(name);
        if (text == null || text.isEmpty()) {
            return defaultValue;
        }
        int value;
        try {
            value = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new ApiError(400, name + " must be a whole number from " + min + " to " + max + ", not '" + clip(text) + "'");
        }
        if (value < min || value > max) {
            throw new ApiError(400, name + " must be from " + min + " to " + max + ", not " + value);
        }
        return value;
    }

    private static JsonNode body(Context context) {
        JsonNode body;
        try {
            body = BODY_READER.readTree(context.bodyAsBytes());
        } catch (JacksonException e) {
            throw new ApiError(400, "the body is not JSON: " + e.getOriginalMessage());
        }
        if (body == null || !body.isObject()) {
            throw new ApiError(400, "the body must be a JSON object, e.g. {\"target\": \"192.0.2.7\", \"duration\": \"24h\"}");
        }
        for (String name : body.propertyNames()) {
            if (!BAN_FIELDS.contains(name)) {
                throw new ApiError(400, "unknown field '" + clip(name) + "': use target, duration, reason, score, categories");
            }
        }
        return body;
    }

    private static String requiredString(JsonNode body, String field) {
        String value = optionalString(body, field);
        if (value == null || value.isBlank()) {
            throw new ApiError(400, field + " is required");
        }
        return value;
    }

    private static String optionalString(JsonNode body, String field) {
        try {
            return ApiJson.optionalText(body, field);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, e.getMessage());
        }
    }

    private static int score(JsonNode value) {
        if (value.isMissingNode() || value.isNull()) {
            return Decision.NO_SCORE;
        }
        if (!value.isInt() || value.intValue() < 0 || value.intValue() > 100) {
            throw new ApiError(400, "score must be a whole number from 0 to 100");
        }
        return value.intValue();
    }

    private static List<String> categories(JsonNode value) {
        if (value.isMissingNode() || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw new ApiError(400, "categories must be an array of strings");
        }
        List<String> categories = new ArrayList<>();
        for (JsonNode category : value) {
            if (!category.isString() || category.stringValue().isBlank()) {
                throw new ApiError(400, "categories must be an array of non-empty strings");
            }
            categories.add(category.stringValue().trim());
        }
        return categories;
    }

    /** {@code 90s}, {@code 15m}, {@code 24h}, {@code 7d}, {@code 2w}, or ISO-8601 ({@code PT24H}); null: until unbanned. */
    static Duration duration(String text) {
        if (text == null) {
            return null;
        }
        String trimmed = text.trim().toLowerCase(Locale.ROOT);
        Duration duration = null;
        if (trimmed.startsWith("p")) {
            try {
                duration = Duration.parse(trimmed);
            } catch (RuntimeException e) {
                duration = null;
            }
        } else if (trimmed.length() > 1) {
            long unit = switch (trimmed.charAt(trimmed.length() - 1)) {
                case 's' -> 1;
                case 'm' -> 60;
                case 'h' -> 3600;
                case 'd' -> 86_400;
                case 'w' -> 604_800;
                default -> 0;
            };
            String amount = trimmed.substring(0, trimmed.length() - 1);
            if (unit > 0 && amount.chars().allMatch(Character::isDigit) && amount.length() <= 9) {
                duration = Duration.ofSeconds(Long.parseLong(amount) * unit);
            }
        }
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new ApiError(400, "duration must be like 90s, 15m, 24h, 7d or 2w (or null: until unbanned), not '" + clip(text) + "'");
        }
        return duration;
    }

    private static String clip(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }

    /** A request that fails with a status and a message for the client. */
    static final class ApiError extends RuntimeException {
        final int status;

        ApiError(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }
}
