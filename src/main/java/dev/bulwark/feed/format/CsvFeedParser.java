package dev.bulwark.feed.format;

import dev.bulwark.ip.IpParser;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.bulwark.feed.format.FeedFields.ADDRESS_NAMES;
import static dev.bulwark.feed.format.FeedFields.SCORE_NAMES;
import static dev.bulwark.feed.format.FeedFields.normalize;
import static dev.bulwark.feed.format.FeedFields.parseScore;
import static dev.bulwark.feed.format.FeedFields.scoreProblem;
import static dev.bulwark.feed.format.FeedFields.shorten;
import static java.util.Objects.requireNonNull;

/**
 * CSV and TSV feeds, such as abuse.ch's Feodo Tracker and SSLBL lists: one entry a row, the
 * address in one column and perhaps a score in another.
 *
 * <p>The delimiter (comma, tab or semicolon) is the one the first line that is not a comment
 * holds most of. That line is the header when none of its fields is an address and one is a
 * column name; otherwise it is data, and the header is the last {@code #} comment before it
 * that looks like one ({@code # DstIP,DstPort} in SSLBL's 2015 files), or there is none. The
 * address column is {@link ParseOptions#column()} (a name or a 1-based number), else the
 * header column with a common address name ({@link #ADDRESS_NAMES}), else the first column
 * whose value in the first data row is an address. The score column likewise, by
 * {@link #SCORE_NAMES}; without a header there is none unless numbered.
 *
 * <p>Fields follow RFC 4180 (quotes, {@code ""} escapes, line breaks inside quotes); CRLF, a
 * byte-order mark, a missing final newline, blank lines and {@code #} comment lines anywhere
 * are accepted. Rows are scanned as bytes in place: no row becomes a String unless rejected.
 *
 * <p>A column option that names no column of the header throws
 * {@link IllegalArgumentException} from {@link #parse}, listing the header's columns.
 */
public final class CsvFeedParser implements FeedParser {
    private static final int BUFFER_SIZE = 1 << 16;
    /**
     * A record longer than this is rejected rather than buffered: most likely an unclosed quote
     * that would otherwise swallow the rest of the file.
     */
    private static final int MAX_RECORD = 1 << 20;

    // states of the field scanner
    private static final int FIELD_START = 0;
    private static final int UNQUOTED = 1;
    private static final int QUOTED = 2;
    private static final int QUOTE_IN_QUOTED = 3;
    private static final int COMMENT = 4;

    private final String column;
    private final String scoreColumn;

    public CsvFeedParser(ParseOptions options) {
        requireNonNull(options, "options is null");
        this.column = options.column();
        this.scoreColumn = options.scoreColumn();
    }

    @Override
    public void parse(InputStream input, EntrySink sink) throws IOException {
        requireNonNull(input, "input is null");
        requireNonNull(sink, "sink is null");
        new Scan(input, sink, column, scoreColumn).run();
    }

    /** The state of one parse, so that the parser itself stays immutable and shareable. */
    private static final class Scan {
        private final InputStream input;
        private final EntrySink sink;
        private final String columnOption;
        private final String scoreColumnOption;
        private final IpParser parser = new IpParser();

        private final byte[] buffer = new byte[MAX_RECORD + BUFFER_SIZE];
        private int position;
        private int limit;
        private boolean endOfInput;
        /** Physical lines before {@link #position}. */
        private long lineNumber;

        // the current record: buffer[recordStart, recordEnd) without its line break
        private int recordStart;
        private int recordEnd;
        private long recordLine;
        private boolean recordIsComment;

        private byte delimiter = ',';

        // the fields found by split(): source[fieldStarts[i], fieldEnds[i]), quotes included
        private byte[] fieldSource;
        private int[] fieldStarts = new int[16];
        private int[] fieldEnds = new int[16];

        // one field's content, set by content(): quotes and blanks removed
        private byte[] contentBytes;
        private int contentFrom;
        private int contentTo;
        private byte[] scratch = new byte[256];

