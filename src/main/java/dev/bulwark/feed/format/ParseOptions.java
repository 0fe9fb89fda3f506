package dev.bulwark.feed.format;

/**
 * How to read a feed where detection from content is not enough: the address and score
 * column (CSV) or field (JSON), and the JSON array holding the entries ({@code itemsField});
 * each null to find it by its common names (the first array, for the entries).
 */
public record ParseOptions(String column, String scoreColumn, String ipField, String scoreField, String itemsField) {
    public static final ParseOptions DEFAULTS = new ParseOptions(null, null, null, null, null);

    public ParseOptions(String column, String scoreColumn, String ipField, String scoreField) {
        this(column, scoreColumn, ipField, scoreField, null);
    }
}
