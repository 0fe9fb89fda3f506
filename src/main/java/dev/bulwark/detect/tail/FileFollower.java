package dev.bulwark.detect.tail;

import static java.util.Objects.requireNonNull;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Follows the files of many {@link FileSource}s and hands their complete lines to a
 * {@link LineSink}, surviving rotation by rename and create, by copytruncate, deletion and
 * files that appear later. Files are known by their device and inode and their first bytes,
 * not their names (see {@link SourceTail}); offsets are saved under
 * {@code <stateDir>/tail/<source>.json} every {@link TailSettings#saveInterval} while lines
 * are read, at {@link #save} and at {@link #close}.
 *
 * <p>{@link #poll} is one synchronous look at every file. {@link #start} runs looks on one
 * named daemon thread: woken by the JDK's {@link WatchService} (inotify on Linux) as soon as a
 * watched directory changes, and at least every {@link TailSettings#pollInterval} for what
 * inotify does not report (network file systems, a directory created later). All lines are
 * delivered on that one thread.
 *
 * <p>On restart, a file's saved offset is used if the file with the saved key still has the
 * saved fingerprint and is at least that long, whatever its name now; a file rotated while
 * stopped is finished from its offset before the new one is read from its start; a file that
 * appeared while stopped is read from its start. See {@link LineSink} for what is delivered
 * again after a crash.
 */
public final class FileFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileFollower.class);

    private final List<SourceTail> sources;
    private final Path stateDir;
    private final LineSink sink;
    private final TailSettings settings;
    private final Clock clock;
    private final ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
    private final Map<String, SavedOffsets> lastSaved = new HashMap<>();
    private Instant nextSave;
    private long lines;
    private long sinkFailures;
    private final Lifecycle lifecycle = new Lifecycle("the file follower");
    private WatchService watchService;
    private final Map<WatchKey, Path> watchedKeys = new HashMap<>();
    private final Set<Path> watchedDirectories = new HashSet<>();

    /**
     * A follower of {@code sources}, resuming from the offsets saved under {@code stateDir}.
     * Nothing is read before the first {@link #poll} or {@link #start}. Throws
     * {@link IOException} when saved offsets exist but cannot be read.
     */
    public FileFollower(List<FileSource> sources, Path stateDir, LineSink sink, TailSettings settings, Clock clock) throws IOException {
        this.stateDir = requireNonNull(stateDir, "stateDir is null");
        this.sink = requireNonNull(sink, "sink is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
        Set<String> names = new HashSet<>();
        List<SourceTail> tails = new ArrayList<>();
        for (FileSource source : sources) {
            if (!names.add(source.name())) {
                throw new IllegalArgumentException("two file sources are named " + source.name() + "; each needs a name of its own");
            }
            SavedOffsets saved = SavedOffsets.read(stateDir, source.name());
            if (saved != null) {
                lastSaved.put(source.name(), saved);
            }
            tails.add(new SourceTail(source, saved, settings, this::deliver));
        }
        this.sources = List.copyOf(tails);
        this.nextSave = clock.instant().plus(settings.saveInterval());
    }

    /**
     * One look at every file of every source, delivering what was written since the last.
     * Returns whether a file has more than one look reads ({@link TailSettings#maxBytesPerRead}):
     * call it again.
     */
    public synchronized boolean poll() {
        Instant now = clock.instant();
        boolean more = false;
        for (SourceTail source : sources) {
            more |= source.poll(buffer, now);
        }
        return more;
    }

    /**
     * Saves every source's offsets that changed since the last save, after the sink's
     * {@link LineSink#checkpoint} returned. Throws if the sink's checkpoint failed (nothing is
     * saved then) or a file cannot be written.
     */
    public synchronized void save() throws IOException {
        List<SavedOffsets> offsets = new ArrayList<>();
        for (SourceTail source : sources) {
            SavedOffsets now = source.offsets();
            if (now != null && !now.equals(lastSaved.get(source.name()))) {
                offsets.add(now);
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        try {
            sink.checkpoint();
        } catch (Exception e) {
            throw new IOException("the offsets were not saved: the line sink's checkpoint failed: " + e, e);
        }
        for (SavedOffsets saved : offsets) {
            saved.write(stateDir);
            lastSaved.put(saved.source(), saved);
        }
    }

    /** Every file being read, source by source. */
    public synchronized List<FileStatus> files() {
        List<FileStatus> files = new ArrayList<>();
        for (SourceTail source : sources) {
            files.addAll(source.status());
        }
        return files;
    }

    /** Lines delivered so far, and of them those the sink threw on. */
    public synchronized long lines() {
        return lines;
    }

    public synchronized long sinkFailures() {
        return sinkFailures;
    }

    /** Starts following on the thread {@code bulwark-tail}. */
    public synchronized void start() throws IOException {
        if (!lifecycle.closed() && !lifecycle.started()) {
            watchService = FileSystems.getDefault().newWatchService();
        }
        lifecycle.start("bulwark-tail", this::run);
    }

    private void run() {
        while (!lifecycle.closed()) {
            try {
                watchDirectories();
                boolean more = poll();
                saveIfDue();
                // a file opened by this look may lead to a directory not watched yet: watch it, then look again
                if (!more && !watchDirectories()) {
                    awaitChange();
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (Throwable e) {
                LOG.error("following log files failed; trying again", e);
                try {
                    Thread.sleep(settings.pollInterval().toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private void saveIfDue() {
        Instant now = clock.instant();
        if (now.isBefore(nextSave)) {
            return;
        }
        nextSave = now.plus(settings.saveInterval());
        try {
            save();
        } catch (IOException e) {
            LOG.warn("cannot save the log offsets under {}: {}; trying again in {}", stateDir, e.getMessage(), settings.saveInterval());
        }
    }

    /** Watches the directories of every source that exist and are not watched yet; returns whether there were any. */
    private boolean watchDirectories() {
        Set<Path> wanted = new LinkedHashSet<>();
        synchronized (this) {
            for (SourceTail source : sources) {
                wanted.addAll(source.directories());
            }
        }
        boolean added = false;
        for (Path directory : wanted) {
            if (watchedDirectories.contains(directory) || !Files.isDirectory(directory)) {
                continue;
            }
            try {
                WatchKey key = directory.register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY);
                watchedKeys.put(key, directory);
                watchedDirectories.add(directory);
                added = true;
            } catch (IOException e) {
                // with the directory unwatched, the poll interval still finds its changes
                watchedDirectories.add(directory);
                LOG.info("cannot watch {} for changes ({}); it is looked at every {}", directory, e, settings.pollInterval());
            }
        }
        return added;
    }

    /** Waits for a change that concerns a source, or the poll interval. */
    private void awaitChange() throws InterruptedException {
        long deadline = System.nanoTime() + settings.pollInterval().toNanos();
        while (true) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return;
            }
            WatchKey key = watchService.poll(remaining, TimeUnit.NANOSECONDS);
            boolean relevant = false;
            while (key != null) {
                relevant |= relevant(key);
                key = watchService.poll();
            }
            if (relevant) {
                return;
            }
        }
    }

    private boolean relevant(WatchKey key) {
        Path directory = watchedKeys.get(key);
        boolean relevant = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW || !(event.context() instanceof Path name)) {
                relevant = true;
                continue;
            }
            relevant |= directory != null && concerns(directory, name);
        }
        if (!key.reset()) {
            // the directory is gone: watch it again when it is back, meanwhile the poll interval looks at it
            watchedKeys.remove(key);
            watchedDirectories.remove(directory);
            relevant = true;
        }
        return relevant;
    }

    private synchronized boolean concerns(Path directory, Path name) {
        for (SourceTail source : sources) {
            if (source.concerns(directory, name)) {
                return true;
            }
        }
        return false;
    }

    private void deliver(String source, String origin, String line) {
        lines++;
        try {
            sink.line(source, origin, line, null);
        } catch (RuntimeException e) {
            sinkFailures++;
            if (Long.bitCount(sinkFailures) == 1) {
                LOG.warn("the line sink failed on a line of {} from {} ({} failures so far): {}", source, origin, sinkFailures, e.toString(), e);
            }
        }
    }

    /** Stops the thread, saves the offsets and closes every file. */
    @Override
    public void close() throws IOException {
        if (!lifecycle.close()) {
            return;
        }
        if (lifecycle.started()) {
            // closing the watch service wakes the thread; an interrupt would close the file channels under a read
            watchService.close();
            lifecycle.awaitThread(false);
        }
        IOException failure = null;
        try {
            save();
        } catch (IOException e) {
            failure = e;
        }
        synchronized (this) {
            for (SourceTail source : sources) {
                try {
                    source.close();
                } catch (IOException e) {
                    failure = Objects.requireNonNullElse(failure, e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
