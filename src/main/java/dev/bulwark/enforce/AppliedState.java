package dev.bulwark.enforce;

import dev.bulwark.ip.IpFamily;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * What an enforcer last put into the kernel, kept in the state directory so that the next apply
 * computes the difference without listing the kernel's sets (listing a million elements takes
 * nft tens of seconds). {@code layout} describes the rules and set parameters the elements were
 * applied with; a different layout means a full load. Written to a temporary file, synced, then
 * renamed over the old one, so a crash leaves the old state or the new, never half of one.
 */
public record AppliedState(String layout, Elements ipv4, Elements ipv6) {
    private static final int MAGIC = 0x42575354; // "BWST"
    private static final int VERSION = 2;

    public Elements of(IpFamily family) {
        return family == IpFamily.IPV4 ? ipv4 : ipv6;
    }

    /** The state at {@code file}, or empty if there is none; a damaged file counts as none (the next apply is then a full load). */
    public static Optional<AppliedState> read(Path file) throws IOException {
        ByteBuffer buffer;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE) {
                return Optional.empty();
            }
            buffer = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // read the whole file: one large read instead of millions of small ones
            }
            buffer.flip();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            if (buffer.getInt() != MAGIC || buffer.getInt() != VERSION) {
                return Optional.empty();
            }
            byte[] layout = new byte[buffer.getInt()];
            buffer.get(layout);
            Elements ipv4 = readElements(buffer, IpFamily.IPV4);
            Elements ipv6 = readElements(buffer, IpFamily.IPV6);
            if (buffer.hasRemaining()) {
                return Optional.empty();
            }
            return Optional.of(new AppliedState(new String(layout, StandardCharsets.UTF_8), ipv4, ipv6));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Column by column (all highs, all lows, ...), little-endian like the machines it runs on, so that each column is one bulk copy. */
    private static Elements readElements(ByteBuffer buffer, IpFamily family) {
        int count = buffer.getInt();
        if (count < 0 || (long) count * 25 > buffer.remaining()) {
            throw new IllegalArgumentException("bad count " + count);
        }
        long[] high = new long[count];
        long[] low = new long[count];
        byte[] length = new byte[count];
        long[] expiry = new long[count];
        buffer.asLongBuffer().get(high);
        buffer.position(buffer.position() + count * 8);
        buffer.asLongBuffer().get(low);
        buffer.position(buffer.position() + count * 8);
        buffer.get(length);
        buffer.asLongBuffer().get(expiry);
        buffer.position(buffer.position() + count * 8);
        return Elements.wrap(family, high, low, length, expiry, count);
    }

    public void write(Path file) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, "." + file.getFileName(), ".tmp");
        try {
            byte[] layoutBytes = layout.getBytes(StandardCharsets.UTF_8);
            ByteBuffer buffer = ByteBuffer.allocate(20 + layoutBytes.length + 25 * (ipv4.size() + ipv6.size())).order(ByteOrder.LITTLE_ENDIAN);
            buffer.putInt(MAGIC).putInt(VERSION).putInt(layoutBytes.length).put(layoutBytes);
            writeElements(buffer, ipv4);
            writeElements(buffer, ipv6);
            buffer.flip();
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static void writeElements(ByteBuffer buffer, Elements elements) {
        int count = elements.size();
        buffer.putInt(count);
        for (int index = 0; index < count; index++) {
            buffer.putLong(elements.high(index));
        }
        for (int index = 0; index < count; index++) {
            buffer.putLong(elements.low(index));
        }
        for (int index = 0; index < count; index++) {
            buffer.put((byte) elements.length(index));
        }
        for (int index = 0; index < count; index++) {
            buffer.putLong(elements.expiry(index));
        }
    }
}
