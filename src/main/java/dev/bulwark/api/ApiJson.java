package dev.bulwark.api;

import dev.bulwark.api.Status.EnforcerStatus;
import dev.bulwark.api.Status.JailStatus;
import dev.bulwark.decision.Action;
import dev.bulwark.decision.Change;
import dev.bulwark.decision.Decision;
import dev.bulwark.decision.HistoryEntry;
import dev.bulwark.feed.FeedStatus;
import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpRange;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;

/**
 * The JSON of the API, both ways: the server writes it with a streaming generator (no
 * reflection, no intermediate tree), the client reads it back into the same records. Field
 * names are snake_case; absent values are null; times are ISO-8601 in UTC; a decision without
 * a score has {@code "score": null}.
 */
public final class ApiJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private ApiJson() {
    }

    @FunctionalInterface
    private interface Body {
        void write(JsonGenerator json);
    }

    private static byte[] write(int sizeHint, Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(sizeHint);
        try (JsonGenerator json = FACTORY.createGenerator(ObjectWriteContext.empty(), out, JsonEncoding.UTF8)) {
            body.write(json);
        }
        return out.toByteArray();
    }

    /** {@code GET /v1/ip/ADDRESS}: the verdict and the decisions behind it. */
    public static byte[] lookup(Explanation explanation) {
        return write(256, json -> {
            json.writeStartObject();
            writeVerdict(json, explanation);
            json.writeEndObject();
        });
    }

    /** {@code GET /v1/explain/ADDRESS}: the lookup, the enforcers that hold the address and the history. */
    public static byte[] explanation(Explanation explanation) {
        return write(1024, json -> {
            json.writeStartObject();
            writeVerdict(json, explanation);
            json.writeArrayPropertyStart("enforcers");
            for (String enforcer : explanation.enforcers()) {
                json.writeString(enforcer);
            }
            json.writeEndArray();
            json.writeArrayPropertyStart("history");
            for (HistoryEntry entry : explanation.history()) {
                json.writeStartObject();
                writeInstant(json, "at", entry.at());
                json.writeStringProperty("change", entry.change().label());
                json.writeStringProperty("by", entry.by());
                json.writeName("decision");
                writeDecision(json, entry.decision());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        });
    }

    private static void writeVerdict(JsonGenerator json, Explanation explanation) {
        json.writeStringProperty("address", explanation.address().toString());
        json.writeBooleanProperty("blocked", explanation.blocked());
        json.writeStringProperty("action", explanation.action() == null ? null : explanation.action().label());
        writeScore(json, explanation.score());
        writeInstant(json, "expires_at", explanation.expiresAt());
        json.writeArrayPropertyStart("sources");
        List<Decision> decisions = explanation.decisions();
        for (int i = 0; i < decisions.size(); i++) {
            writeDecision(json, decisions.get(i));
        }
        json.writeEndArray();
        json.writeStringProperty("allowed_by", explanation.allowedBy());
        json.writeStringProperty("protected_by", explanation.protectedBy());
    }

    public static byte[] decision(Decision decision) {
        return write(256, json -> writeDecision(json, decision));
    }

    /** {@code GET /v1/decisions}: {@code truncated} when there were more than the limit. */
    public static byte[] decisions(List<Decision> decisions, boolean truncated) {
        return write(256 + 192 * decisions.size(), json -> {
            json.writeStartObject();
            json.writeNumberProperty("count", decisions.size());
            json.writeBooleanProperty("truncated", truncated);
            json.writeArrayPropertyStart("decisions");
            for (Decision decision : decisions) {
                writeDecision(json, decision);
            }
            json.writeEndArray();
            json.writeEndObject();
        });
    }

    private static void writeDecision(JsonGenerator json, Decision decision) {
        json.writeStartObject();
        json.writeStringProperty("origin", decision.origin());
        json.writeStringProperty("target", decision.target().toString());
        json.writeStringProperty("action", decision.action().label());
        writeScore(json, decision.score());
        json.writeArrayPropertyStart("categories");
        List<String> categories = decision.categories();
        for (int i = 0; i < categories.size(); i++) {
            json.writeString(categories.get(i));
        }
        json.writeEndArray();
        json.writeStringProperty("reason", decision.reason());
        writeInstant(json, "first_seen", decision.firstSeen());
        writeInstant(json, "last_seen", decision.lastSeen());
        writeInstant(json, "expires_at", decision.expiresAt());
        json.writeEndObject();
    }

    public static byte[] status(Status status) {
        return write(1024, json -> {
            json.writeStartObject();
            json.writeStringProperty("version", status.version());
            writeInstant(json, "started_at", status.startedAt());
            json.writeNumberProperty("snapshot_version", status.snapshotVersion());
            json.writeNumberProperty("decisions", status.decisions());
            json.writeNumberProperty("blocked_v4", status.blockedV4());
            json.writeNumberProperty("blocked_v6", status.blockedV6());
            json.writeNumberProperty("monitored", status.monitored());
            json.writeArrayPropertyStart("feeds");
            for (FeedStatus feed : status.feeds()) {
                json.writeStartObject();
                json.writeStringProperty("name", feed.name());
                json.writeStringProperty("location", feed.location());
                writeInstant(json, "last_try", feed.lastTry());
                writeInstant(json, "last_success", feed.lastSuccess());
                writeInstant(json, "content_since", feed.contentSince());
                json.writeNumberProperty("entries", feed.entries());
                json.writeStringProperty("last_result", feed.lastResult());
                json.writeStringProperty("error", feed.error());
                json.writeNumberProperty("consecutive_failures", feed.consecutiveFailures());
                writeInstant(json, "next_try", feed.nextTry());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayPropertyStart("enforcers");
            for (EnforcerStatus enforcer : status.enforcers()) {
                json.writeStartObject();
                json.writeStringProperty("name", enforcer.name());
                writeInstant(json, "last_apply", enforcer.lastApply());
                if (enforcer.lastDuration() == null) {
                    json.writeNullProperty("last_duration_ms");
                } else {
                    json.writeNumberProperty("last_duration_ms", enforcer.lastDuration().toMillis());
                }
                json.writeStringProperty("last_summary", enforcer.lastSummary());
                json.writeStringProperty("error", enforcer.error());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayPropertyStart("jails");
            for (JailStatus jail : status.jails()) {
                json.writeStartObject();
                json.writeStringProperty("name", jail.name());
                json.writeArrayPropertyStart("logs");
                for (String log : jail.logs()) {
                    json.writeString(log);
                }
                json.writeEndArray();
                json.writeNumberProperty("lines", jail.lines());
                json.writeNumberProperty("failing", jail.failing());
                json.writeNumberProperty("banned", jail.banned());
                json.writeNumberProperty("failures", jail.failures());
                json.writeNumberProperty("bans", jail.bans());
                json.writeNumberProperty("forgotten", jail.forgotten());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        });
    }

    /** {@code {"error": message}}. */
    public static byte[] error(String message) {
        return write(64 + message.length(), json -> {
            json.writeStartObject();
            json.writeStringProperty("error", message);
            json.writeEndObject();
        });
    }

    /** {@code {"removed": true}}. */
    public static byte[] removed() {
        return write(32, json -> {
            json.writeStartObject();
            json.writeBooleanProperty("removed", true);
            json.writeEndObject();
        });
    }

    private static void writeScore(JsonGenerator json, int score) {
        if (score == Decision.NO_SCORE) {
            json.writeNullProperty("score");
        } else {
            json.writeNumberProperty("score", score);
        }
    }

    private static void writeInstant(JsonGenerator json, String name, Instant instant) {
        json.writeStringProperty(name, instant == null ? null : instant.toString());
    }

    // Reading, for the client. Each throws IllegalArgumentException naming the field that is missing or wrong.

    public static Explanation readExplanation(JsonNode node) {
        List<Decision> decisions = new ArrayList<>();
        for (JsonNode source : array(node, "sources")) {
            decisions.add(readDecision(source));
        }
        List<String> enforcers = node.has("enforcers") ? strings(node, "enforcers") : List.of();
        List<HistoryEntry> history = new ArrayList<>();
        if (node.has("history")) {
            for (JsonNode entry : array(node, "history")) {
                history.add(new HistoryEntry(instant(entry, "at"), Change.valueOf(text(entry, "change").toUpperCase(Locale.ROOT)),
                        text(entry, "by"), readDecision(entry.path("decision"))));
            }
        }
        String action = optionalText(node, "action");
        return new Explanation(IpAddress.parse(text(node, "address")), node.path("blocked").asBoolean(),
                action == null ? null : Action.parse(action), score(node), optionalInstant(node, "expires_at"), decisions,
                optionalText(node, "allowed_by"), optionalText(node, "protected_by"), enforcers, history);
    }

    public static Decision readDecision(JsonNode node) {
        return new Decision(text(node, "origin"), IpRange.parse(text(node, "target")), Action.parse(text(node, "action")),
                score(node), strings(node, "categories"), optionalText(node, "reason"), instant(node, "first_seen"),
                instant(node, "last_seen"), optionalInstant(node, "expires_at"));
    }

    /** The decisions of a {@code GET /v1/decisions} answer. */
    public static List<Decision> readDecisions(JsonNode node) {
        List<Decision> decisions = new ArrayList<>();
        for (JsonNode decision : array(node, "decisions")) {
            decisions.add(readDecision(decision));
        }
        return decisions;
    }

    public static Status readStatus(JsonNode node) {
        List<FeedStatus> feeds = new ArrayList<>();
        for (JsonNode feed : array(node, "feeds")) {
            feeds.add(new FeedStatus(text(feed, "name"), optionalText(feed, "location"), optionalInstant(feed, "last_try"),
                    optionalInstant(feed, "last_success"), optionalInstant(feed, "content_since"), feed.path("entries").asLong(),
                    optionalText(feed, "last_result"), optionalText(feed, "error"), feed.path("consecutive_failures").asInt(),
                    optionalInstant(feed, "next_try")));
        }
        List<EnforcerStatus> enforcers = new ArrayList<>();
        for (JsonNode enforcer : array(node, "enforcers")) {
            JsonNode millis = enforcer.path("last_duration_ms");
            enforcers.add(new EnforcerStatus(text(enforcer, "name"), optionalInstant(enforcer, "last_apply"),
                    millis.isNumber() ? Duration.ofMillis(millis.asLong()) : null, optionalText(enforcer, "last_summary"),
                    optionalText(enforcer, "error")));
        }
        List<JailStatus> jails = new ArrayList<>();
        // a daemon from before jails has none to report
        for (JsonNode jail : node.has("jails") ? array(node, "jails") : List.<JsonNode>of()) {
            jails.add(new JailStatus(text(jail, "name"), strings(jail, "logs"), jail.path("lines").asLong(), jail.path("failing").asLong(),
                    jail.path("banned").asLong(), jail.path("failures").asLong(), jail.path("bans").asLong(), jail.path("forgotten").asLong()));
        }
        return new Status(text(node, "version"), optionalInstant(node, "started_at"), node.path("snapshot_version").asLong(),
                node.path("decisions").asLong(), node.path("blocked_v4").asLong(), node.path("blocked_v6").asLong(),
                node.path("monitored").asLong(), feeds, enforcers, jails);
    }

    private static String text(JsonNode node, String field) {
        String value = optionalText(node, field);
        if (value == null) {
            throw new IllegalArgumentException("\"" + field + "\" is missing");
        }
        return value;
    }

    static String optionalText(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!value.isString()) {
            throw new IllegalArgumentException("\"" + field + "\" is not a string");
        }
        return value.stringValue();
    }

    private static int score(JsonNode node) {
        JsonNode value = node.path("score");
        if (value.isMissingNode() || value.isNull()) {
            return Decision.NO_SCORE;
        }
        if (!value.isInt()) {
            throw new IllegalArgumentException("\"score\" is not a whole number");
        }
        return value.intValue();
    }

    private static Instant instant(JsonNode node, String field) {
        return Instant.parse(text(node, field));
    }

    private static Instant optionalInstant(JsonNode node, String field) {
        String value = optionalText(node, field);
        return value == null ? null : Instant.parse(value);
    }

    private static JsonNode array(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (!value.isArray()) {
            throw new IllegalArgumentException("\"" + field + "\" is not an array");
        }
        return value;
    }

    private static List<String> strings(JsonNode node, String field) {
        List<String> values = new ArrayList<>();
        for (JsonNode value : array(node, field)) {
            if (!value.isString()) {
                throw new IllegalArgumentException("\"" + field + "\" holds something other than strings");
            }
            values.add(value.stringValue());
        }
        return values;
    }
}
