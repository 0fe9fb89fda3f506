package dev.bulwark.detect.tail;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Cuts a stream of bytes into lines: a line ends at {@code \n}, a {@code \r} before it is
 * dropped, and the bytes after the last {@code \n} wait for the rest of their line. Each line is
 * decoded as UTF-8 with malformed bytes replaced, which never throws.
 *
 * <p>A line longer than the limit is handed on cut to the limit, and the rest of it, up to its
 * {@code \n}, is dropped, not handed on as lines of its own: a piece from the middle of a line
 * would start where an attacker chose, and a filter anchored at the start of a line could match it.
 */
final class LineAssembler {
    /** Receives the lines. */
    interface Receiver {
        void line(String line);
    }

    private final int maxLineBytes;
    private byte[] pending = new byte[256];
    private int pendingLength;
    /** The rest of an overlong line is being dropped, up to its newline. */
    private boolean skipping;
    private long cutLines;

    LineAssembler(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Hands every line that {@code bytes[0, length)} completes to {@code receiver}; keeps the
     * rest. Returns the index just past the last {@code \n} in the range, or 0 if it has none.
     */
    int accept(byte[] bytes, int length, Receiver receiver) {
        int start = 0;
        for (int i = 0; i < length; i++) {
            if (bytes[i] == '\n') {
                complete(bytes, start, i, receiver);
                start = i + 1;
            }
        }
        keep(bytes, start, length, receiver);
        return start;
    }

    /** Hands on the bytes waiting for their newline as a last line (the file is done); returns whether there were any. */
    boolean finish(Receiver receiver) {
        boolean any = !skipping && pendingLength > 0;
        if (any) {
            emit(pending, 0, pendingLength, receiver);
        }
        reset();
        return any;
    }

    /** Forgets the bytes waiting for their newline (the file was truncated under them). */
    void reset() {
        pendingLength = 0;
        skipping = false;
    }

    /** Drops bytes up to the next newline: reading starts in the middle of a line. */
    void skipToNextLine() {
        pendingLength = 0;
        skipping = true;
    }

    /** Whether the bytes up to the next newline are being dropped. */
    boolean skipping() {
        return skipping;
    }

    /** How many lines were cut to the limit. */
    long cutLines() {
        return cutLines;
    }

    private void complete(byte[] bytes, int from, int to, Receiver receiver) {
        if (skipping) {
            skipping = false;
            pendingLength = 0;
            return;
        }
        if (pendingLength == 0) {
            emit(bytes, from, to, receiver);
            return;
        }
        if (pendingLength + to - from > maxLineBytes) {
            cutLines++;
        }
        append(bytes, from, to);
        emit(pending, 0, pendingLength, receiver);
        pendingLength = 0;
    }

    private void keep(byte[] bytes, int from, int to, Receiver receiver) {
        if (skipping || from == to) {
            return;
        }
        append(bytes, from, to);
        if (pendingLength >= maxLineBytes) {
            cutLines++;
            emit(pending, 0, pendingLength, receiver);
            pendingLength = 0;
            skipping = true;
        }
    }

    private void append(byte[] bytes, int from, int to) {
        int length = Math.min(to - from, maxLineBytes - pendingLength);
        if (pendingLength + length > pending.length) {
            pending = Arrays.copyOf(pending, Math.min(maxLineBytes, Math.max(pending.length * 2, pendingLength + length)));
        }
        System.arraycopy(bytes, from, pending, pendingLength, length);
        pendingLength += length;
    }

    private void emit(byte[] bytes, int from, int to, Receiver receiver) {
        int end = to;
        if (end > from && bytes[end - 1] == '\r') {
            end--;
        }
        if (end - from > maxLineBytes) {
            end = from + maxLineBytes;
            cutLines++;
        }
        receiver.line(new String(bytes, from, end - from, StandardCharsets.UTF_8));
    }
}
