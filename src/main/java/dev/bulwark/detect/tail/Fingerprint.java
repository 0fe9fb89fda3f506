package dev.bulwark.detect.tail;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A file's first bytes, as a length and the SHA-256 of that many bytes: what tells a file from
 * another that got the same inode after the first was deleted, from itself truncated and
 * written again, and what finds the copy that {@code copytruncate} made of it.
 */
record Fingerprint(int length, String sha256) {
    /** How many first bytes identify a file: enough for the first line of any log. */
    static final int BYTES = 1024;
    static final Fingerprint NONE = of(new byte[0], 0);

    Fingerprint {
        requireNonNull(sha256, "sha256 is null");
        if (length < 0 || length > BYTES) {
            throw new IllegalArgumentException("fingerprint length out of range: " + length);
        }
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a fingerprint is 64 lower-case hex digits: " + sha256);
        }
    }

    /** The fingerprint of the first {@code min(length, BYTES)} bytes of {@code channel}, or null if it holds fewer. */
    static Fingerprint read(FileChannel channel, long length) throws IOException {
        int wanted = (int) Math.min(length, BYTES);
        ByteBuffer buffer = ByteBuffer.allocate(wanted);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, buffer.position()) <= 0) {
                return null;
            }
        }
        return of(buffer.array(), wanted);
    }

    /** Whether the file at {@code path} starts with the bytes this fingerprint was taken of. */
    boolean matches(Path path) throws IOException {
        if (length == 0) {
            return true;
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return equals(read(channel, length));
        }
    }

    /** Whether {@code channel} still starts with the bytes this fingerprint was taken of. */
    boolean matches(FileChannel channel) throws IOException {
        return length == 0 || equals(read(channel, length));
    }

    static Fingerprint of(byte[] bytes, int length) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes, 0, length);
            return new Fingerprint(length, HexFormat.of().formatHex(digest.digest()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }
}
