package dev.bulwark.detect.tail;

import static java.util.Objects.requireNonNull;

/**
 * One file a {@link FileFollower} reads, as it stands.
 *
 * @param source   the source's name
 * @param path     the file's name when last looked at
 * @param offset   just past its last delivered line
 * @param rotated  renamed away from the configured paths or deleted, read until it is quiet
 * @param cutLines lines longer than the limit, delivered cut
 */
public record FileStatus(String source, String path, long offset, boolean rotated, long cutLines) {
    public FileStatus {
        requireNonNull(source, "source is null");
        requireNonNull(path, "path is null");
    }
}
