package dev.bulwark.ip;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** An {@link IpSet} as text: one prefix a line, IPv4 ascending, then IPv6 ascending. */
public final class PlainList {
    private static final byte[] NOTHING = {};

    private PlainList() {
    }

    /** Writes the prefixes of {@code family}, or of both when it is null; returns how many. */
    public static long write(IpSet set, IpFamily family, OutputStream output) throws IOException {
        PrefixWriter out = new PrefixWriter(output);
        long written = 0;
        for (IpFamily each : IpFamily.values()) {
            if (family == null || family == each) {
                set.forEachPrefix(each, (high, low, length) -> out.line(NOTHING, each, high, low, length));
                written += out.written(each);
            }
        }
        out.flush();
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
}
