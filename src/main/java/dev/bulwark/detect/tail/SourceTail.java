package dev.bulwark.detect.tail;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The files of one {@link FileSource}, known by their {@link FileKey}, not their names: a file
 * renamed to another name that still matches is the same file read on; one renamed to a name
 * that no longer matches, or deleted, is read to its end through its open channel and for the
 * grace after it last grew; a key not seen before is a new file, read from its start.
 */
final class SourceTail implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(SourceTail.class);

    /**
     * One configured path: a plain file, or a glob on the names in one directory. A glob never
     * matches a compressed file ({@code access.log.2.gz} for {@code access.log*}): its bytes are
     * no lines, and its lines were read before it was compressed.
     */
    record PathPattern(String text, Path path, Path directory, PathMatcher matcher) {
        private static final Pattern COMPRESSED = Pattern.compile(".*\\.(gz|bz2|xz|zst|lz4|lzma|zip|Z)");

        static PathPattern of(String text) {
            Path path = Path.of(text);
            PathMatcher matcher = FileSource.isGlob(path.getFileName().toString())
                    ? FileSystems.getDefault().getPathMatcher("glob:" + path.getFileName()) : null;
            return new PathPattern(text, path, path.getParent(), matcher);
        }

        boolean covers(Path candidate) {
            if (matcher == null) {
                return candidate.equals(path);
            }
            return directory.equals(candidate.getParent()) && matchesName(candidate.getFileName());
        }

        boolean matchesName(Path name) {
            return matcher.matches(name) && !COMPRESSED.matcher(name.toString()).matches();
        }
    }

    private final FileSource source;
    private final List<PathPattern> patterns;
    private final TailSettings settings;
    private final TailedFile.Deliveries deliveries;
    private final Map<FileKey, TailedFile> files = new LinkedHashMap<>();
    /** What was saved at the last stop, until the first look resumes from it. */
    private SavedOffsets saved;
    private boolean started;
    private Set<String> problems = new HashSet<>();
    private Set<String> problemsNow = new HashSet<>();

    SourceTail(FileSource source, SavedOffsets saved, TailSettings settings, TailedFile.Deliveries deliveries) {
        this.source = source;
        this.saved = saved;
        this.settings = settings;
        this.deliveries = deliveries;
        List<PathPattern> parsed = new ArrayList<>();
        for (String path : source.paths()) {
            parsed.add(PathPattern.of(path));
        }
        this.patterns = List.copyOf(parsed);
    }

    String name() {
        return source.name();
    }

    /** The directories whose changes matter to this source: those of its paths, and those its files' links lead to. */
    List<Path> directories() {
        List<Path> directories = new ArrayList<>();
        for (PathPattern pattern : patterns) {
            directories.add(pattern.directory());
        }
        for (TailedFile file : files.values()) {
            directories.add(file.realPath().getParent());
        }
        return directories;
    }

    /** Whether a change to {@code name} in {@code directory} may concern this source. */
    boolean concerns(Path directory, Path name) {
        Path candidate = directory.resolve(name);
        for (PathPattern pattern : patterns) {
            if (pattern.covers(candidate)) {
                return true;
            }
        }
        for (TailedFile file : files.values()) {
            if (file.path().equals(candidate) || file.realPath().equals(candidate)) {
                return true;
            }
        }
        return false;
    }

    /**
     * One look: finds the files the paths name now, follows renames, truncations and new files,
     * and delivers what was added. Returns whether a file has more to read than one look takes.
     */
    boolean poll(ByteBuffer buffer, Instant now) {
        problemsNow = new HashSet<>();
        Map<FileKey, FileKey.Stat> found = scan();
        if (!started) {
            started = true;
            resume(found, now);
        }
        boolean more = false;
        for (Iterator<TailedFile> iterator = files.values().iterator(); iterator.hasNext(); ) {
            TailedFile file = iterator.next();
            FileKey.Stat stat = found.remove(file.key);
            try {
                if (stat != null) {
                    file.renamed(stat.path());
                    file.rotated(false, now);
                    if (file.replacedUnder(stat.size())) {
                        truncated(file, buffer, now);
                    }
                    more |= file.read(buffer, settings.maxBytesPerRead(), now);
                    continue;
                }
                // renamed away or deleted: the rest is read through the open channel, before any new file
                if (!file.rotated()) {
                    file.rotated(true, now);
                    FileKey.Stat renamed = findByKey(file.path(), file.key);
                    if (renamed != null) {
                        file.renamed(renamed.path());
                    }
                }
                file.read(buffer, -1, now);
                if (!now.isBefore(file.lastGrowth().plus(settings.rotatedGrace()))) {
                    file.finish();
                    iterator.remove();
                    file.close();
                }
            } catch (IOException e) {
                problem("cannot read " + file.origin() + " for source " + source.name() + ": " + e);
            }
        }
        for (FileKey.Stat stat : found.values()) {
            // appeared since the last look: all of it is new
            TailedFile file = open(stat, 0, false, now);
            if (file != null) {
                more |= read(file, buffer, now);
            }
        }
        problems = problemsNow;
        return more;
    }

    private boolean read(TailedFile file, ByteBuffer buffer, Instant now) {
        try {
            return file.read(buffer, settings.maxBytesPerRead(), now);
        } catch (IOException e) {
            problem("cannot read " + file.origin() + " for source " + source.name() + ": " + e);
            return false;
        }
    }

    /** The files the paths name now, each once, in the order of the paths and then of the names. */
    private Map<FileKey, FileKey.Stat> scan() {
        Map<FileKey, FileKey.Stat> found = new LinkedHashMap<>();
        for (PathPattern pattern : patterns) {
            try {
                if (pattern.matcher() == null) {
                    FileKey.Stat stat = FileKey.stat(pattern.path());
                    if (stat != null && !stat.regular()) {
                        problem(pattern.text() + " of source " + source.name() + " is not a regular file; it is not read");
                    }
                    add(found, stat);
                    continue;
                }
                for (Path path : list(pattern.directory())) {
                    if (pattern.matchesName(path.getFileName())) {
                        add(found, FileKey.stat(path));
                    }
                }
            } catch (IOException e) {
                problem("cannot look at " + pattern.text() + " for source " + source.name() + ": " + e);
            }
        }
        return found;
    }

    private static void add(Map<FileKey, FileKey.Stat> found, FileKey.Stat stat) {
        if (stat != null && stat.regular()) {
            found.putIfAbsent(stat.key(), stat);
        }
    }

    private static List<Path> list(Path directory) throws IOException {
        List<Path> paths = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                paths.add(entry);
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return List.of();
        }
        Collections.sort(paths);
        return paths;
    }

    /**
     * The first look after a start. Without saved offsets, the files found are read from their
     * end (or start, with {@code fromStart}). With them, each saved file is looked for by its
     * key, under its old name or another one in the same directory (rotated while stopped): if
     * its fingerprint still matches and it is no shorter than the offset, it is read on from the
     * offset; if not (truncated, replaced), a copy with its fingerprint (copytruncate) is read
     * from the offset. A file found now that was not saved was created while stopped and is read
     * from its start, unless its path was not configured at the last stop: that one starts as
     * at a first start.
     */
    private void resume(Map<FileKey, FileKey.Stat> found, Instant now) {
        SavedOffsets offsets = saved;
        saved = null;
        Set<String> knownPaths = offsets == null ? Set.of() : Set.copyOf(offsets.paths());
        if (offsets != null) {
            for (SavedOffsets.File entry : offsets.files()) {
                try {
                    resumeFile(entry, found, now);
                } catch (IOException e) {
                    problem("cannot resume " + entry.path() + " for source " + source.name() + ": " + e);
                }
            }
        }
        for (FileKey.Stat stat : found.values()) {
            if (files.containsKey(stat.key())) {
                continue;
            }
            if (knownPaths.contains(patternOf(stat.path()))) {
                open(stat, 0, false, now);
            } else {
                open(stat, 0, !source.fromStart(), now);
            }
        }
    }

    private void resumeFile(SavedOffsets.File entry, Map<FileKey, FileKey.Stat> found, Instant now) throws IOException {
        Path savedPath = Path.of(entry.path());
        FileKey.Stat stat = found.get(entry.key());
        if (stat == null) {
            stat = findByKey(savedPath, entry.key());
        }
        if (stat != null && stat.size() >= entry.offset() && entry.fingerprint().matches(stat.path())) {
            TailedFile file = open(stat, entry.offset(), false, now);
            if (file != null && entry.skipToNextLine()) {
                file.skipToNextLine();
            }
            if (file != null && !found.containsKey(stat.key())) {
                file.rotated(true, now);
            }
            return;
        }
        FileKey.Stat copy = findCopy(savedPath, entry.fingerprint(), entry.offset());
        if (copy != null) {
            readCopy(copy, entry.offset(), now);
            return;
        }
        if (stat == null) {
            LOG.warn("source {}: {} (file {}) is gone since the last stop, and no copy of it was found;"
                    + " what was written to it after offset {} was not read", source.name(), entry.path(), entry.key(), entry.offset());
        }
    }

    /** The file with {@code key}: at {@code path}, or under another name in its directory. */
    private static FileKey.Stat findByKey(Path path, FileKey key) throws IOException {
        FileKey.Stat stat = FileKey.stat(path);
        if (stat != null && stat.key().equals(key)) {
            return stat;
        }
        for (Path sibling : list(path.getParent())) {
            FileKey.Stat candidate = FileKey.stat(sibling);
            if (candidate != null && candidate.regular() && candidate.key().equals(key)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * A copy of the file once at {@code path} that holds at least {@code minSize} bytes: a file in
     * the same directory whose name starts with that file's name ({@code auth.log.1},
     * {@code auth.log-20250101}) and whose first bytes have {@code fingerprint}.
     */
    private FileKey.Stat findCopy(Path path, Fingerprint fingerprint, long minSize) throws IOException {
        if (fingerprint.length() == 0) {
            return null;
        }
        String name = path.getFileName().toString();
        for (Path sibling : list(path.getParent())) {
            String siblingName = sibling.getFileName().toString();
            if (!siblingName.startsWith(name) || siblingName.equals(name)) {
                continue;
            }
            FileKey.Stat candidate = FileKey.stat(sibling);
            if (candidate != null && candidate.regular() && candidate.size() >= minSize && !files.containsKey(candidate.key())
                    && fingerprint.matches(sibling)) {
                return candidate;
            }
        }
        return null;
    }

    /** copytruncate emptied the file: what was written after the last read is in the copy, if it was made and not compressed yet. */
    private void truncated(TailedFile file, ByteBuffer buffer, Instant now) throws IOException {
        FileKey.Stat copy = findCopy(file.path(), file.fingerprint(), file.readPosition());
        if (copy != null) {
            readCopy(copy, file.position(), now);
        } else if (file.readPosition() > 0) {
            LOG.info("source {}: {} was truncated at {} bytes and no copy of it was found; reading it again from its start",
                    source.name(), file.origin(), file.readPosition());
        }
        file.restartAtZero();
    }

    /** Reads a copy from {@code offset} to its end, then lets it go: it is not one of the files followed. */
    private void readCopy(FileKey.Stat copy, long offset, Instant now) throws IOException {
        TailedFile file = TailedFile.open(deliveries, source.name(), copy, offset, false, settings.maxLineBytes(), now);
        if (file == null) {
            return;
        }
        try (file) {
            file.read(ByteBuffer.allocate(64 * 1024), -1, now);
            file.finish();
        }
    }

    private String patternOf(Path path) {
        for (PathPattern pattern : patterns) {
            if (pattern.covers(path)) {
                return pattern.text();
            }
        }
        return null;
    }

    private TailedFile open(FileKey.Stat stat, long offset, boolean atEnd, Instant now) {
        try {
            TailedFile file = TailedFile.open(deliveries, source.name(), stat, offset, atEnd, settings.maxLineBytes(), now);
            if (file != null) {
                files.put(file.key, file);
            }
            return file;
        } catch (IOException e) {
            problem("cannot open " + stat.path() + " for source " + source.name() + ": " + e
                    + (e instanceof AccessDeniedException ? "; bulwark needs read access to it (often the group adm)" : ""));
            return null;
        }
    }

    /** Logs a problem when it first appears, not again while it lasts. */
    private void problem(String message) {
        if (!problems.contains(message) && !problemsNow.contains(message)) {
            LOG.warn(message);
        }
        problemsNow.add(message);
    }

    /** What to save now: for every file read, where its delivered lines end. Before the first look, what was saved before. */
    SavedOffsets offsets() {
        if (!started) {
            return saved;
        }
        List<SavedOffsets.File> entries = new ArrayList<>();
        for (TailedFile file : files.values()) {
            entries.add(new SavedOffsets.File(file.origin(), file.key, file.position(), file.fingerprint(), file.skipsToNextLine()));
        }
        return new SavedOffsets(source.name(), source.paths(), entries);
    }

    List<FileStatus> status() {
        List<FileStatus> status = new ArrayList<>();
        for (TailedFile file : files.values()) {
            status.add(new FileStatus(source.name(), file.origin(), file.position(), file.rotated(), file.cutLines()));
        }
        return status;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (TailedFile file : files.values()) {
            try {
                file.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        files.clear();
        if (first != null) {
            throw first;
        }
    }
}
