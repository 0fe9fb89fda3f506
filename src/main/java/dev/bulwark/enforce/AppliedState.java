package dev.bulwark.enforce;

import dev.bulwark.ip.IpFamily;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
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
    private static final int VERSION = 1;

    public Elements of(IpFamily family) {
        return family == IpFamily.IPV4 ? ipv4 : ipv6;
    }

    /** The state at {@code file}, or empty if there is none; a damaged file counts as none (the next apply is then a full load). */
    public static Optional<AppliedState> read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                return Optional.empty();
            }
            String layout = in.readUTF();
            Elements ipv4 = readElements(in, IpFamily.IPV4);
            Elements ipv6 = readElements(in, IpFamily.IPV6);
            return Optional.of(new AppliedState(layout, ipv4, ipv6));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (EOFException e) {
            return Optional.empty();
        }
    }

    private static Elements readElements(DataInputStream in, IpFamily family) throws IOException {
        int count = in.readInt();
        if (count < 0) {
            throw new EOFException("negative count");
        }
        Elements elements = new Elements(family, count);
        for (int index = 0; index < count; index++) {
            long high = in.readLong();
            long low = in.readLong();
            int length = in.readByte();
            long expiry = in.readLong();
            elements.add(high, low, length, expiry);
        }
        return elements;
    }

    public void write(Path file) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, "." + file.getFileName(), ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE);
                 OutputStream raw = java.nio.channels.Channels.newOutputStream(channel);
                 DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16))) {
                out.writeInt(MAGIC);
                out.writeInt(VERSION);
                out.writeUTF(layout);
                writeElements(out, ipv4);
                writeElements(out, ipv6);
                out.flush();
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static void writeElements(DataOutputStream out, Elements elements) throws IOException {
        out.writeInt(elements.size());
        for (int index = 0; index < elements.size(); index++) {
            out.writeLong(elements.high(index));
            out.writeLong(elements.low(index));
            out.writeByte(elements.length(index));
            out.writeLong(elements.expiry(index));
        }
    }
}