        private List<String> header;
        /** The address column, 0-based; -1 until found in the first data row. */
        private int addressColumn = -1;
        /** The score column, 0-based; -1 when there is none. */
        private int scoreColumn = -1;

        Scan(InputStream input, EntrySink sink, String columnOption, String scoreColumnOption) {
            this.input = input;
            this.sink = sink;
            this.columnOption = columnOption;
            this.scoreColumnOption = scoreColumnOption;
        }

        void run() throws IOException {
            skipByteOrderMark();
            String commentedHeader = null;
            boolean foundFirstLine = false;
            while (nextRecord(false)) {
                if (recordIsComment) {
                    String comment = commentText();
                    if (looksLikeHeader(comment)) {
                        commentedHeader = comment;
                    }
                    continue;
                }
                if (!isBlank()) {
                    foundFirstLine = true;
                    break;
                }
            }
            if (!foundFirstLine) {
                return;
            }
            delimiter = detectDelimiter(buffer, recordStart, recordEnd);
            if (indexOf(buffer, recordStart, recordEnd, (byte) '"') >= 0) {
                // read the line again, now that quotes can be told from delimiters
                position = recordStart;
                lineNumber = recordLine - 1;
                nextRecord(true);
            }
            List<String> firstFields = fieldTexts(split(buffer, recordStart, recordEnd, Integer.MAX_VALUE));
            if (isHeader(firstFields)) {
                header = firstFields;
                resolveColumns();
            } else {
                if (commentedHeader != null && commentedHeader.indexOf(delimiter) >= 0) {
                    byte[] bytes = commentedHeader.getBytes(StandardCharsets.UTF_8);
                    header = fieldTexts(split(bytes, 0, bytes.length, Integer.MAX_VALUE));
                }
                resolveColumns();
                row();
            }
            while (nextRecord(true)) {
                if (!recordIsComment && !isBlank()) {
                    row();
                }
            }
        }

        /** One data row: the hot path. */
        private void row() {
            int needed = addressColumn < 0 ? Integer.MAX_VALUE : Math.max(addressColumn, scoreColumn) + 1;
            int count = split(buffer, recordStart, recordEnd, needed);
            if (addressColumn < 0 && !findAddressColumn(count)) {
                reject("no field is an IP address");
                return;
            }
            if (count <= addressColumn) {
                reject(tooFewColumns(count, addressColumn));
                return;
            }
            content(addressColumn);
            if (!parser.parseRange(contentBytes, contentFrom, contentTo)) {
                reject("column " + label(addressColumn) + ": " + parser.error());
                return;
            }
            int score = EntrySink.NO_SCORE;
            if (scoreColumn >= 0) {
                if (count <= scoreColumn) {
                    reject(tooFewColumns(count, scoreColumn));
                    return;
                }
                // the parser keeps the address while the score is read
                content(scoreColumn);
                score = parseScore(contentBytes, contentFrom, contentTo);
                if (score < EntrySink.NO_SCORE) {
                    reject(scoreProblem(score, "column " + label(scoreColumn), contentText()));
                    return;
                }
            }
            sink.entry(parser.family(), parser.firstHigh(), parser.firstLow(), parser.lastHigh(), parser.lastLow(), score, List.of());
        }

        /** Without a named address column, the first field of the first data row that is an address. */
        private boolean findAddressColumn(int count) {
            for (int field = 0; field < count; field++) {
                content(field);
                if (parser.parseRange(contentBytes, contentFrom, contentTo)) {
                    addressColumn = field;
                    return true;
                }
            }
            return false;
        }

        private void resolveColumns() {
            if (columnOption != null) {
                addressColumn = columnFromOption(columnOption, "column");
            } else if (header != null) {
                addressColumn = columnByName(ADDRESS_NAMES);
            }
            if (scoreColumnOption != null) {
                scoreColumn = columnFromOption(scoreColumnOption, "score column");
            } else if (header != null) {
                scoreColumn = columnByName(SCORE_NAMES);
            }
        }

