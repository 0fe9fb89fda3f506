package dev.bulwark.detect.tail;

import static java.util.Objects.requireNonNull;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Follows the systemd journal for one {@link JournalSource} by running
 * {@code journalctl --follow --output=json} (an argument vector, never a shell) and hands each
 * entry, as the line fail2ban builds from it with the entry's time, to a {@link LineSink}.
 *
 * <p>Where it starts: after the cursor saved in {@code <stateDir>/journal/<source>.json}
 * ({@code --after-cursor}); without one, at {@code now - lookback} ({@code --since}), or with
 * only new entries for a lookback of zero ({@code --lines=0}). When journalctl exits
 * {@value #CURSOR_ATTEMPTS} times in a row without an entry after being given the cursor (the
 * journal it points into was vacuumed, or it is not valid), it starts instead at the second of
 * the last delivered entry, which may deliver the entries of that second again. The cursor of the last delivered
 * entry is saved every {@link JournalSettings#saveInterval} while entries arrive, when
 * journalctl exits and at {@link #close}, after the sink's {@link LineSink#checkpoint}: as
 * for files, an entry is delivered at least once, again after a crash.
 *
 * <p>When journalctl exits (or cannot be started) it is started again after a backoff,
 * doubling up to {@link JournalSettings#maxBackoff}, and back to the first once a run delivered
 * an entry or ran longer than the longest backoff. Its error output is logged.
 */
public final class JournalFollower implements AutoCloseable {
    /** Waits between two starts of journalctl; tests pass one that does not wait. */
    public interface Sleeper {
        Sleeper REAL = duration -> Thread.sleep(duration.toMillis());

        void sleep(Duration duration) throws InterruptedException;
    }

    static final String ORIGIN = "journal";
    private static final Logger LOG = LoggerFactory.getLogger(JournalFollower.class);
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();
    private static final int FORMAT_VERSION = 1;
    private static final long STOP_WAIT_MILLIS = 10_000;

    private final JournalSource source;
    private final JournalSettings settings;
    private final Path cursorFile;
    private final LineSink sink;
    private final Clock clock;
    private final Sleeper sleeper;
    /** Where the last delivered entry is: its cursor (null once journalctl refused it) and its time. */
    private record Position(String cursor, Instant time) {
    }

    static final int CURSOR_ATTEMPTS = 3;
    private volatile Position position;
    private Position savedPosition;
    private int cursorFailures;
    private Instant nextSave;
    private volatile long entries;
    private volatile long badEntries;
    private volatile long sinkFailures;
    private volatile long runs;
    private volatile Process process;
    private final Lifecycle lifecycle;

    /** A follower that resumes after the cursor saved under {@code stateDir}; nothing runs before {@link #start} or {@link #runOnce}. */
    public JournalFollower(JournalSource source, JournalSettings settings, Path stateDir, LineSink sink, Clock clock, Sleeper sleeper)
            throws IOException {
        this.source = requireNonNull(source, "source is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.sink = requireNonNull(sink, "sink is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
        this.lifecycle = new Lifecycle("the journal follower of " + source.name());
        this.cursorFile = stateDir.resolve("journal").resolve(source.name() + ".json");
        this.position = readPosition(cursorFile);
        this.savedPosition = position;
        this.nextSave = clock.instant().plus(settings.saveInterval());
    }

    private static Position readPosition(Path file) throws IOException {
        try {
            JsonNode root = MAPPER.readTree(Files.readAllBytes(file));
            JsonNode cursor = root.path("cursor");
            JsonNode time = root.path("time");
            if (root.path("version").asInt(0) != FORMAT_VERSION || !(cursor.isString() || cursor.isNull()) || !(time.isString() || time.isMissingNode())) {
                throw new IOException("the saved journal cursor in " + file + " is not in a known format; remove the file to start afresh");
            }
            return new Position(cursor.isString() ? cursor.stringValue() : null, time.isString() ? Instant.parse(time.stringValue()) : null);
        } catch (NoSuchFileException e) {
            return null;
        } catch (JacksonException | java.time.format.DateTimeParseException e) {
            throw new IOException("the saved journal cursor in " + file + " cannot be read (" + e.getMessage()
                    + "); remove the file to start afresh", e);
        }
    }

    /** The command the next run starts: where it starts follows the cursor delivered last. */
    public List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(settings.executable());
        command.add("--follow");
        command.add("--output=json");
        // without --all, fields over 4 KiB come as null, so a long MESSAGE would be lost
        command.add("--all");
        command.add("--no-pager");
        command.add("--quiet");
        command.addAll(settings.options());
        Position after = position;
        if (after != null && after.cursor() != null) {
            command.add("--after-cursor=" + after.cursor());
            command.add("--no-tail");
        } else if (after != null && after.time() != null) {
            command.add("--since=@" + after.time().getEpochSecond());
            command.add("--no-tail");
        } else if (source.lookback().isZero()) {
            command.add("--lines=0");
        } else {
            command.add("--since=@" + clock.instant().minus(source.lookback()).getEpochSecond());
            command.add("--no-tail");
        }
        command.addAll(source.matches());
        return command;
    }

    /**
     * Runs journalctl once, delivering its entries until it exits or {@link #close} stops it,
     * then saves the cursor. Returns its exit code.
     */
    public int runOnce() throws IOException, InterruptedException {
        List<String> command = command();
        Position given = position;
        long entriesBefore = entries;
        Process started;
        try {
            started = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new IOException("cannot run " + settings.executable() + " for journal source " + source.name() + ": " + e.getMessage()
                    + "; is systemd's journalctl installed, or is the configured path right?", e);
        }
        runs++;
        process = started;
        started.getOutputStream().close();
        Thread errors = drainErrors(started);
        try {
            if (lifecycle.closed()) {
                started.destroy();
            }
            try (BufferedReader output = new BufferedReader(new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = output.readLine()) != null) {
                    entry(line);
                    saveIfDue();
                }
            }
            int code = started.waitFor();
            errors.join(STOP_WAIT_MILLIS);
            judgeCursor(given, code, entries > entriesBefore);
            return code;
        } finally {
            if (started.isAlive()) {
                started.destroyForcibly();
            }
            process = null;
            saveQuietly();
        }
    }

    private Thread drainErrors(Process started) {
        Thread errors = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(started.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    LOG.warn("journalctl for journal source {}: {}", source.name(), line);
                }
            } catch (IOException e) {
                LOG.debug("reading journalctl's error output for {} ended: {}", source.name(), e.toString());
            }
        }, "bulwark-journal-" + source.name() + "-errors");
        errors.setDaemon(true);
        errors.start();
        return errors;
    }

    private void entry(String json) {
        JsonNode entry;
        try {
            entry = MAPPER.readTree(json);
        } catch (JacksonException e) {
            badEntry(json, e.getOriginalMessage());
            return;
        }
        if (entry == null || !entry.isObject()) {
            badEntry(json, "not a JSON object");
            return;
        }
        String line = JournalEntries.line(entry);
        Instant time = JournalEntries.time(entry);
        entries++;
        try {
            sink.line(source.name(), ORIGIN, line, time != null ? time : clock.instant());
        } catch (RuntimeException e) {
            sinkFailures++;
            if (Long.bitCount(sinkFailures) == 1) {
                LOG.warn("the line sink failed on a journal entry of {} ({} failures so far): {}", source.name(), sinkFailures, e.toString(), e);
            }
        }
        String entryCursor = JournalEntries.cursor(entry);
        if (entryCursor != null) {
            position = new Position(entryCursor, time);
        }
    }

    private void badEntry(String json, String problem) {
        badEntries++;
        if (Long.bitCount(badEntries) == 1) {
            LOG.warn("journalctl for journal source {} printed a line that is not a journal entry ({}; {} so far): {}", source.name(),
                    problem, badEntries, json.length() > 200 ? json.substring(0, 200) + "..." : json);
        }
    }

    private void saveIfDue() {
        Instant now = clock.instant();
        if (!now.isBefore(nextSave)) {
            nextSave = now.plus(settings.saveInterval());
            saveQuietly();
        }
    }

    private void saveQuietly() {
        try {
            save();
        } catch (IOException e) {
            LOG.warn("cannot save the journal cursor of {}: {}", source.name(), e.getMessage());
        }
    }

    /** Counts the runs that ended at once on the cursor they were given; after too many, the cursor gives way to its time. */
    private void judgeCursor(Position given, int code, boolean delivered) {
        if (given == null || given.cursor() == null || delivered || code == 0 || lifecycle.closed()) {
            cursorFailures = 0;
            return;
        }
        if (++cursorFailures < CURSOR_ATTEMPTS) {
            return;
        }
        cursorFailures = 0;
        LOG.warn("journalctl for journal source {} exited {} times in a row on the saved cursor {}; reading from the time of the last"
                + " delivered entry, {}, instead", source.name(), CURSOR_ATTEMPTS, given.cursor(), given.time());
        if (position == given) {
            position = new Position(null, given.time());
        }
    }

    /** Saves the cursor of the last delivered entry, if it moved, after the sink's checkpoint. */
    public synchronized void save() throws IOException {
        Position now = position;
        if (now == null || now.equals(savedPosition)) {
            return;
        }
        try {
            sink.checkpoint();
        } catch (Exception e) {
            throw new IOException("the journal cursor was not saved: the line sink's checkpoint failed: " + e, e);
        }
        ObjectNode root = MAPPER.createObjectNode();
        root.put("version", FORMAT_VERSION);
        root.put("source", source.name());
        root.put("cursor", now.cursor());
        if (now.time() != null) {
            root.put("time", now.time().toString());
        }
        StateFiles.write(cursorFile, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        savedPosition = now;
    }

    /** The cursor of the last entry delivered, or null before the first (or once journalctl refused it). */
    public String cursor() {
        Position now = position;
        return now == null ? null : now.cursor();
    }

    /** Entries delivered, lines that were not entries, and how often journalctl was started. */
    public long entries() {
        return entries;
    }

    public long badEntries() {
        return badEntries;
    }

    public long sinkFailures() {
        return sinkFailures;
    }

    public long runs() {
        return runs;
    }

    /** Starts following on the thread {@code bulwark-journal-<source>}. */
    public void start() {
        lifecycle.start("bulwark-journal-" + source.name(), this::follow);
    }

    /** Runs journalctl again and again, with the backoff between runs, until closed or interrupted. */
    void follow() {
        Duration backoff = settings.firstBackoff();
        while (!lifecycle.closed()) {
            Instant started = clock.instant();
            long entriesBefore = entries;
            String outcome;
            try {
                outcome = "exited with code " + runOnce();
            } catch (InterruptedException e) {
                return;
            } catch (Throwable e) {
                outcome = "failed: " + e.getMessage();
                LOG.debug("journal source {}", source.name(), e);
            }
            if (lifecycle.closed()) {
                return;
            }
            Duration wait = healthy(started, entriesBefore) ? settings.firstBackoff() : backoff;
            LOG.warn("journalctl for journal source {} {}; starting it again in {}", source.name(), outcome, wait);
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                return;
            }
            backoff = min(wait.multipliedBy(2), settings.maxBackoff());
        }
    }

    /** A run that delivered entries or lasted longer than the longest backoff was a good one: the backoff starts again. */
    private boolean healthy(Instant started, long entriesBefore) {
        return entries > entriesBefore || Duration.between(started, clock.instant()).compareTo(settings.maxBackoff()) >= 0;
    }

    private static Duration min(Duration first, Duration second) {
        return first.compareTo(second) <= 0 ? first : second;
    }

    /** Stops journalctl and the thread, and saves the cursor. */
    @Override
    public void close() throws IOException {
        if (!lifecycle.close()) {
            return;
        }
        Process current = process;
        if (current != null) {
            current.destroy();
        }
        // the thread may be waiting out a backoff
        lifecycle.awaitThread(true);
        Process left = process;
        if (left != null && left.isAlive()) {
            left.destroyForcibly();
        }
        save();
    }

    @Override
    public String toString() {
        return "JournalFollower[" + source.name() + ", cursor " + Objects.requireNonNullElse(cursor(), "none") + "]";
    }
}
