package dev.bulwark.ip;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** An {@link IpSet} as text: one prefix a line, IPv4 ascending, then IPv6 ascending. */
public final class PlainList {
    private PlainList() {
    }

    /** Writes the prefixes of {@code family}, or of both when it is null; returns how many. */
    public static long write(IpSet set, IpFamily family, OutputStream output) throws IOException {
        long written = 0;
        byte[] buffer = new byte[1 << 16];
        int[] position = {0};
        IOException[] failure = new IOException[1];
        long[] count = {0};
        for (IpFamily each : IpFamily.values()) {
            if (family != null && family != each) {
                continue;
            }
            set.forEachPrefix(each, (high, low, length) -> {
                if (buffer.length - position[0] < IpFormat.MAX_PREFIX_LENGTH + 1) {
                    position[0] = drain(output, buffer, position[0], failure);
                }
                position[0] = IpFormat.appendPrefix(buffer, position[0], each, high, low, length);
                buffer[position[0]++] = '\n';
                count[0]++;
            });
            written = count[0];
        }
        drain(output, buffer, position[0], failure);
        if (failure[0] != null) {
            throw failure[0];
        }
        return written;
    }

    /** The text as bytes. */
    public static byte[] bytes(IpSet set, IpFamily family) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try {
            write(set, family, output);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return output.toByteArray();
    }

    private static int drain(OutputStream output, byte[] buffer, int position, IOException[] failure) {
        if (failure[0] == null && position > 0) {
            try {
                output.write(buffer, 0, position);
            } catch (IOException e) {
                failure[0] = e;
            }
        }
        return 0;
    }
}