        private int columnFromOption(String option, String what) {
            String wanted = option.trim();
            if (isNumber(wanted)) {
                int number = wanted.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(wanted);
                if (number < 1) {
                    throw new IllegalArgumentException(what + " number " + wanted + " must be 1 or more (1 is the first column)");
                }
                return number - 1;
            }
            if (header == null) {
                throw new IllegalArgumentException(what + " '" + option + "' is a name, but the feed has no header line;"
                        + " give the column's number instead (1 is the first column)");
            }
            String normalized = normalize(wanted);
            for (int index = 0; index < header.size(); index++) {
                if (normalize(header.get(index)).equals(normalized)) {
                    return index;
                }
            }
            throw new IllegalArgumentException(what + " '" + option + "' is not in the feed's header; its columns are: "
                    + String.join(", ", header));
        }

        /** The header column whose name comes first in {@code names}, or -1. */
        private int columnByName(List<String> names) {
            int best = -1;
            int bestRank = Integer.MAX_VALUE;
            for (int index = 0; index < header.size(); index++) {
                int rank = names.indexOf(normalize(header.get(index)));
                if (rank >= 0 && rank < bestRank) {
                    best = index;
                    bestRank = rank;
                }
            }
            return best;
        }

        /**
         * A first line is a header when none of its fields is an address and one of them is a
         * known column name or at least looks like a name (a word, not a number or host name).
         */
        private boolean isHeader(List<String> fields) {
            boolean named = false;
            for (int index = 0; index < fields.size(); index++) {
                content(index);
                if (parser.parseRange(contentBytes, contentFrom, contentTo)) {
                    return false;
                }
                String field = fields.get(index);
                named |= isColumnName(normalize(field)) || looksLikeName(field);
            }
            return named;
        }

        private boolean isColumnName(String normalized) {
            return ADDRESS_NAMES.contains(normalized) || SCORE_NAMES.contains(normalized)
                    || (columnOption != null && normalize(columnOption).equals(normalized))
                    || (scoreColumnOption != null && normalize(scoreColumnOption).equals(normalized));
        }

        /** A comment is a header when it holds a delimiter and a known column name. */
        private boolean looksLikeHeader(String comment) {
            if (comment.indexOf(',') < 0 && comment.indexOf('\t') < 0 && comment.indexOf(';') < 0) {
                return false;
            }
            for (String name : comment.split("[,\t;]")) {
                if (isColumnName(normalize(name.replace("\"", "").trim()))) {
                    return true;
                }
            }
            return false;
        }

        private String commentText() {
            int from = recordStart + 1;
            return new String(buffer, from, recordEnd - from, StandardCharsets.UTF_8).trim();
        }

        private boolean isBlank() {
            for (int index = recordStart; index < recordEnd; index++) {
                byte c = buffer[index];
                if (c != ' ' && c != '\t' && c != '\r') {
                    return false;
                }
            }
            return true;
        }

        /**
         * Finds the next record at {@link #position}, setting {@link #recordStart},
         * {@link #recordEnd}, {@link #recordLine} and {@link #recordIsComment}; false at the end
         * of the input. With quotes honoured a line break inside a quoted field belongs to the
         * record, as RFC 4180 has it.
         */
        private boolean nextRecord(boolean honourQuotes) throws IOException {
            byte separator = delimiter;
            int index = position;
            int state = FIELD_START;
            int breaks = 0;
            while (true) {
                if (index == limit) {
                    if (endOfInput) {
                        return index != position && finishRecord(index, index, breaks, state == COMMENT);
                    }
                    index -= compact();
                    if (limit >= MAX_RECORD) {
                        skipLongRecord();
                        index = position;
                        state = FIELD_START;
                        breaks = 0;
                        continue;
                    }
                    fill();
                    continue;
                }
                byte c = buffer[index];
                if (state == QUOTED) {
                    if (c == '"') {
                        state = QUOTE_IN_QUOTED;
                    } else if (c == '\n') {
                        breaks++;
                    }
                } else if (c == '\n') {
                    return finishRecord(index, index + 1, breaks, state == COMMENT);
                } else if (state == COMMENT) {
                    // a comment runs to the end of its line
                } else if (c == separator) {
                    state = FIELD_START;
                } else if (c == '"' && honourQuotes && (state == FIELD_START || state == QUOTE_IN_QUOTED)) {
                    // opening quote, or the second quote of a "" escape
                    state = QUOTED;
                } else if (c == '#' && index == position) {
                    state = COMMENT;
                } else {
                    state = UNQUOTED;
                }
                index++;
            }
        }

