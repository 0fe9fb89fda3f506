package dev.bulwark.feed.format;

import dev.bulwark.ip.IpParser;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.JacksonIOException;
import tools.jackson.core.json.JsonFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * JSON feeds, read as a token stream so that a large one is never held whole. Accepted forms:
 * <ul>
 *   <li>an array of strings: {@code ["192.0.2.1", "198.51.100.0/24"]};
 *   <li>an array of objects, each an entry: {@code [{"ipAddress": "192.0.2.1", "abuseConfidenceScore": 100}]};
 *   <li>an object wrapping such an array under any name, beside other fields that are skipped:
 *       {@code {"meta": {...}, "data": [...]}} (AbuseIPDB), {@code {"threats": [...]}}; the first
 *       array of objects or strings is the one read;
 *   <li>JSON Lines, one object a line (Spamhaus DROP's {@code drop_v4.json}); an object of
 *       {@code "type": "metadata"} without an address, such as Spamhaus's last line, is skipped.
 * </ul>
 * With {@link ParseOptions#itemsField()} set, the document must be an object and the entries are
 * the array under that top-level field, compared like the other field names; every other field
 * is skipped, and a document without such an array is an error that names it.
 * An entry object's address is its field named as in {@link CsvFeedParser#ADDRESS_NAMES} (or
 * {@link ParseOptions#ipField()}), compared ignoring case, {@code _} and {@code -}; its score the
 * field named as in {@link CsvFeedParser#SCORE_NAMES} (or {@link ParseOptions#scoreField()}), a
 * number or numeric string from 0 to 100; its categories the strings of its
 * {@code categories}, {@code category}, {@code tags}, {@code labels} and {@code malware} fields.
 * Other fields, nested objects and arrays included, are skipped.
 *
 * <p>A malformed entry is rejected with its number: the 1-based index of the element in its
 * array, or the line for JSON Lines. Broken JSON throws an {@link IOException} with the line
 * and column where it broke; the entries before it have been delivered.
 */
public final class JsonFeedParser implements FeedParser {
    /** The caller owns the stream: closing the parser must not close it. */
    private static final JsonFactory FACTORY = JsonFactory.builder().disable(StreamReadFeature.AUTO_CLOSE_SOURCE).build();

    private static final List<String> CATEGORY_NAMES = List.of("categories", "category", "tags", "labels", "malware");

    // kinds of field, besides an address rank (0 and up) or SCORE_RANK_BASE + a score rank
    private static final int OTHER = -1;
    private static final int CATEGORY = -2;
    private static final int TYPE = -3;
    private static final int SCORE_RANK_BASE = 1000;

    /** How many top-level field names an error about a missing items array lists. */
    private static final int LISTED_FIELDS = 8;

    private final String ipField;
    private final String scoreField;
    private final String itemsName;
    private final String itemsField;

    public JsonFeedParser(ParseOptions options) {
        requireNonNull(options, "options is null");
        this.itemsName = options.itemsField() == null ? null : options.itemsField().trim();
        this.itemsField = itemsName == null ? null : FeedFields.normalize(itemsName);
        this.ipField = options.ipField() == null ? null : FeedFields.normalize(options.ipField().trim());
        this.scoreField = options.scoreField() == null ? null : FeedFields.normalize(options.scoreField().trim());
    }

    @Override
    public void parse(InputStream input, EntrySink sink) throws IOException {
        requireNonNull(input, "input is null");
        requireNonNull(sink, "sink is null");
        try (JsonParser json = FACTORY.createParser(ObjectReadContext.empty(), input)) {
            new Scan(json, sink).run();
        } catch (JacksonIOException e) {
            throw e.getCause();
        } catch (JacksonException e) {
            throw new IOException(describe(e), e);
        }
    }

    private static String describe(JacksonException e) {
        TokenStreamLocation location = e.getLocation();
        if (location == null || location == TokenStreamLocation.NA) {
            return "broken JSON: " + e.getOriginalMessage();
        }
        return "broken JSON at line " + location.getLineNr() + ", column " + location.getColumnNr() + ": " + e.getOriginalMessage();
    }

    /**
     * The kind of a field by its name: an address rank (lower is more telling), a score rank
     * plus {@link #SCORE_RANK_BASE}, {@link #CATEGORY}, {@link #TYPE} or {@link #OTHER}.
     */
    private int classify(String name) {
        String normalized = FeedFields.normalize(name);
        if (ipField != null ? normalized.equals(ipField) : FeedFields.ADDRESS_NAMES.contains(normalized)) {
            return ipField != null ? 0 : FeedFields.ADDRESS_NAMES.indexOf(normalized);
        }
        if (scoreField != null ? normalized.equals(scoreField) : FeedFields.SCORE_NAMES.contains(normalized)) {
            return SCORE_RANK_BASE + (scoreField != null ? 0 : FeedFields.SCORE_NAMES.indexOf(normalized));
        }
        if (CATEGORY_NAMES.contains(normalized)) {
            return CATEGORY;
        }
        return normalized.equals("type") ? TYPE : OTHER;
    }

    /** The state of one parse, including the entry being read. */
    private final class Scan {
        private final JsonParser json;
        private final EntrySink sink;
        private final IpParser parser = new IpParser();
        /** Field kinds by name; Jackson hands out the same String for a repeated name, so this stays small and fast. */
        private final Map<String, Integer> kinds = new HashMap<>();
        private byte[] addressBytes = new byte[64];

        // the entry being read
        private String address;
        private String addressField;
        private int addressRank;
        private String nonStringAddressField;
        private String nonStringAddressText;
        private int score;
        private int scoreRank;
        private String scoreField;
        private String scoreText;
        private final List<String> categories = new ArrayList<>();
        private boolean metadata;
        private final List<String> fieldNames = new ArrayList<>();

        Scan(JsonParser json, EntrySink sink) {
            this.json = json;
            this.sink = sink;
        }

        void run() throws IOException {
            if (itemsField != null) {
                namedItems();
                return;
            }
            JsonToken token;
            while ((token = json.nextToken()) != null) {
                switch (token) {
                    case START_ARRAY -> elements(json.nextToken());
                    case START_OBJECT -> rootObject(line());
                    case VALUE_STRING -> stringEntry(line(), json.getString());
                    default -> {
                        String text = json.getString();
                        json.skipChildren();
                        sink.rejected(line(), FeedFields.shorten(String.valueOf(text)), "neither an object, an array nor a string");
                    }
                }
            }
        }

        /** The entries of the array under the top-level field {@link #itemsField}; nothing else is read. */
        private void namedItems() throws IOException {
            JsonToken root = json.nextToken();
            if (root != JsonToken.START_OBJECT) {
                String found = root == null ? "empty" : root == JsonToken.START_ARRAY ? "an array" : "not an object";
                throw new IOException(missingItems("the document is " + found));
            }
            List<String> seen = new ArrayList<>();
            int fields = 0;
            while (json.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = json.currentName();
                JsonToken value = json.nextToken();
                if (FeedFields.normalize(name).equals(itemsField)) {
                    if (value != JsonToken.START_ARRAY) {
                        throw new IOException("JSON feed: field \"" + name + "\" holds " + value.asString() + "..., not an array of entries;"
                                + " name the array of entries in the feed's json items option");
                    }
                    elements(json.nextToken());
                    return;
                }
                if (seen.size() < LISTED_FIELDS) {
                    seen.add(name);
                }
                fields++;
                json.skipChildren();
            }
            String listed = seen.isEmpty() ? "none" : String.join(", ", seen) + (fields > seen.size() ? ", ..." : "");
            throw new IOException(missingItems("its top-level fields are: " + listed));
        }

        private String missingItems(String found) {
            return "JSON feed has no array \"" + itemsName + "\" at its top level (" + found + "):"
                    + " correct the feed's json items option, or leave it out to read the first array";
        }

        private long line() {
            return json.currentTokenLocation().getLineNr();
        }

        /** The elements of an array of entries, from its first token to its end. */
        private void elements(JsonToken first) throws IOException {
            long index = 0;
            for (JsonToken token = first; token != JsonToken.END_ARRAY; token = json.nextToken()) {
                if (token == null) {
                    throw new IOException("broken JSON: the input ends inside an array");
                }
                index++;
                if (token == JsonToken.START_OBJECT) {
                    entryObject(index);
                } else if (token == JsonToken.VALUE_STRING) {
                    stringEntry(index, json.getString());
                } else {
                    String text = token.isStructStart() ? token.asString() + "..." : json.getString();
                    json.skipChildren();
                    sink.rejected(index, FeedFields.shorten(String.valueOf(text)), "element is neither an object nor a string");
                }
            }
        }

        /**
         * An object at the top: a wrapper when it holds an array of entries before any address
         * field, else an entry itself (JSON Lines).
         */
        private void rootObject(long line) throws IOException {
            resetEntry();
            boolean wrapper = false;
            boolean sawArray = false;
            while (json.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = json.currentName();
                JsonToken value = json.nextToken();
                if (wrapper) {
                    json.skipChildren();
                    continue;
                }
                if (value == JsonToken.START_ARRAY && address == null && kind(name) != CATEGORY) {
                    sawArray = true;
                    JsonToken first = json.nextToken();
                    if (first == JsonToken.START_OBJECT || first == JsonToken.VALUE_STRING) {
                        elements(first);
                        wrapper = true;
                    } else {
                        skipRestOfArray(first);
                    }
                    continue;
                }
                field(name, value);
            }
            if (wrapper || (sawArray && address == null && nonStringAddressField == null)) {
                // a wrapper, perhaps with an empty array: {"data": [], "meta": {...}}
                return;
            }
            deliver(line);
        }

        private void skipRestOfArray(JsonToken first) {
            for (JsonToken token = first; token != JsonToken.END_ARRAY && token != null; token = json.nextToken()) {
                json.skipChildren();
            }
        }

        private void entryObject(long record) {
            resetEntry();
            while (json.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = json.currentName();
                field(name, json.nextToken());
            }
            deliver(record);
        }

        private void resetEntry() {
            address = null;
            addressField = null;
            addressRank = Integer.MAX_VALUE;
            nonStringAddressField = null;
            nonStringAddressText = null;
            score = EntrySink.NO_SCORE;
            scoreRank = Integer.MAX_VALUE;
            scoreField = null;
            scoreText = null;
            categories.clear();
            metadata = false;
            fieldNames.clear();
        }

        private int kind(String name) {
            Integer kind = kinds.get(name);
            if (kind == null) {
                kind = classify(name);
                kinds.put(name, kind);
            }
            return kind;
        }

        /** One field of an entry, its value the current token. */
        private void field(String name, JsonToken value) {
            if (fieldNames.size() < 4) {
                fieldNames.add(name);
            }
            int kind = kind(name);
            if (kind >= SCORE_RANK_BASE) {
                scoreField(name, kind - SCORE_RANK_BASE, value);
            } else if (kind >= 0) {
                addressField(name, kind, value);
            } else if (kind == CATEGORY) {
                categoryField(value);
            } else if (kind == TYPE) {
                metadata |= value == JsonToken.VALUE_STRING && json.getString().equalsIgnoreCase("metadata");
            } else {
                json.skipChildren();
            }
        }

        private void addressField(String name, int rank, JsonToken value) {
            if (value == JsonToken.VALUE_STRING) {
                if (rank < addressRank) {
                    address = json.getString();
                    addressField = name;
                    addressRank = rank;
                }
                return;
            }
            if (nonStringAddressField == null) {
                nonStringAddressField = name;
                nonStringAddressText = value.isStructStart() ? value.asString() + "..." : json.getString();
            }
            json.skipChildren();
        }

        private void scoreField(String name, int rank, JsonToken value) {
            if (rank >= scoreRank) {
                json.skipChildren();
                return;
            }
            scoreRank = rank;
            scoreField = name;
            score = scoreOf(value);
            scoreText = score < EntrySink.NO_SCORE ? (value.isStructStart() ? value.asString() + "..." : json.getString()) : null;
            json.skipChildren();
        }

        private int scoreOf(JsonToken value) {
            switch (value) {
                case VALUE_NUMBER_INT -> {
                    if (json.getNumberType() != JsonParser.NumberType.INT) {
                        return FeedFields.SCORE_OUT_OF_RANGE;
                    }
                    int number = json.getIntValue();
                    return number >= 0 && number <= 100 ? number : FeedFields.SCORE_OUT_OF_RANGE;
                }
                case VALUE_NUMBER_FLOAT -> {
                    double number = json.getDoubleValue();
                    return number >= 0 && number <= 100 ? (int) Math.floor(number + 0.5) : FeedFields.SCORE_OUT_OF_RANGE;
                }
                case VALUE_STRING -> {
                    String text = json.getString().trim();
                    int length = toAscii(text);
                    return FeedFields.parseScore(addressBytes, 0, length);
                }
                case VALUE_NULL -> {
                    return EntrySink.NO_SCORE;
                }
                default -> {
                    return FeedFields.SCORE_NOT_A_NUMBER;
                }
            }
        }

        private void categoryField(JsonToken value) {
            if (value == JsonToken.VALUE_STRING) {
                categories.add(json.getString());
                return;
            }
            if (value != JsonToken.START_ARRAY) {
                json.skipChildren();
                return;
            }
            for (JsonToken token = json.nextToken(); token != JsonToken.END_ARRAY && token != null; token = json.nextToken()) {
                if (token == JsonToken.VALUE_STRING || token.isNumeric()) {
                    categories.add(json.getString());
                } else {
                    json.skipChildren();
                }
            }
        }

        private void deliver(long record) {
            if (address == null) {
                if (nonStringAddressField != null) {
                    sink.rejected(record, FeedFields.shorten(String.valueOf(nonStringAddressText)),
                            "field " + nonStringAddressField + " is not a string");
                    return;
                }
                if (!metadata) {
                    sink.rejected(record, "{" + String.join(", ", fieldNames) + (fieldNames.size() == 4 ? ", ...}" : "}"),
                            "no address field");
                }
                return;
            }
            int length = toAscii(address.trim());
            if (!parser.parseRange(addressBytes, 0, length)) {
                sink.rejected(record, FeedFields.shorten(address), "field " + addressField + ": " + parser.error());
                return;
            }
            if (score < EntrySink.NO_SCORE) {
                sink.rejected(record, FeedFields.shorten(address),
                        FeedFields.scoreProblem(score, "field " + scoreField, String.valueOf(scoreText)));
                return;
            }
            List<String> entryCategories = categories.isEmpty() ? List.of() : List.copyOf(categories);
            sink.entry(parser.family(), parser.firstHigh(), parser.firstLow(), parser.lastHigh(), parser.lastLow(), score, entryCategories);
        }

        private void stringEntry(long record, String text) {
            int length = toAscii(text.trim());
            if (!parser.parseRange(addressBytes, 0, length)) {
                sink.rejected(record, FeedFields.shorten(text), parser.error());
                return;
            }
            sink.entry(parser.family(), parser.firstHigh(), parser.firstLow(), parser.lastHigh(), parser.lastLow(), EntrySink.NO_SCORE, List.of());
        }

        /** Copies text into {@link #addressBytes} as ASCII; anything else becomes '?', which no address holds. */
        private int toAscii(String text) {
            int length = text.length();
            if (addressBytes.length < length) {
                addressBytes = new byte[length];
            }
            for (int index = 0; index < length; index++) {
                char c = text.charAt(index);
                addressBytes[index] = c < 0x80 ? (byte) c : (byte) '?';
            }
            return length;
        }
    }
}
