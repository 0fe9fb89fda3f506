package dev.bulwark.feed.format;

import dev.bulwark.ip.IpParser;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Locale;

/** The formats a feed can have; {@link #detect} tells them apart by content. */
public enum FeedFormat {
    TEXT,
    CSV,
    JSON,
    STIX;

    /** How many leading bytes {@link #detect} wants to see. */
    public static final int DETECT_BYTES = 8192;

    public static FeedFormat parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown feed format '" + name + "': use text, csv, json or stix");
        }
    }

    public FeedParser parser(ParseOptions options, Clock clock) {
        return switch (this) {
            case TEXT -> new TextFeedParser();
            case CSV -> new CsvFeedParser(options);
            case JSON -> new JsonFeedParser(options);
            case STIX -> new StixFeedParser(clock);
        };
    }

    /**
     * Tells the format from the first bytes of the content: JSON starts with a brace or a
     * bracket, and is STIX when it speaks of bundles, indicators or STIX patterns; otherwise
     * the first line that is not blank or a comment decides: CSV when it holds a comma (outside
     * a trailing comment) or, without an address in front, a tab; text otherwise.
     */
    public static FeedFormat detect(byte[] head, int length) {
        int start = 0;
        if (length >= 3 && head[0] == (byte) 0xEF && head[1] == (byte) 0xBB && head[2] == (byte) 0xBF) {
            start = 3;
        }
        while (start < length && isWhitespace(head[start])) {
            start++;
        }
        if (start == length) {
            return TEXT;
        }
        if (head[start] == '{' || head[start] == '[') {
            String text = new String(head, start, length - start, StandardCharsets.UTF_8);
            boolean stix = text.matches("(?s).*\"type\"\\s*:\\s*\"(bundle|indicator|ipv4-addr|ipv6-addr)\".*")
                    || text.contains("\"spec_version\"") || text.matches("(?s).*\"pattern\"\\s*:\\s*\"\\[.*");
            return stix ? STIX : JSON;
        }
        int lineStart = start;
        while (lineStart < length) {
            int lineEnd = lineStart;
            while (lineEnd < length && head[lineEnd] != '\n') {
                lineEnd++;
            }
            int first = lineStart;
            while (first < lineEnd && isWhitespace(head[first])) {
                first++;
            }
            boolean comment = first < lineEnd && (head[first] == '#' || head[first] == ';'
                    || (head[first] == '/' && first + 1 < lineEnd && head[first + 1] == '/'));
            if (first < lineEnd && !comment) {
                return classifyLine(head, first, lineEnd);
            }
            lineStart = lineEnd + 1;
        }
        return TEXT;
    }

    private static FeedFormat classifyLine(byte[] head, int from, int to) {
        int tokenEnd = from;
        while (tokenEnd < to && !isWhitespace(head[tokenEnd]) && head[tokenEnd] != ',') {
            tokenEnd++;
        }
        boolean addressFirst = new IpParser().parseRange(head, from, tokenEnd);
        for (int index = from; index < to; index++) {
            byte c = head[index];
            boolean slashes = c == '/' && index + 1 < to && head[index + 1] == '/' && index > from && isWhitespace(head[index - 1]);
            if (c == '#' || c == ';' || slashes) {
                // a trailing comment: what follows does not count
                return TEXT;
            }
            if (c == ',') {
                return CSV;
            }
            if (c == '\t' && !addressFirst) {
                return CSV;
            }
        }
        return TEXT;
    }

    private static boolean isWhitespace(byte c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }
}
