package dev.bulwark.feed.format;

import dev.bulwark.ip.IpParser;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.JacksonIOException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * STIX 2.1 content: a bundle ({@code {"type": "bundle", "objects": [...]}}), a TAXII 2.1
 * envelope ({@code {"objects": [...], "more": ...}}) or a bare array of objects.
 *
 * <p>An {@code indicator} with a STIX pattern yields every address or prefix its pattern
 * compares {@code ipv4-addr:value} or {@code ipv6-addr:value} to with {@code =},
 * {@code IN (...)} or {@code ISSUBSET}, across {@code AND}, {@code OR} and observation
 * expressions; negated comparisons ({@code !=}, {@code NOT}) and comparisons on other objects
 * ({@code domain-name:value}, {@code file:hashes...}) yield nothing. Its {@code confidence} is
 * the score, its {@code labels} and {@code indicator_types} the categories, its {@code valid_until}
 * the entries' expiry ({@link EntrySink#NO_EXPIRY} without one). A revoked indicator,
 * or one whose {@code valid_until} has come, is dropped: valid STIX, but no longer meant, and
 * counted by {@link #dropped()}. An indicator with no address in its pattern, or a pattern in
 * another language (Snort, YARA...), is counted by {@link #skipped()}. Bare {@code ipv4-addr}
 * and {@code ipv6-addr} objects are entries without a score.
 *
 * <p>Rejections carry the 1-based position of the object in {@code objects}. The counts are of
 * the last {@link #parse}, so one instance serves one parse at a time.
 */
public final class StixFeedParser implements FeedParser {
    /** The caller owns the stream: reading the tree must not close it. */
    private static final ObjectMapper MAPPER = JsonMapper.builder().disable(StreamReadFeature.AUTO_CLOSE_SOURCE).build();

    private final Clock clock;
    private int dropped;
    private int skipped;

    public StixFeedParser(Clock clock) {
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Indicators of the last parse that named addresses but were revoked or past their {@code valid_until}. */
    public int dropped() {
        return dropped;
    }

    /** Indicators of the last parse with no address in their pattern, or a pattern that is not STIX. */
    public int skipped() {
        return skipped;
    }

    @Override
    public void parse(InputStream input, EntrySink sink) throws IOException {
        requireNonNull(input, "input is null");
        requireNonNull(sink, "sink is null");
        dropped = 0;
        skipped = 0;
        JsonNode root = readTree(input);
        JsonNode objects = objectsOf(root);
        Instant now = clock.instant();
        IpParser parser = new IpParser();
        for (int index = 0; index < objects.size(); index++) {
            JsonNode object = objects.get(index);
            long record = index + 1;
            String type = text(object.path("type"), "");
            switch (type) {
                case "indicator" -> indicator(record, object, now, parser, sink);
                case "ipv4-addr", "ipv6-addr" -> observable(record, object, parser, sink);
                default -> {
                    // identities, malware, relationships...: context, not entries
                }
            }
        }
    }

    private static JsonNode readTree(InputStream input) throws IOException {
        try {
            return MAPPER.readTree(input);
        } catch (JacksonIOException e) {
            throw e.getCause();
        } catch (JacksonException e) {
            TokenStreamLocation location = e.getLocation();
            if (location == null || location == TokenStreamLocation.NA) {
                throw new IOException("broken JSON: " + e.getOriginalMessage(), e);
            }
            throw new IOException("broken JSON at line " + location.getLineNr() + ", column " + location.getColumnNr()
                    + ": " + e.getOriginalMessage(), e);
        }
    }

    private static JsonNode objectsOf(JsonNode root) throws IOException {
        if (root == null || root.isMissingNode()) {
            return MAPPER.createArrayNode();
        }
        if (root.isArray()) {
            return root;
        }
        if (root.isObject() && root.path("objects").isArray()) {
            return root.get("objects");
        }
        if (root.isObject() && root.has("type")) {
            // a single object, such as one indicator
            return MAPPER.createArrayNode().add(root);
        }
        throw new IOException("not STIX: expected a bundle {\"type\": \"bundle\", \"objects\": [...]}, a TAXII envelope"
                + " {\"objects\": [...]} or an array of STIX objects");
    }

    private void indicator(long record, JsonNode indicator, Instant now, IpParser parser, EntrySink sink) {
        String patternType = text(indicator.path("pattern_type"), "stix");
        if (!patternType.equalsIgnoreCase("stix")) {
            skipped++;
            return;
        }
        JsonNode patternNode = indicator.path("pattern");
        if (!patternNode.isString()) {
            sink.rejected(record, text(indicator.path("id"), ""), "indicator has no pattern");
            return;
        }
        String pattern = patternNode.stringValue();
        List<String> addresses;
        try {
            addresses = addressesIn(pattern);
        } catch (PatternException e) {
            sink.rejected(record, FeedFields.shorten(pattern), "pattern: " + e.getMessage());
            return;
        }
        if (addresses.isEmpty()) {
            skipped++;
            return;
        }
        JsonNode revoked = indicator.path("revoked");
        if (revoked.isBoolean() && revoked.booleanValue()) {
            dropped++;
            return;
        }
        long expiresEpochSecond = EntrySink.NO_EXPIRY;
        JsonNode validUntil = indicator.path("valid_until");
        if (!validUntil.isMissingNode() && !validUntil.isNull()) {
            Instant until;
            try {
                until = Instant.parse(text(validUntil, ""));
            } catch (DateTimeException e) {
                sink.rejected(record, FeedFields.shorten(pattern), "valid_until " + validUntil + " is not a timestamp");
                return;
            }
            // STIX: valid_until is when the indicator stops being valid, so it is no longer valid at that instant
            if (!now.isBefore(until)) {
                dropped++;
                return;
            }
            // a fraction of a second is rounded up: the entry never expires before the indicator does
            expiresEpochSecond = until.getNano() == 0 ? until.getEpochSecond() : until.getEpochSecond() + 1;
        }
        int score = EntrySink.NO_SCORE;
        JsonNode confidence = indicator.path("confidence");
        if (!confidence.isMissingNode() && !confidence.isNull()) {
            if (!confidence.isIntegralNumber() || !confidence.canConvertToInt()
                    || confidence.intValue() < 0 || confidence.intValue() > 100) {
                sink.rejected(record, FeedFields.shorten(pattern), "confidence " + confidence + " is not a whole number from 0 to 100");
                return;
            }
            score = confidence.intValue();
        }
        List<String> categories = categoriesOf(indicator);
        for (String address : addresses) {
            byte[] bytes = IpParser.ascii(address);
            if (!parser.parseRange(bytes, 0, bytes.length)) {
                sink.rejected(record, FeedFields.shorten(pattern), "'" + address + "': " + parser.error());
                continue;
            }
            sink.entry(parser.family(), parser.firstHigh(), parser.firstLow(), parser.lastHigh(), parser.lastLow(), score, categories,
                    expiresEpochSecond);
        }
    }

    private static void observable(long record, JsonNode object, IpParser parser, EntrySink sink) {
        JsonNode value = object.path("value");
        if (!value.isString()) {
            sink.rejected(record, text(object.path("id"), ""), text(object.path("type"), "") + " object has no value");
            return;
        }
        byte[] bytes = IpParser.ascii(value.stringValue());
        if (!parser.parseRange(bytes, 0, bytes.length)) {
            sink.rejected(record, FeedFields.shorten(value.stringValue()), parser.error());
            return;
        }
        sink.entry(parser.family(), parser.firstHigh(), parser.firstLow(), parser.lastHigh(), parser.lastLow(), EntrySink.NO_SCORE, List.of());
    }

    private static String text(JsonNode node, String fallback) {
        return node.isString() ? node.stringValue() : fallback;
    }

    private static List<String> categoriesOf(JsonNode indicator) {
        Set<String> categories = new LinkedHashSet<>();
        for (String field : List.of("labels", "indicator_types")) {
            for (JsonNode category : indicator.path(field)) {
                if (category.isString()) {
                    categories.add(category.stringValue());
                }
            }
        }
        return List.copyOf(categories);
    }

    /**
     * The addresses and prefixes a STIX pattern says an {@code ipv4-addr} or {@code ipv6-addr}
     * value equals, is in, or is a subset of; none for negated comparisons.
     */
    static List<String> addressesIn(String pattern) throws PatternException {
        List<Token> tokens = tokenize(pattern);
        List<String> addresses = new ArrayList<>();
        for (int index = 0; index < tokens.size(); index++) {
            Token path = tokens.get(index);
            if (path.kind() != TokenKind.WORD || !(path.text().equals("ipv4-addr:value") || path.text().equals("ipv6-addr:value"))) {
                continue;
            }
            int next = index + 1;
            boolean negated = next < tokens.size() && tokens.get(next).isWord("NOT");
            if (negated) {
                next++;
            }
            if (next >= tokens.size()) {
                throw new PatternException("comparison on " + path.text() + " has no operator");
            }
            Token operator = tokens.get(next++);
            if (operator.isSymbol("=") || operator.isWord("ISSUBSET")) {
                String value = quotedAt(tokens, next, path);
                if (!negated) {
                    addresses.add(value);
                }
                index = next;
            } else if (operator.isWord("IN")) {
                List<String> values = new ArrayList<>();
                index = readSet(tokens, next, path, values);
                if (!negated) {
                    addresses.addAll(values);
                }
            }
            // !=, <, >, LIKE, MATCHES, ISSUPERSET: no address to block
        }
        return addresses;
    }

    /** Reads {@code ('a', 'b', ...)} starting at {@code from}; returns the index of the closing parenthesis. */
    private static int readSet(List<Token> tokens, int from, Token path, List<String> values) throws PatternException {
        if (from >= tokens.size() || !tokens.get(from).isSymbol("(")) {
            throw new PatternException(path.text() + " IN needs a list in parentheses");
        }
        int index = from + 1;
        while (true) {
            values.add(quotedAt(tokens, index, path));
            index++;
            if (index < tokens.size() && tokens.get(index).isSymbol(",")) {
                index++;
                continue;
            }
            if (index < tokens.size() && tokens.get(index).isSymbol(")")) {
                return index;
            }
            throw new PatternException(path.text() + " IN list is not closed by ')'");
        }
    }

    private static String quotedAt(List<Token> tokens, int index, Token path) throws PatternException {
        if (index >= tokens.size() || tokens.get(index).kind() != TokenKind.STRING) {
            throw new PatternException(path.text() + " is compared to something other than a quoted address");
        }
        return tokens.get(index).text();
    }

    /**
     * Splits a pattern into words (object paths, keywords, numbers), quoted strings (with
     * {@code \'} and {@code \\} escapes undone) and symbols. An object path keeps its quoted
     * and indexed steps, as in {@code file:hashes.'SHA-256'} and {@code x:values[*]}.
     */
    static List<Token> tokenize(String pattern) throws PatternException {
        List<Token> tokens = new ArrayList<>();
        int length = pattern.length();
        int index = 0;
        while (index < length) {
            char c = pattern.charAt(index);
            if (Character.isWhitespace(c)) {
                index++;
            } else if (c == '\'') {
                StringBuilder text = new StringBuilder();
                index = readQuoted(pattern, index, text);
                tokens.add(new Token(TokenKind.STRING, text.toString()));
            } else if (c == '!' || c == '<' || c == '>' || c == '=') {
                boolean twoCharacters = c != '=' && index + 1 < length && pattern.charAt(index + 1) == '=';
                int end = index + (twoCharacters ? 2 : 1);
                tokens.add(new Token(TokenKind.SYMBOL, pattern.substring(index, end)));
                index = end;
            } else if (isWordCharacter(c)) {
                int start = index;
                while (index < length) {
                    char current = pattern.charAt(index);
                    if (isWordCharacter(current)) {
                        index++;
                    } else if (current == '\'' && pattern.charAt(index - 1) == '.') {
                        index = readQuoted(pattern, index, new StringBuilder());
                    } else if (current == '[' && isIndexStep(pattern, index)) {
                        index = pattern.indexOf(']', index) + 1;
                    } else {
                        break;
                    }
                }
                tokens.add(new Token(TokenKind.WORD, pattern.substring(start, index)));
            } else {
                tokens.add(new Token(TokenKind.SYMBOL, String.valueOf(c)));
                index++;
            }
        }
        return tokens;
    }

    /** Reads the quoted string opening at {@code start} into {@code text}; returns the index after it. */
    private static int readQuoted(String pattern, int start, StringBuilder text) throws PatternException {
        int index = start + 1;
        while (index < pattern.length()) {
            char c = pattern.charAt(index);
            if (c == '\\' && index + 1 < pattern.length()) {
                text.append(pattern.charAt(index + 1));
                index += 2;
            } else if (c == '\'') {
                return index + 1;
            } else {
                text.append(c);
                index++;
            }
        }
        throw new PatternException("quoted string at offset " + start + " is not closed");
    }

    /** Whether the {@code [} at {@code index} is a list index step ({@code [*]}, {@code [0]}) of an object path. */
    private static boolean isIndexStep(String pattern, int index) {
        int close = pattern.indexOf(']', index);
        if (close < 0 || close == index + 1) {
            return false;
        }
        String inside = pattern.substring(index + 1, close);
        return inside.equals("*") || inside.chars().allMatch(Character::isDigit);
    }

    private static boolean isWordCharacter(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == ':' || c == '.';
    }

    enum TokenKind {
        WORD,
        STRING,
        SYMBOL
    }

    record Token(TokenKind kind, String text) {
        boolean isWord(String keyword) {
            return kind == TokenKind.WORD && text.toUpperCase(Locale.ROOT).equals(keyword);
        }

        boolean isSymbol(String symbol) {
            return kind == TokenKind.SYMBOL && text.equals(symbol);
        }
    }

    /** A pattern that cannot be read. */
    static final class PatternException extends Exception {
        PatternException(String message) {
            super(message);
        }
    }
}
