package dev.bulwark.feed.format;

import static dev.bulwark.feed.format.FeedFields.SHOWN_TEXT;
import static dev.bulwark.feed.format.FeedFields.shorten;

import dev.bulwark.ip.IpParser;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * One entry a line, as in FireHOL netsets, Spamhaus DROP, ipsum and most plain blocklists: the
 * entry is the first token of the line (an address, a prefix or a range, also written
 * {@code a - b}); whatever follows it (ipsum's count, DROP's {@code ; SBL123}) is ignored.
 * Comments start with {@code #}, {@code ;} or {@code //}, whole-line or trailing. CRLF, a
 * byte-order mark and blank lines are accepted. The scan works on raw bytes; no line becomes a
 * String unless it is rejected.
 */
public final class TextFeedParser implements FeedParser {
    private static final int BUFFER_SIZE = 1 << 16;
    /** A line longer than this is no feed entry; it is rejected rather than buffered. */
    private static final int MAX_LINE = 1 << 16;

    @Override
    public void parse(InputStream input, EntrySink sink) throws IOException {
        IpParser parser = new IpParser();
        byte[] buffer = new byte[BUFFER_SIZE + MAX_LINE];
        int start = 0;
        int limit = 0;
        long lineNumber = 0;
        boolean firstLine = true;
        boolean skippingLongLine = false;
        boolean endOfInput = false;
        while (true) {
            int newline = indexOfNewline(buffer, start, limit);
            if (newline < 0 && !endOfInput) {
                // move the partial line to the front and read more
                if (start > 0) {
                    System.arraycopy(buffer, start, buffer, 0, limit - start);
                    limit -= start;
                    start = 0;
                }
                if (limit - start >= MAX_LINE) {
                    lineNumber++;
                    if (!skippingLongLine) {
                        sink.rejected(lineNumber, shorten(buffer, start, Math.min(limit, start + SHOWN_TEXT)), "line longer than " + MAX_LINE + " bytes");
                    }
                    skippingLongLine = true;
                    lineNumber--;
                    limit = 0;
                    continue;
                }
                int read = input.read(buffer, limit, buffer.length - limit);
                if (read < 0) {
                    endOfInput = true;
                } else {
                    limit += read;
                }
                continue;
            }
            int lineEnd = newline < 0 ? limit : newline;
            if (newline < 0 && start == lineEnd) {
                return;
            }
            lineNumber++;
            if (skippingLongLine) {
                skippingLongLine = false;
            } else if (lineEnd - start > MAX_LINE) {
                // the same verdict whether the long line arrived in one read or in many
                sink.rejected(lineNumber, shorten(buffer, start, start + SHOWN_TEXT), "line longer than " + MAX_LINE + " bytes");
            } else {
                int from = start;
                if (firstLine && lineEnd - from >= 3 && buffer[from] == (byte) 0xEF && buffer[from + 1] == (byte) 0xBB && buffer[from + 2] == (byte) 0xBF) {
                    from += 3;
                }
                parseLine(buffer, from, lineEnd, lineNumber, parser, sink);
            }
            firstLine = false;
            if (newline < 0) {
                return;
            }
            start = newline + 1;
        }
    }

    private static void parseLine(byte[] line, int from, int to, long lineNumber, IpParser parser, EntrySink sink) {
        int begin = skipBlanks(line, from, to);
        if (begin == to || isCommentStart(line, begin, to)) {
            return;
        }
        int tokenEnd = tokenEnd(line, begin, to);
        int rangeEnd = spacedRangeEnd(line, tokenEnd, to);
        if (rangeEnd > 0) {
            // "a - b": let the parser see "a-b" without the blanks
            byte[] joined = joinRange(line, begin, tokenEnd, rangeEnd);
            if (parser.parseRange(joined, 0, joined.length)) {
                deliver(parser, sink);
                return;
            }
        } else if (parser.parseRange(line, begin, tokenEnd)) {
            deliver(parser, sink);
            return;
        }
        sink.rejected(lineNumber, shorten(line, begin, Math.min(trimEnd(line, begin, to), begin + SHOWN_TEXT)), parser.error());
    }

    private static void deliver(IpParser parser, EntrySink sink) {
        sink.entry(parser.family(), parser.firstHigh(), parser.firstLow(), parser.lastHigh(), parser.lastLow(), EntrySink.NO_SCORE, List.of());
    }

    /** End of a {@code " - b"} after the first token, or -1 when the line has no spaced range. */
    private static int spacedRangeEnd(byte[] line, int tokenEnd, int to) {
        int dash = skipBlanks(line, tokenEnd, to);
        if (dash == tokenEnd || dash >= to || line[dash] != '-') {
            return -1;
        }
        int second = skipBlanks(line, dash + 1, to);
        if (second >= to || isCommentStart(line, second, to)) {
            return -1;
        }
        return tokenEnd(line, second, to);
    }

    private static byte[] joinRange(byte[] line, int begin, int tokenEnd, int rangeEnd) {
        int dash = skipBlanks(line, tokenEnd, rangeEnd);
        int second = skipBlanks(line, dash + 1, rangeEnd);
        byte[] joined = new byte[(tokenEnd - begin) + 1 + (rangeEnd - second)];
        System.arraycopy(line, begin, joined, 0, tokenEnd - begin);
        joined[tokenEnd - begin] = '-';
        System.arraycopy(line, second, joined, tokenEnd - begin + 1, rangeEnd - second);
        return joined;
    }

    private static int tokenEnd(byte[] line, int from, int to) {
        int index = from;
        while (index < to) {
            byte c = line[index];
            if (c == ' ' || c == '\t' || c == '\r' || c == '#' || c == ';' || c == ',') {
                return index;
            }
            index++;
        }
        return index;
    }

    private static boolean isCommentStart(byte[] line, int at, int to) {
        byte c = line[at];
        return c == '#' || c == ';' || (c == '/' && at + 1 < to && line[at + 1] == '/');
    }

    private static int skipBlanks(byte[] line, int from, int to) {
        int index = from;
        while (index < to && (line[index] == ' ' || line[index] == '\t' || line[index] == '\r')) {
            index++;
        }
        return index;
    }

    private static int trimEnd(byte[] line, int from, int to) {
        int end = to;
        while (end > from && (line[end - 1] == '\r' || line[end - 1] == ' ' || line[end - 1] == '\t')) {
            end--;
        }
        return end;
    }

    private static int indexOfNewline(byte[] buffer, int from, int to) {
        for (int index = from; index < to; index++) {
            if (buffer[index] == '\n') {
                return index;
            }
        }
        return -1;
    }
}