        private boolean finishRecord(int contentEnd, int next, int breaks, boolean comment) {
            recordStart = position;
            recordEnd = contentEnd > position && buffer[contentEnd - 1] == '\r' ? contentEnd - 1 : contentEnd;
            recordLine = lineNumber + 1;
            recordIsComment = comment;
            lineNumber += 1 + breaks;
            position = next;
            return true;
        }

        /** Rejects the record at {@link #position}, too long to buffer, and resumes after its first line. */
        private void skipLongRecord() throws IOException {
            lineNumber++;
            sink.rejected(lineNumber, shorten(buffer, position, limit),
                    "record longer than " + (MAX_RECORD >> 20) + " MiB (an unclosed quote?)");
            int newline = indexOf(buffer, position, limit, (byte) '\n');
            while (newline < 0) {
                position = 0;
                limit = 0;
                fill();
                if (endOfInput) {
                    return;
                }
                newline = indexOf(buffer, 0, limit, (byte) '\n');
            }
            position = newline + 1;
        }

        /** Moves the unread bytes to the front of the buffer; returns how far they moved. */
        private int compact() {
            int moved = position;
            if (moved > 0) {
                System.arraycopy(buffer, position, buffer, 0, limit - position);
                limit -= moved;
                position = 0;
            }
            return moved;
        }

        private void fill() throws IOException {
            int read = input.read(buffer, limit, buffer.length - limit);
            if (read < 0) {
                endOfInput = true;
            } else {
                limit += read;
            }
        }

        private void skipByteOrderMark() throws IOException {
            while (limit < 3 && !endOfInput) {
                fill();
            }
            if (limit >= 3 && buffer[0] == (byte) 0xEF && buffer[1] == (byte) 0xBB && buffer[2] == (byte) 0xBF) {
                position = 3;
            }
        }

        /**
         * Splits {@code bytes[from, to)} into at most {@code maxFields} fields; returns how many it
         * found (when that is {@code maxFields}, there may be more).
         */
        private int split(byte[] bytes, int from, int to, int maxFields) {
            fieldSource = bytes;
            byte separator = delimiter;
            int count = 0;
            int start = from;
            int state = FIELD_START;
            for (int index = from; index < to; index++) {
                byte c = bytes[index];
                if (state == QUOTED) {
                    if (c == '"') {
                        state = QUOTE_IN_QUOTED;
                    }
                } else if (c == separator) {
                    addField(count++, start, index);
                    if (count == maxFields) {
                        return count;
                    }
                    start = index + 1;
                    state = FIELD_START;
                } else if (c == '"' && (state == FIELD_START || state == QUOTE_IN_QUOTED)) {
                    state = QUOTED;
                } else {
                    state = UNQUOTED;
                }
            }
            addField(count++, start, to);
            return count;
        }

        private void addField(int index, int start, int end) {
            if (index == fieldStarts.length) {
                fieldStarts = Arrays.copyOf(fieldStarts, index * 2);
                fieldEnds = Arrays.copyOf(fieldEnds, index * 2);
            }
            fieldStarts[index] = start;
            fieldEnds[index] = end;
        }

