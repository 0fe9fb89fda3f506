package dev.bulwark.feed.format;

/**
 * How to read a feed where detection from content is not enough: the address and score
 * column (CSV) or field (JSON), each null to find it by its common names.
 */
public record ParseOptions(String column, String scoreColumn, String ipField, String scoreField) {
    public static final ParseOptions DEFAULTS = new ParseOptions(null, null, null, null);
}
