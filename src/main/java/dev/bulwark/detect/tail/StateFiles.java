package dev.bulwark.detect.tail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Writing a small state file so that a crash or a power loss leaves the old content or the new, whole. */
final class StateFiles {
    static final String TEMP_SUFFIX = ".tmp";

    private StateFiles() {
    }

    /** Writes {@code bytes} to a temporary file beside {@code file}, syncs it, renames it over {@code file} and syncs the directory. */
    static void write(Path file, byte[] bytes) throws IOException {
        Path directory = file.getParent();
        Files.createDirectories(directory);
        Path temp = directory.resolve(file.getFileName() + TEMP_SUFFIX);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
