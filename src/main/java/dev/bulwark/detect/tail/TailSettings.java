package dev.bulwark.detect.tail;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How a {@link FileFollower} works.
 *
 * @param pollInterval   the longest wait between two looks at the files when no change is
 *                       notified (a file system without inotify, a directory that did not
 *                       exist yet); the whole delay from an append to its delivery where
 *                       inotify does not work, so by default well under the 200 ms that
 *                       detection may take
 * @param saveInterval   how often offsets are saved while lines are read (and always at stop)
 * @param rotatedGrace   how long a file that was renamed away or deleted is still read after it
 *                       last grew, for writers that keep writing to it until they reopen
 * @param maxLineBytes   a longer line is cut to this many bytes and the rest of it skipped
 * @param maxBytesPerRead how much one look reads from one file before it turns to the others
 */
public record TailSettings(Duration pollInterval, Duration saveInterval, Duration rotatedGrace, int maxLineBytes, int maxBytesPerRead) {
    public static final TailSettings DEFAULTS = new TailSettings(Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(30),
            64 * 1024, 4 * 1024 * 1024);

    public TailSettings {
        requireNonNull(pollInterval, "pollInterval is null");
        requireNonNull(saveInterval, "saveInterval is null");
        requireNonNull(rotatedGrace, "rotatedGrace is null");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("the poll interval must be positive: " + pollInterval);
        }
        if (saveInterval.isNegative() || rotatedGrace.isNegative()) {
            throw new IllegalArgumentException("the save interval and the rotated grace cannot be negative");
        }
        if (maxLineBytes < 256) {
            throw new IllegalArgumentException("the longest line must be at least 256 bytes: " + maxLineBytes);
        }
        if (maxBytesPerRead < 64 * 1024) {
            throw new IllegalArgumentException("one read must take at least 64 KiB: " + maxBytesPerRead);
        }
    }
}
