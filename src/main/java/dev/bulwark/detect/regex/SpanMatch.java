package dev.bulwark.detect.regex;

import java.util.regex.MatchResult;

/**
 * A match that {@link Pcre} found, read as java.util.regex's {@link MatchResult}: each group's
 * start and end in the text, -1 for a group that took no part. One instance is refilled by each
 * search of the regex it belongs to, as a {@link java.util.regex.Matcher} is.
 */
public final class SpanMatch implements MatchResult {
    private final int[] spans;
    private String text;

    /** For a pattern of {@code groups} capturing groups. */
    public SpanMatch(int groups) {
        this.spans = new int[2 * (groups + 1)];
    }

    /** Where {@link Pcre.Code#match} writes. */
    public int[] spans() {
        return spans;
    }

    /** After a match in {@code text}: this result, now of that match. */
    public SpanMatch of(String text) {
        this.text = text;
        return this;
    }

    @Override
    public int start() {
        return start(0);
    }

    @Override
    public int start(int group) {
        check(group);
        return spans[2 * group];
    }

    @Override
    public int end() {
        return end(0);
    }

    @Override
    public int end(int group) {
        check(group);
        return spans[2 * group + 1];
    }

    @Override
    public String group() {
        return group(0);
    }

    @Override
    public String group(int group) {
        int start = start(group);
        return start < 0 ? null : text.substring(start, spans[2 * group + 1]);
    }

    @Override
    public int groupCount() {
        return spans.length / 2 - 1;
    }

    private void check(int group) {
        if (group < 0 || group > groupCount()) {
            throw new IndexOutOfBoundsException("no group " + group + " in a pattern of " + groupCount());
        }
    }
}
