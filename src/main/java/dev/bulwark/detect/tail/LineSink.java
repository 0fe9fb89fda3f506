package dev.bulwark.detect.tail;

import java.time.Instant;

/**
 * Where followed lines go. Each call is one complete line, in the order it was written within
 * one file or journal. A {@link FileFollower} calls it from its one thread for all its files;
 * each {@link JournalFollower} from its own thread, so a sink shared between them must be safe
 * for that.
 *
 * <p><b>Delivery is at least once.</b> A line counts as delivered when {@link #line} returns;
 * offsets (and journal cursors) are saved only for delivered lines, and only after
 * {@link #checkpoint} has returned. After a clean stop, a restart neither repeats nor misses a
 * line. After a crash, the lines delivered since the last save are delivered again: exactly
 * once would need the sink's effect and the offset to be committed together, which a jail's
 * counters in memory cannot be. A sink that hands lines on asynchronously makes them durable
 * (or processed) in {@code checkpoint}; one that works inside {@code line} need not override it.
 *
 * <p>A {@code line} that throws is logged and counted, and the line counts as delivered: one
 * line the sink cannot handle must not stop a log from being read.
 */
public interface LineSink {
    /**
     * One complete line.
     *
     * @param source the configured source's name (the jail), as given in {@link FileSource} or
     *               {@link JournalSource}
     * @param origin where it was read: the file's path at the moment it was read, or
     *               {@code journal}
     * @param line   the line without its end ({@code \n} or {@code \r\n}), decoded as UTF-8 with
     *               malformed bytes replaced by U+FFFD; for the journal, the line fail2ban builds
     *               ({@code HOST IDENT[PID]: MESSAGE}, without the time text)
     * @param time   when the source recorded it: the journal entry's realtime timestamp; null for
     *               a file line, whose time is in its text
     */
    void line(String source, String origin, String line, Instant time);

    /**
     * Called before offsets are saved: everything delivered so far must be processed or
     * durable when this returns. If it throws, the offsets are not saved this time (and the
     * lines since the last save will be delivered again after a crash).
     */
    default void checkpoint() throws Exception {
    }
}