        /** Sets {@link #contentBytes}[{@link #contentFrom}, {@link #contentTo}) to a field's text. */
        private void content(int field) {
            byte[] bytes = fieldSource;
            int from = skipBlanks(bytes, fieldStarts[field], fieldEnds[field]);
            int to = trimBlanks(bytes, from, fieldEnds[field]);
            if (from < to && bytes[from] == '"') {
                int close = indexOf(bytes, from + 1, to, (byte) '"');
                if (close == to - 1) {
                    // "text" without escapes: use it in place
                    setContent(bytes, from + 1, close);
                    return;
                }
                unquote(bytes, from, to);
                return;
            }
            setContent(bytes, from, to);
        }

        /** A quoted field with {@code ""} escapes or text after its closing quote, copied out. */
        private void unquote(byte[] bytes, int from, int to) {
            if (scratch.length < to - from) {
                scratch = new byte[to - from];
            }
            int length = 0;
            boolean quoted = true;
            for (int index = from + 1; index < to; index++) {
                byte c = bytes[index];
                if (quoted && c == '"') {
                    if (index + 1 < to && bytes[index + 1] == '"') {
                        scratch[length++] = '"';
                        index++;
                    } else {
                        quoted = false;
                    }
                    continue;
                }
                scratch[length++] = c;
            }
            setContent(scratch, 0, length);
        }

        private void setContent(byte[] bytes, int from, int to) {
            int begin = skipBlanks(bytes, from, to);
            contentBytes = bytes;
            contentFrom = begin;
            contentTo = trimBlanks(bytes, begin, to);
        }

        private String contentText() {
            return new String(contentBytes, contentFrom, contentTo - contentFrom, StandardCharsets.UTF_8);
        }

        private List<String> fieldTexts(int count) {
            List<String> texts = new ArrayList<>(count);
            for (int field = 0; field < count; field++) {
                content(field);
                texts.add(contentText());
            }
            return texts;
        }

        private String label(int column) {
            return header != null && column < header.size() ? header.get(column) : String.valueOf(column + 1);
        }

        private String tooFewColumns(int count, int column) {
            return "row has " + count + (count == 1 ? " column" : " columns") + "; column " + label(column)
                    + " is column " + (column + 1);
        }

        private void reject(String reason) {
            sink.rejected(recordLine, shorten(buffer, recordStart, recordEnd), reason);
        }
    }

    private static boolean looksLikeName(String field) {
        if (field.isEmpty() || !isAsciiLetter(field.charAt(0))) {
            return false;
        }
        return field.indexOf('.') < 0 && field.indexOf(':') < 0;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isNumber(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int index = 0; index < text.length(); index++) {
            if (text.charAt(index) < '0' || text.charAt(index) > '9') {
                return false;
            }
        }
        return true;
    }

    /** The delimiter the line holds most of outside quotes: comma, tab or semicolon; comma on a tie. */
    private static byte detectDelimiter(byte[] bytes, int from, int to) {
        int commas = 0;
        int tabs = 0;
        int semicolons = 0;
        boolean quoted = false;
        for (int index = from; index < to; index++) {
            byte c = bytes[index];
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted) {
                if (c == ',') {
                    commas++;
                } else if (c == '\t') {
                    tabs++;
                } else if (c == ';') {
                    semicolons++;
                }
            }
        }
        if (tabs > commas && tabs >= semicolons) {
            return '\t';
        }
        if (semicolons > commas) {
            return ';';
        }
        return ',';
    }

    private static int skipBlanks(byte[] bytes, int from, int to) {
        int index = from;
        while (index < to && (bytes[index] == ' ' || bytes[index] == '\t')) {
            index++;
        }
        return index;
    }

    private static int trimBlanks(byte[] bytes, int from, int to) {
        int end = to;
        while (end > from && (bytes[end - 1] == ' ' || bytes[end - 1] == '\t')) {
            end--;
        }
        return end;
    }

    private static int indexOf(byte[] bytes, int from, int to, byte wanted) {
        for (int index = from; index < to; index++) {
            if (bytes[index] == wanted) {
                return index;
            }
        }
        return -1;
    }
}
