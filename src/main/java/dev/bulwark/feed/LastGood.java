package dev.bulwark.feed;

import static java.util.Objects.requireNonNull;

import dev.bulwark.feed.format.FeedFormat;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The last good content of one feed on disk, in {@code <stateDir>/feeds/<name>/}: the body
 * exactly as received ({@code body-<digest>}, still gzip if it came so) and {@code meta.json}
 * saying where it came from, its validators, when it was fetched, how many entries it held and
 * in what format. It is read back at start, so a restart begins with the content in force
 * before it, not with nothing.
 *
 * <p>A commit writes the body under a new name and then replaces {@code meta.json}, each with
 * a temporary file in the same directory, fsync, rename and fsync of the directory: the rename
 * of {@code meta.json} is the one moment the new copy takes over, so a crash at any point
 * leaves either the old copy or the new one, whole.
 *
 * <p>The metadata keeps the URL redacted, and a digest of the exact URL to tell whether a copy
 * came from the URL now configured: no secret of a URL is written to disk. A copy from another
 * URL (the configuration changed) is not used for a conditional request, since its validators
 * belong to the other server; but it is still the content in force until a good fetch from
 * the new URL replaces it, so that changing a URL never drops protection in between.
 *
 * <p>One feed's copy is written by one fetcher at a time; two processes sharing a state
 * directory (the daemon and {@code bulwark apply} at once) are not coordinated.
 */
public final class LastGood {
    static final String METADATA_FILE = "meta.json";
    private static final String BODY_PREFIX = "body-";
    private static final String TEMP_SUFFIX = ".tmp";
    private static final int FORMAT_VERSION = 1;
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    /**
     * What {@code meta.json} says.
     *
     * @param url          the location it came from, redacted
     * @param urlDigest    SHA-256 of the exact location, to compare with the configured one
     * @param etag         the HTTP {@code ETag}, or null
     * @param lastModified the HTTP {@code Last-Modified}, as sent, or null
     * @param fileStamp    for a file feed, its size and modification time when read, or null
     * @param fetchedAt    when it was received
     * @param entries      how many entries it held, after the minimum score
     * @param format       the format it was read as
     * @param bodySize     the body's size in bytes, as received
     * @param bodyDigest   SHA-256 of the body as received, in hex
     */
    public record Metadata(String url, String urlDigest, String etag, String lastModified, String fileStamp, Instant fetchedAt,
                           long entries, FeedFormat format, long bodySize, String bodyDigest) {
        public Metadata {
            requireNonNull(url, "url is null");
            requireNonNull(urlDigest, "urlDigest is null");
            requireNonNull(fetchedAt, "fetchedAt is null");
            requireNonNull(format, "format is null");
            requireNonNull(bodyDigest, "bodyDigest is null");
            if (entries < 0 || bodySize < 0) {
                throw new IllegalArgumentException("negative count in last good metadata: " + entries + " entries, " + bodySize + " bytes");
            }
            if (!bodyDigest.matches("[0-9a-f]{64}") || !urlDigest.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("last good digests must be 64 lower-case hex digits");
            }
        }

        /** Whether this copy came from exactly {@code location}. */
        public boolean cameFrom(String location) {
            return urlDigest.equals(sha256(location.getBytes(StandardCharsets.UTF_8)));
        }
    }

    private final Path directory;
    private final Path metadataFile;

