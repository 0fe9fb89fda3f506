package dev.bulwark.config;

import dev.bulwark.decision.Action;
import dev.bulwark.feed.FeedConfig;
import dev.bulwark.feed.FeedSource;
import dev.bulwark.feed.Redaction;
import dev.bulwark.feed.format.FeedFormat;
import dev.bulwark.feed.format.ParseOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.snakeyaml.engine.v2.nodes.Node;

/** {@code feeds: [{ name, url, format, csv, json, headers, every, jitter, min_score, ttl, shrink_guard, action, timeout, retries, categories }]}. */
final class FeedsSection {
    static final List<String> KEYS = List.of("name", "url", "format", "csv", "json", "headers", "every", "jitter", "min_score", "ttl",
            "shrink_guard", "action", "timeout", "retries", "max_size", "categories");
    private static final List<String> CSV_KEYS = List.of("column", "score");
    private static final List<String> JSON_KEYS = List.of("items", "ip", "score");
    /** The origin of bans made by hand (CLI and API); a feed named so would mix its decisions with theirs. */
    static final String RESERVED_NAME = "manual";
    static final Duration DEFAULT_EVERY = Duration.ofHours(1);
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /** Header names whose values are credentials: written literally, they make the configuration file a secret. */
    private static final Pattern SECRET_HEADER = Pattern.compile("(?i).*(auth|key|token|secret|pass|cookie|session|credential|signature).*");
    private static final Pattern CATEGORY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}");

    private FeedsSection() {
    }

    static List<FeedConfig> read(Node node, NodeReader reader) {
        List<FeedConfig> feeds = new ArrayList<>();
        Map<String, Node> names = new HashMap<>();
        List<Node> items = reader.sequence(node, "feeds", "[{name: drop, url: https://feeds.example.net/drop.txt}]");
        for (int index = 0; index < items.size(); index++) {
            YamlMap feed = reader.mapping(items.get(index), NodeReader.item("feeds", index), KEYS);
            FeedConfig config = feed(feed, reader, names);
            if (config != null) {
                feeds.add(config);
            }
        }
        return feeds;
    }

    private static FeedConfig feed(YamlMap feed, NodeReader reader, Map<String, Node> names) {
        int errors = reader.errorCount();
        boolean complete = feed.require("name", "drop") & feed.require("url", "https://feeds.example.net/drop.txt");
        String name = name(feed, reader, names);
        String url = url(feed, reader);
        FeedFormat format = format(feed, reader);
        ParseOptions options = options(feed, reader, format);
        Map<String, String> headers = headers(feed, reader);
        int beforeEvery = reader.errorCount();
        Duration every = feed.duration("every", DEFAULT_EVERY, Duration.ofSeconds(1));
        Duration jitter = jitter(feed, reader, every, reader.errorCount() == beforeEvery);
        int minScore = feed.integer("min_score", 0, 0, 100);
        Duration ttl = feed.duration("ttl", null, Duration.ofSeconds(1));
        double shrinkGuard = feed.fraction("shrink_guard", FeedConfig.DEFAULT_SHRINK_GUARD);
        Action action = action(feed, reader);
        Duration timeout = feed.duration("timeout", FeedConfig.DEFAULT_TIMEOUT, Duration.ofMillis(1));
        int retries = feed.integer("retries", FeedConfig.DEFAULT_RETRIES, 0, 10);
        long maxSize = maxSize(feed, reader);
        List<String> categories = categories(feed, reader);
        if (!complete || reader.errorCount() > errors) {
            return null;
        }
        return reader.validated(feed.node(), feed.path(), () -> new FeedConfig(name, url, format, options, headers, every, jitter, minScore,
                ttl, shrinkGuard, action, timeout, retries, categories, maxSize));
    }

    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*(B|KiB|MiB|GiB)?");

    /** {@code max_size: 256MiB}: bytes, or KiB, MiB or GiB; at least 1KiB. */
    private static long maxSize(YamlMap feed, NodeReader reader) {
        Node node = feed.get("max_size");
        if (node == null) {
            return FeedConfig.DEFAULT_MAX_SIZE;
        }
        String expected = "a size such as 256MiB or 1GiB (units B, KiB, MiB, GiB)";
        Scalar scalar = reader.scalar(node, feed.path("max_size"), expected);
        if (scalar == null) {
            return FeedConfig.DEFAULT_MAX_SIZE;
        }
        Matcher size = SIZE.matcher(scalar.text().trim());
        if (!size.matches()) {
            reader.error(node, feed.path("max_size"), scalar.shown() + " is not a size: write " + expected);
            return FeedConfig.DEFAULT_MAX_SIZE;
        }
        int shift = switch (size.group(2) == null ? "B" : size.group(2)) {
            case "KiB" -> 10;
            case "MiB" -> 20;
            case "GiB" -> 30;
            default -> 0;
        };
        long amount = Long.parseLong(size.group(1));
        if (amount > Long.MAX_VALUE >> shift) {
            reader.error(node, feed.path("max_size"), scalar.shown() + " is more than a file can hold: write e.g. 1GiB");
            return FeedConfig.DEFAULT_MAX_SIZE;
        }
        if (amount << shift < FeedConfig.MIN_MAX_SIZE) {
            reader.error(node, feed.path("max_size"), "must be at least 1KiB, not " + scalar.shown());
            return FeedConfig.DEFAULT_MAX_SIZE;
        }
        return amount << shift;
    }

    private static String name(YamlMap feed, NodeReader reader, Map<String, Node> names) {
        if (!feed.has("name")) {
            return null;
        }
        Node node = feed.get("name");
        String name = reader.string(node, feed.path("name"), "a name such as drop");
        if (name == null) {
            return null;
        }
        if (!FeedConfig.NAME.matcher(name).matches()) {
            reader.error(node, feed.path("name"), "'" + name + "' is not a feed name: use 1 to 64 of a-z 0-9 . _ -, starting with a letter or digit");
            return null;
        }
        if (name.equals(RESERVED_NAME)) {
            reader.error(node, feed.path("name"), "'" + RESERVED_NAME + "' is reserved for bans made with bulwark ban and the API: choose another name");
            return null;
        }
        Node first = names.putIfAbsent(name, node);
        if (first != null) {
            reader.error(node, feed.path("name"), "feed name '" + name + "' is already used at line " + ApiSection.line(first)
                    + ": names must be unique, they are the origin of each decision");
            return null;
        }
        return name;
    }

    /** A path (taken from the configuration's directory when relative), a {@code file:} URL or an http(s) URL. */
    private static String url(YamlMap feed, NodeReader reader) {
        if (!feed.has("url")) {
            return null;
        }
        Node node = feed.get("url");
        Scalar scalar = reader.scalar(node, feed.path("url"), "a URL such as https://feeds.example.net/drop.txt, or a path");
        if (scalar == null) {
            return null;
        }
        String url = scalar.text().trim();
        if (url.isEmpty() || url.equals("-")) {
            reader.error(node, feed.path("url"), "write a URL such as https://feeds.example.net/drop.txt, or a path (stdin is not a feed of the daemon)");
            return null;
        }
        if (!scalar.secret() && !Redaction.url(url).equals(url)) {
            reader.noteLiteralSecret();
        }
        try {
            FeedSource.of(url);
        } catch (IllegalArgumentException e) {
            // the message shows the URL redacted, but a secret reference may sit anywhere in it
            reader.error(node, feed.path("url"), scalar.secret() ? scalar.shown() + " is not a valid URL: use a path, file:, http: or https:"
                    : e.getMessage());
            return null;
        }
        String lower = url.toLowerCase(Locale.ROOT);
        boolean path = !lower.startsWith("http://") && !lower.startsWith("https://") && !lower.startsWith("file:");
        return path && !Path.of(url).isAbsolute() ? reader.resolve(url).toString() : url;
    }

    private static FeedFormat format(YamlMap feed, NodeReader reader) {
        String format = feed.string("format", "auto, text, csv, json or stix", "auto");
        if (format.trim().equalsIgnoreCase("auto")) {
            return null;
        }
        try {
            return FeedFormat.parse(format);
        } catch (IllegalArgumentException e) {
            reader.error(feed.get("format"), feed.path("format"), "unknown format '" + format + "'"
                    + Suggestions.didYouMean(format, List.of("auto", "text", "csv", "json", "stix"))
                    + ": use auto (detect from the content), text, csv, json or stix");
            return null;
        }
    }

    private static ParseOptions options(YamlMap feed, NodeReader reader, FeedFormat format) {
        YamlMap csv = feed.mapping("csv", CSV_KEYS);
        YamlMap json = feed.mapping("json", JSON_KEYS);
        if (format != null && format != FeedFormat.CSV && feed.has("csv")) {
            reader.warning(feed.keyNode("csv"), feed.path("csv"), "ignored: the format is " + format.name().toLowerCase(Locale.ROOT));
        }
        if (format != null && format != FeedFormat.JSON && feed.has("json")) {
            reader.warning(feed.keyNode("json"), feed.path("json"), "ignored: the format is " + format.name().toLowerCase(Locale.ROOT));
        }
        return new ParseOptions(csv.string("column", "a column name or number from 1", null), csv.string("score", "a column name or number from 1", null),
                json.string("ip", "a field name such as ip_address", null), json.string("score", "a field name such as score", null),
                json.string("items", "the name of the array holding the entries, such as data", null));
    }

    /** Header names and values; a value is never shown, it may be a credential. */
    private static Map<String, String> headers(YamlMap feed, NodeReader reader) {
        YamlMap headers = feed.mapping("headers", null);
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> seen = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String name : headers.keys()) {
            Node node = headers.get(name);
            String path = headers.path(name);
            if (!HEADER_NAME.matcher(name).matches()) {
                reader.error(headers.keyNode(name), path, "'" + name + "' is not an HTTP header name: use letters, digits and - (e.g. X-API-Key)");
                continue;
            }
            String first = seen.putIfAbsent(name, name);
            if (first != null) {
                reader.error(headers.keyNode(name), path, "header " + name + " is already set as " + first + ": header names ignore case, keep one");
                continue;
            }
            Scalar value = reader.scalar(node, path, "the header's value, e.g. \"${env:API_KEY}\"");
            if (value == null) {
                continue;
            }
            if (value.text().chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                reader.error(node, path, (value.secret() ? value.shown() : "the value") + " holds a line break or NUL, which no header may");
                continue;
            }
            if (!value.secret() && SECRET_HEADER.matcher(name).matches()) {
                reader.noteLiteralSecret();
            }
            values.put(name, value.text());
        }
        return values;
    }

    /** Up to this much is added to each interval at random; by default a tenth of {@code every}. Written as a duration or a share of {@code every}. */
    private static Duration jitter(YamlMap feed, NodeReader reader, Duration every, boolean everyValid) {
        Node node = feed.get("jitter");
        if (node == null) {
            return every.dividedBy(10);
        }
        Scalar scalar = reader.scalar(node, feed.path("jitter"), "a duration such as 5m, or a share of every such as 10%");
        if (scalar == null) {
            return every.dividedBy(10);
        }
        Duration jitter;
        if (scalar.text().trim().endsWith("%")) {
            Double share = reader.fraction(node, feed.path("jitter"));
            jitter = share == null ? null : Duration.ofMillis(Math.round(every.toMillis() * share));
        } else {
            jitter = reader.duration(node, feed.path("jitter"), Duration.ZERO);
        }
        if (jitter == null) {
            return every.dividedBy(10);
        }
        if (everyValid && jitter.compareTo(every) > 0) {
            reader.error(node, feed.path("jitter"), "must not exceed every (" + DurationFormat.format(every) + "), not " + DurationFormat.format(jitter)
                    + ": it spreads each fetch over part of the interval");
        }
        return jitter;
    }

    private static Action action(YamlMap feed, NodeReader reader) {
        String action = feed.string("action", "block or monitor", "block");
        try {
            return Action.parse(action);
        } catch (IllegalArgumentException e) {
            reader.error(feed.get("action"), feed.path("action"), "unknown action '" + action + "'"
                    + Suggestions.didYouMean(action, List.of("block", "monitor")) + ": use block (enforce) or monitor (record and show only)");
            return Action.BLOCK;
        }
    }

    /** {@code categories: [botnet, spam]} of a feed or a jail. */
    static List<String> categories(YamlMap feed, NodeReader reader) {
        List<String> categories = new ArrayList<>();
        List<Node> items = feed.sequence("categories", "[botnet, spam]");
        for (int index = 0; index < items.size(); index++) {
            String path = NodeReader.item(feed.path("categories"), index);
            String category = reader.string(items.get(index), path, "a category such as botnet");
            if (category == null) {
                continue;
            }
            if (!CATEGORY.matcher(category).matches()) {
                reader.error(items.get(index), path, "'" + category + "' is not a category: use 1 to 64 letters, digits and . _ : / -, e.g. botnet");
                continue;
            }
            categories.add(category);
        }
        return categories;
    }
}
