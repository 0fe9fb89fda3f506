package dev.bulwark.daemon;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * One bulwark at a time on a state directory: {@code bulwark run} and {@code bulwark apply}
 * each hold {@code state_dir/lock} (a POSIX record lock, which the kernel drops when the process
 * ends, crash or not: no stale lock to clean up) while they work. Two of them on one directory
 * would apply the same enforcers from two copies of their state and fetch the same feeds into
 * the same files; the second is refused instead, saying who holds it.
 */
public final class StateLock implements AutoCloseable {
    /** The lock file's name under the state directory. */
    public static final String FILE = "lock";

    private final FileChannel channel;
    private final FileLock lock;

    private StateLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Another process holds the directory. */
    public static final class Held extends IOException {
        Held(String message) {
            super(message);
        }
    }

    /**
     * Takes the lock of {@code stateDir} (created if missing, mode 0700) for {@code what} (e.g.
     * "bulwark run"), writing its pid into the file for whoever finds it held.
     *
     * @throws Held when another process (or this one) holds it
     */
    public static StateLock acquire(Path stateDir, String what) throws IOException {
        requireNonNull(stateDir, "stateDir is null");
        if (!Files.isDirectory(stateDir)) {
            Files.createDirectories(stateDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path file = stateDir.resolve(FILE);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = holder(file);
            channel.close();
            throw new Held("another bulwark" + holder + " is using the state directory " + stateDir + " (it holds " + file
                    + "): stop it first, or talk to the running daemon with bulwark ban, unban, list or status");
        }
        String note = what + " pid " + ProcessHandle.current().pid() + "\n";
        channel.truncate(0);
        channel.write(java.nio.ByteBuffer.wrap(note.getBytes(java.nio.charset.StandardCharsets.US_ASCII)), 0);
        channel.force(false);
        return new StateLock(channel, lock);
    }

    /** " (bulwark run pid 1234)" from the file the holder wrote, or "" when it cannot be read. */
    private static String holder(Path file) {
        try {
            String text = Files.readString(file).strip();
            return text.isEmpty() || text.length() > 200 || !text.matches("[\\w .-]+") ? "" : " (" + text + ")";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