    /** Creates {@code <stateDir>/feeds/<feedName>/} if needed and removes temporary files a crash left there. */
    public LastGood(Path stateDir, String feedName) throws IOException {
        requireNonNull(stateDir, "stateDir is null");
        requireNonNull(feedName, "feedName is null");
        if (!FeedConfig.NAME.matcher(feedName).matches()) {
            throw new IllegalArgumentException("not a feed name: '" + feedName + "'");
        }
        this.directory = stateDir.resolve("feeds").resolve(feedName);
        this.metadataFile = directory.resolve(METADATA_FILE);
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new IOException("cannot create the feed state directory " + directory + ": " + e
                    + "; check that the state_dir exists and is writable by bulwark", e);
        }
        deleteFiles(name -> name.endsWith(TEMP_SUFFIX), null);
    }

    public Path directory() {
        return directory;
    }

    /** The metadata of the copy on disk; empty when there is none. Throws when it exists but cannot be read. */
    public Optional<Metadata> metadata() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(metadataFile);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(MAPPER.readTree(bytes)));
        } catch (JacksonException | IllegalArgumentException | DateTimeException e) {
            throw new IOException("the last good metadata " + metadataFile + " is unreadable (" + e.getMessage()
                    + "); the next good fetch replaces it, or delete " + directory + " to start this feed afresh", e);
        }
    }

    /** The body of the copy {@code metadata} describes, raw as received (gzip unpacking is the reader's). */
    public InputStream openBody(Metadata metadata) throws IOException {
        Path body = bodyFile(metadata.bodyDigest());
        try {
            return new BufferedInputStream(Files.newInputStream(body), 1 << 16);
        } catch (NoSuchFileException e) {
            throw new IOException("the last good body " + body + " named by " + metadataFile + " is missing;"
                    + " the next good fetch replaces it", e);
        }
    }

    /** A new empty file in this feed's directory to receive a download; pass it to {@link #commit} or delete it. */
    public Path newTempFile() throws IOException {
        return Files.createTempFile(directory, "download-", TEMP_SUFFIX);
    }

    /**
     * Makes {@code body} (a file from {@link #newTempFile}) the last good copy described by
     * {@code metadata}, durably. The old copy stays in place until the new one is complete.
     */
    public void commit(Path body, Metadata metadata) throws IOException {
        requireNonNull(body, "body is null");
        requireNonNull(metadata, "metadata is null");
        if (!directory.equals(body.toAbsolutePath().getParent()) && !directory.equals(body.getParent())) {
            throw new IllegalArgumentException("the body to commit must be in " + directory + ", not " + body);
        }
        Path target = bodyFile(metadata.bodyDigest());
        force(body);
        Files.move(body, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory();

        Path metadataTemp = Files.createTempFile(directory, "meta-", TEMP_SUFFIX);
        try {
            try (FileChannel channel = FileChannel.open(metadataTemp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson(metadata)));
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(metadataTemp, metadataFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(metadataTemp);
        }
        forceDirectory();
        deleteFiles(name -> name.startsWith(BODY_PREFIX), target);
    }

    private Path bodyFile(String bodyDigest) {
        return directory.resolve(BODY_PREFIX + bodyDigest.substring(0, 16));
    }

    /** Deletes this directory's files whose names match, except {@code keep}. */
    private void deleteFiles(Predicate<String> matches, Path keep) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                if (matches.test(file.getFileName().toString()) && !file.equals(keep)) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private static void force(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /** A rename is durable only once the directory holding it is synced. */
    private void forceDirectory() throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static ObjectNode toJson(Metadata metadata) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("version", FORMAT_VERSION);
        node.put("url", metadata.url());
        node.put("urlDigest", metadata.urlDigest());
        node.put("etag", metadata.etag());
        node.put("lastModified", metadata.lastModified());
        node.put("fileStamp", metadata.fileStamp());
        node.put("fetchedAt", metadata.fetchedAt().toString());
        node.put("entries", metadata.entries());
        node.put("format", metadata.format().name().toLowerCase(Locale.ROOT));
        node.put("bodySize", metadata.bodySize());
        node.put("bodyDigest", metadata.bodyDigest());
        return node;
    }

    private static Metadata parse(JsonNode node) {
        int version = node.path("version").asInt(-1);
        if (version != FORMAT_VERSION) {
            throw new IllegalArgumentException("version " + node.path("version") + ", this bulwark reads version " + FORMAT_VERSION);
        }
        return new Metadata(required(node, "url"), required(node, "urlDigest"), optional(node, "etag"), optional(node, "lastModified"),
                optional(node, "fileStamp"), Instant.parse(required(node, "fetchedAt")), Long.parseLong(required(node, "entries")),
                FeedFormat.parse(required(node, "format")), Long.parseLong(required(node, "bodySize")), required(node, "bodyDigest"));
    }

    private static String required(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            throw new IllegalArgumentException("no " + field);
        }
        return value.asString();
    }

    private static String optional(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isString() ? value.stringValue() : null;
    }

    /** SHA-256 of {@code bytes}, in lower-case hex. */
    static String sha256(byte[] bytes) {
        MessageDigest digest = newDigest();
        return HexFormat.of().formatHex(digest.digest(bytes));
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256", e);
        }
    }
}
