package dev.bulwark.enforce.file;

import static java.util.Objects.requireNonNull;

import dev.bulwark.enforce.ApplyReport;
import dev.bulwark.enforce.DropCounters;
import dev.bulwark.enforce.EnforceException;
import dev.bulwark.enforce.Enforcer;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpSet;
import dev.bulwark.ip.PlainList;
import dev.bulwark.policy.Snapshot;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * Writes the blocklist to a file, one prefix a line: an External Dynamic List for appliances
 * and web servers that read files. Replaced atomically (a temporary file in the same directory,
 * fsynced, then renamed over it), and only when its content changes, so that readers polling its
 * modification time see a change exactly when there is one.
 */
public final class FileEnforcer implements Enforcer {
    private final Path path;
    private final IpFamily family;

    /** {@code family} null for both. */
    public FileEnforcer(Path path, IpFamily family) {
        this.path = requireNonNull(path, "path is null").toAbsolutePath();
        this.family = family;
    }

    @Override
    public String name() {
        return "file:" + path;
    }

    @Override
    public ApplyReport apply(Snapshot desired, Instant now) throws EnforceException {
        long started = System.nanoTime();
        IpSet blocked = desired.blockedAt(now);
        byte[] content = PlainList.bytes(blocked, family);
        long lines = count(content);
        byte[] existing = readExisting();
        if (existing != null && Arrays.equals(existing, content)) {
            return new ApplyReport(name(), false, null, 0, 0, 0, lines, 0, lines, Duration.ofNanos(System.nanoTime() - started));
        }
        Path directory = path.getParent();
        try {
            Files.createDirectories(directory);
            Path temporary = Files.createTempFile(directory, "." + path.getFileName(), ".tmp");
            try {
                try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    channel.write(java.nio.ByteBuffer.wrap(content));
                    channel.force(true);
                }
                Files.setPosixFilePermissions(temporary, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
                try {
                    Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException("the file system of " + directory + " cannot rename atomically", e);
                }
            } finally {
                Files.deleteIfExists(temporary);
            }
            try (FileChannel directoryChannel = FileChannel.open(directory, StandardOpenOption.READ)) {
                directoryChannel.force(true);
            }
        } catch (IOException e) {
            throw new EnforceException("cannot write the blocklist file " + path + ": " + e.getMessage()
                    + "; the previous file stays. Check that the directory exists and is writable.", e);
        }
        long before = existing == null ? 0 : count(existing);
        // a file is rewritten whole: the report counts its lines before and after
        return new ApplyReport(name(), true, existing == null ? "new file" : "rewritten", lines, before, 0, 0, 0, lines,
                Duration.ofNanos(System.nanoTime() - started));
    }

    private byte[] readExisting() {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            return null;
        }
    }

    private static long count(byte[] content) {
        long lines = 0;
        for (byte value : content) {
            if (value == '\n') {
                lines++;
            }
        }
        return lines;
    }

    /** Takes the file away. */
    @Override
    public void remove() throws EnforceException {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new EnforceException("cannot delete " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public DropCounters counters() {
        return null;
    }
}
