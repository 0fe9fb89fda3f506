package dev.bulwark.enforce;

import dev.bulwark.ip.IpFormat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** A byte buffer in front of a program's stdin, for scripts of a million elements: no String per element. */
public final class ScriptOutput {
    private final OutputStream output;
    private final byte[] buffer = new byte[1 << 16];
    private int position;

    public ScriptOutput(OutputStream output) {
        this.output = output;
    }

    public ScriptOutput text(String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > buffer.length) {
            flushBuffer();
            output.write(bytes);
            return this;
        }
        room(bytes.length);
        System.arraycopy(bytes, 0, buffer, position, bytes.length);
        position += bytes.length;
        return this;
    }

    public ScriptOutput element(Elements elements, int index) throws IOException {
        room(IpFormat.MAX_PREFIX_LENGTH);
        position = IpFormat.appendPrefix(buffer, position, elements.family(), elements.high(index), elements.low(index), elements.length(index));
        return this;
    }

    public ScriptOutput number(long value) throws IOException {
        return text(Long.toString(value));
    }

    public void flush() throws IOException {
        flushBuffer();
        output.flush();
    }

    private void room(int needed) throws IOException {
        if (buffer.length - position < needed) {
            flushBuffer();
        }
    }

    private void flushBuffer() throws IOException {
        output.write(buffer, 0, position);
        position = 0;
    }
}
