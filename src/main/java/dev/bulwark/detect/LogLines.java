package dev.bulwark.detect;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The lines of a log, read in large blocks: UTF-8 (a malformed byte becomes U+FFFD, never an
 * error), the {@code \n} or {@code \r\n} removed, a last line without its newline included.
 */
public final class LogLines {
    private static final int BLOCK = 1 << 20;

    /** What receives each line; {@code number} counts every line from 1. */
    @FunctionalInterface
    public interface Handler {
        void line(long number, String line) throws IOException;
    }

    private LogLines() {
    }

    public static long read(InputStream in, Handler handler) throws IOException {
        byte[] buffer = new byte[BLOCK];
        int filled = 0;
        long number = 0;
        while (true) {
            int read = in.read(buffer, filled, buffer.length - filled);
            if (read < 0) {
                break;
            }
            filled += read;
            int start = 0;
            for (int index = indexOf(buffer, start, filled); index >= 0; index = indexOf(buffer, start, filled)) {
                handler.line(++number, decode(buffer, start, index));
                start = index + 1;
            }
            if (start == 0 && filled == buffer.length) {
                // a line longer than the buffer: grow it
                buffer = Arrays.copyOf(buffer, buffer.length * 2);
                continue;
            }
            System.arraycopy(buffer, start, buffer, 0, filled - start);
            filled -= start;
        }
        if (filled > 0) {
            handler.line(++number, decode(buffer, 0, filled));
        }
        return number;
    }

    private static int indexOf(byte[] buffer, int from, int to) {
        for (int index = from; index < to; index++) {
            if (buffer[index] == '\n') {
                return index;
            }
        }
        return -1;
    }

    private static String decode(byte[] buffer, int start, int end) {
        if (end > start && buffer[end - 1] == '\r') {
            end--;
        }
        return new String(buffer, start, end - start, StandardCharsets.UTF_8);
    }
}
