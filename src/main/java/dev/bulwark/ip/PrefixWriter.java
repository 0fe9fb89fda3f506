package dev.bulwark.ip;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Prefixes written as text through a byte buffer in front of a stream: the lists the daemon
 * serves and writes ({@link PlainList}) and those {@code bulwark compile} prints. The callbacks
 * of {@link IpSet#forEachPrefix} cannot throw an IOException, so one raised by the stream is kept
 * and thrown by {@link #text} or {@link #flush}.
 */
public final class PrefixWriter {
    private static final byte[] NEWLINE = {'\n'};

    private final OutputStream output;
    private final byte[] buffer = new byte[1 << 16];
    private final long[] written = new long[IpFamily.values().length];
    private int position;
    private IOException failure;

    public PrefixWriter(OutputStream output) {
        this.output = output;
    }

    /** {@code head}, the prefix, a newline. */
    public void line(byte[] head, IpFamily family, long high, long low, int length) {
        line(head, family, high, low, length, NEWLINE);
    }

    /** {@code head}, the prefix, {@code tail}. */
    public void line(byte[] head, IpFamily family, long high, long low, int length, byte[] tail) {
        bytes(head);
        prefix(family, high, low, length);
        bytes(tail);
    }

    /** The prefix alone, counted. */
    public void prefix(IpFamily family, long high, long low, int length) {
        written[family.ordinal()]++;
        room(IpFormat.MAX_PREFIX_LENGTH);
        position = IpFormat.appendPrefix(buffer, position, family, high, low, length);
    }

    public void bytes(byte[] bytes) {
        if (bytes.length > buffer.length) {
            drain();
            write(bytes, bytes.length);
            return;
        }
        room(bytes.length);
        System.arraycopy(bytes, 0, buffer, position, bytes.length);
        position += bytes.length;
    }

    /** ASCII text; throws what the stream threw so far. */
    public void text(String text) throws IOException {
        bytes(text.getBytes(StandardCharsets.US_ASCII));
        rethrow();
    }

    /** Writes out the buffer and flushes the stream; throws what the stream threw. */
    public void flush() throws IOException {
        drain();
        rethrow();
        output.flush();
    }

    private void room(int needed) {
        if (buffer.length - position < needed) {
            drain();
        }
    }

    private void drain() {
        write(buffer, position);
        position = 0;
    }

    private void write(byte[] bytes, int length) {
        if (failure != null) {
            return;
        }
        try {
            output.write(bytes, 0, length);
        } catch (IOException e) {
            failure = e;
        }
    }

    private void rethrow() throws IOException {
        if (failure != null) {
            throw failure;
        }
    }

    /** How many prefixes of {@code family} were written. */
    public long written(IpFamily family) {
        return written[family.ordinal()];
    }
}
