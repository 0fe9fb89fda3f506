package dev.bulwark.detect.time;

import java.util.Arrays;
import java.util.regex.MatchResult;

/** What a {@link FastDate} search found (as a {@link MatchResult}), and its scratch space. */
final class FastMatch implements MatchResult {
    private static final int MOST_CANDIDATES = 16;

    String line;
    /** Where the searched text ends (the line may be longer). */
    int end;
    private final int[] starts;
    private final int[] ends;
    final int[][] candidates;
    final int[] spare = new int[MOST_CANDIDATES];

    /** No year in the date (for {@link #parsedYear}). */
    static final int NO_YEAR = -1;
    /** The fields were read by {@link CommonDates} (below), not left in groups. */
    boolean parsed;
    int parsedYear;
    int parsedMonth;
    int parsedDay;
    int parsedHour;
    int parsedMinute;
    int parsedSecond;
    /** The zone's text, or -1. */
    int zoneStart;
    int zoneEnd;

    FastMatch(int groupCount, int steps) {
        starts = new int[groupCount + 1];
        ends = new int[groupCount + 1];
        candidates = new int[steps][MOST_CANDIDATES];
    }

    private FastMatch(FastMatch match) {
        line = match.line;
        end = match.end;
        parsed = match.parsed;
        parsedYear = match.parsedYear;
        parsedMonth = match.parsedMonth;
        parsedDay = match.parsedDay;
        parsedHour = match.parsedHour;
        parsedMinute = match.parsedMinute;
        parsedSecond = match.parsedSecond;
        zoneStart = match.zoneStart;
        zoneEnd = match.zoneEnd;
        starts = match.starts.clone();
        ends = match.ends.clone();
        candidates = new int[0][];
    }

    void begin(String text, int textEnd) {
        line = text;
        end = textEnd;
        Arrays.fill(starts, -1);
        Arrays.fill(ends, -1);
    }

    /** The character at {@code index} of the searched text, or -1 outside it. */
    int charAt(int index) {
        return index >= 0 && index < end ? line.charAt(index) : -1;
    }

    void set(int group, int start, int stop) {
        starts[group] = start;
        ends[group] = stop;
    }

    void unset(int group) {
        starts[group] = -1;
        ends[group] = -1;
    }

    FastMatch copy() {
        return new FastMatch(this);
    }

    @Override
    public int start() {
        return starts[0];
    }

    @Override
    public int start(int group) {
        return starts[group];
    }

    @Override
    public int end() {
        return ends[0];
    }

    @Override
    public int end(int group) {
        return ends[group];
    }

    @Override
    public String group() {
        return group(0);
    }

    @Override
    public String group(int group) {
        return starts[group] < 0 ? null : line.substring(starts[group], ends[group]);
    }

    @Override
    public int groupCount() {
        return starts.length - 1;
    }
}
