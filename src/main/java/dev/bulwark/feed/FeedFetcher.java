package dev.bulwark.feed;

import static java.util.Objects.requireNonNull;

import dev.bulwark.Version;
import dev.bulwark.feed.FeedOutcome.Kind;
import dev.bulwark.feed.format.FeedFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fetches one feed, one round at a time, and keeps what is in force. A round asks the source
 * for new content (HTTP with {@code If-None-Match} / {@code If-Modified-Since} from the last
 * good copy, or a file whose size and modification time are compared with the copy's), parses
 * it, and accepts it only when it passes the guards: not {@code empty}, not {@code garbage}
 * (nothing parseable, or more rejected entries than accepted) and not {@code shrunk} beyond the
 * feed's shrink guard. Only accepted content replaces the content in force and the last good
 * copy on disk; on any refusal the last good content stays in force and the outcome says
 * what, where and what to do.
 *
 * <p>A connection failure, a timeout, and the statuses 408, 429 and 5xx are tried again within
 * the round, up to the feed's {@code retries}, after {@code 1s, 2s, 4s...} (at most
 * {@link #RETRY_BACKOFF_CAP}) each plus up to half again at random. Every answer has one
 * deadline, the feed's {@code timeout}, for headers and body together, so a server that stalls
 * in the middle of the body cannot hold the round.
 *
 * <p>The first round reads the last good copy back from disk, so that after a restart it is
 * in force even when the first fetch fails. Rounds of one fetcher run one at a time.
 */
public final class FeedFetcher {
    public static final Duration RETRY_BACKOFF = Duration.ofSeconds(1);
    public static final Duration RETRY_BACKOFF_CAP = Duration.ofSeconds(60);

    private static final Logger LOG = LoggerFactory.getLogger(FeedFetcher.class);
    private static final int BUFFER_SIZE = 1 << 16;
    /** Said in an accepted round's message when the copy could not be written; the status shows it as an error. */
    private static final String SAVE_FAILED = "could not save the last good copy";

    /** How a fetcher waits between tries: {@link #REAL} sleeps; tests record instead. */
    @FunctionalInterface
    public interface Sleeper {
        Sleeper REAL = Thread::sleep;

        void sleep(Duration duration) throws InterruptedException;
    }

    private final FeedConfig config;
    private final FeedSource source;
    private final String where;
    private final LastGood lastGood;
    private final HttpClient http;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Random random;

    // state of the rounds, written under the lock of round()
    private boolean restored;
    private String restoreProblem;
    private LastGood.Metadata inForceMetadata;
    private FeedContent reported;
    private Instant lastTry;
    private Instant lastSuccess;
    private int consecutiveFailures;
    private volatile FeedContent inForce;
    private volatile FeedStatus status;

    /**
     * A fetcher for {@code config} keeping its last good copy under {@code stateDir}. {@code http}
     * serves URL feeds (see {@link #httpClient}); it may be null for file feeds. Throws
     * {@link IllegalArgumentException} for a feed that cannot be fetched on a schedule (standard
     * input, a header the HTTP client refuses) and {@link IOException} when the state directory
     * cannot be made.
     */
    public FeedFetcher(FeedConfig config, Path stateDir, HttpClient http, Clock clock, Sleeper sleeper, Random random) throws IOException {
        this.config = requireNonNull(config, "config is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
        this.random = requireNonNull(random, "random is null");
        this.source = FeedSource.of(config.url());
        if (source.isStdin()) {
            throw new IllegalArgumentException("feed " + config.name() + ": standard input ('-') cannot be fetched again and again;"
                    + " give a path or a URL");
        }
        if (source.uri() != null) {
            requireNonNull(http, "an HTTP client is needed for feed " + config.name());
            checkHeaders();
        }
        this.http = http;
        this.where = source.displayName();
        this.lastGood = new LastGood(stateDir, config.name());
        this.status = new FeedStatus(config.name(), where, null, null, null, 0, null, null, 0, null);
    }

    /** An HTTP client fit for {@code config}: its timeout to connect, redirects followed. */
    public static HttpClient httpClient(FeedConfig config) {
        return FeedReader.defaultHttpClient(config.timeout());
    }

    public FeedConfig config() {
        return config;
    }

    /** The content in force: the last accepted, or the last good copy read back; null when there never was any. */
    public FeedContent content() {
        return inForce;
    }

    /** The feed's status after the last round ({@code nextTry} is the scheduler's to fill). */
    public FeedStatus status() {
        return status;
    }

    /** Runs one round: fetch (with retries), parse, guard, and accept or refuse. Never throws for a bad feed. */
    public synchronized FeedRound round() {
        Instant started = clock.instant();
        restoreOnce();
        FeedOutcome outcome;
        try {
            outcome = fetchWithRetries();
        } catch (RuntimeException e) {
            LOG.error("feed {}: unexpected failure in a round", config.name(), e);
            // a defect, perhaps in a parser meeting odd input: refused like any bad answer, so the last good content stays
            outcome = new FeedOutcome(Kind.ERROR, refusal("unexpected failure fetching " + where + ": " + scrub(e.toString()),
                    "this is a defect in bulwark: please report it with the log"), 1);
        }
        Instant ended = clock.instant();
        lastTry = started;
        if (outcome.refused()) {
            consecutiveFailures++;
        } else {
            consecutiveFailures = 0;
            lastSuccess = ended;
        }
        FeedContent content = inForce;
        String error = outcome.refused() || outcome.message().contains(SAVE_FAILED) ? outcome.message() : null;
        status = new FeedStatus(config.name(), where, lastTry, lastSuccess, inForceMetadata == null ? null : inForceMetadata.fetchedAt(),
                content == null ? 0 : content.size(), outcome.kind().label(), error, consecutiveFailures, null);
        boolean changed = content != reported;
        reported = content;
        return new FeedRound(content, changed, outcome, Duration.between(started, ended), status);
    }

    /** Reads the last good copy back, once; a copy that cannot be read is reported with the next refusal. */
    private void restoreOnce() {
        if (restored) {
            return;
        }
        restored = true;
        try {
            Optional<LastGood.Metadata> metadata = lastGood.metadata();
            if (metadata.isEmpty()) {
                return;
            }
            LastGood.Metadata found = metadata.get();
            FeedContent content;
            MessageDigest digest = LastGood.newDigest();
            try (InputStream body = new DigestInputStream(lastGood.openBody(found), digest)) {
                content = parse(body, config.format() != null ? config.format() : found.format());
                // the digest covers the whole file, also what a parser left unread
                body.transferTo(OutputStream.nullOutputStream());
            }
            if (!HexFormat.of().formatHex(digest.digest()).equals(found.bodyDigest())) {
                restoreProblem = "the last good copy in " + lastGood.directory() + " does not match its digest (damaged on disk)";
                return;
            }
            inForce = content;
            inForceMetadata = found;
            lastSuccess = found.fetchedAt();
        } catch (IOException e) {
            restoreProblem = "the last good copy in " + lastGood.directory() + " cannot be read: " + scrub(e.getMessage());
        }
    }

    private FeedOutcome fetchWithRetries() {
        int attempt = 1;
        while (true) {
            Attempt result = source.uri() != null ? fetchHttp() : fetchFile();
            if (!result.retryable() || attempt > config.retries()) {
                return new FeedOutcome(result.kind(), result.message(), attempt);
            }
            try {
                sleeper.sleep(backoff(attempt));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new FeedOutcome(Kind.ERROR, refusal("stopped while waiting to try " + where + " again", "none: bulwark is stopping"),
                        attempt);
            }
            attempt++;
        }
    }

    /** The wait after failed try {@code attempt} (1-based): doubling from {@link #RETRY_BACKOFF}, capped, plus up to half again. */
    Duration backoff(int attempt) {
        long base = RETRY_BACKOFF.toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, RETRY_BACKOFF_CAP.toMillis());
        return Duration.ofMillis(capped + (long) (random.nextDouble() * (capped / 2)));
    }

    private record Attempt(Kind kind, String message, boolean retryable) {
    }

    private Attempt fetchHttp() {
        Path download;
        try {
            download = lastGood.newTempFile();
        } catch (IOException e) {
            return new Attempt(Kind.ERROR, refusal("cannot make a file to download " + where + " into: " + scrub(e.getMessage()),
                    "check that the state directory " + lastGood.directory().getParent() + " is writable and not full"), false);
        }
        try {
            CompletableFuture<HttpResponse<Path>> exchange = http.sendAsync(request(),
                    SizeLimit.body(HttpResponse.BodyHandlers.ofFile(download), config.maxSize()));
            HttpResponse<Path> response;
            try {
                response = exchange.get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                exchange.cancel(true);
                return new Attempt(Kind.ERROR, refusal("no complete answer from " + where + " within " + describe(config.timeout()),
                        "check that the server answers from this host, or raise the feed's timeout"), true);
            } catch (InterruptedException e) {
                exchange.cancel(true);
                Thread.currentThread().interrupt();
                return new Attempt(Kind.ERROR, refusal("stopped while fetching " + where, "none: bulwark is stopping"), false);
            } catch (ExecutionException e) {
                SizeLimit.TooLarge tooLarge = tooLarge(e);
                if (tooLarge != null) {
                    return new Attempt(Kind.GARBAGE, refusal("the answer from " + where + " is too large: " + tooLarge.getMessage(),
                            "check the feed's url; if the feed is this large, raise its max_size"), false);
                }
                if (e.getCause() instanceof HttpTimeoutException && !(e.getCause() instanceof HttpConnectTimeoutException)) {
                    // the client's own request timer, which races the deadline above: the same failure, said the same way
                    return new Attempt(Kind.ERROR, refusal("no complete answer from " + where + " within " + describe(config.timeout()),
                            "check that the server answers from this host, or raise the feed's timeout"), true);
                }
                return new Attempt(Kind.ERROR, refusal("cannot fetch " + where + ": " + scrub(describe(e.getCause())),
                        "check the URL, the network and that the server is up"), true);
            }
            int code = response.statusCode();
            if (code == 304) {
                if (inForce == null) {
                    return new Attempt(Kind.HTTP_STATUS, refusal("HTTP status 304 from " + where + " to a request that was not conditional",
                            "the server is broken; tell its operator"), false);
                }
                return new Attempt(Kind.NOT_MODIFIED, "feed " + config.name() + ": not modified at " + where, false);
            }
            if (code < 200 || code > 299) {
                return new Attempt(Kind.HTTP_STATUS, refusal("HTTP status " + code + " from " + where, statusAdvice(code)), isTransient(code));
            }
            HttpHeaders headers = response.headers();
            return accept(download, headers.firstValue("ETag").orElse(null), headers.firstValue("Last-Modified").orElse(null), null);
        } finally {
            deleteQuietly(download);
        }
    }

    /** The size limit's refusal among the causes of {@code failure}, or null (the client may wrap it in an IOException of its own). */
    private static SizeLimit.TooLarge tooLarge(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SizeLimit.TooLarge tooLarge) {
                return tooLarge;
            }
        }
        return null;
    }

    private HttpRequest request() {
        HttpRequest.Builder request = HttpRequest.newBuilder(source.uri())
                .timeout(config.timeout())
                .header("Accept-Encoding", "gzip")
                .header("User-Agent", "bulwark/" + Version.current())
                .GET();
        for (Map.Entry<String, String> header : config.headers().entrySet()) {
            request.setHeader(header.getKey(), header.getValue());
        }
        // the validators belong to the server the copy came from, and a 304 is only good for content in force
        if (inForce != null && inForceMetadata != null && inForceMetadata.cameFrom(config.url())) {
            if (inForceMetadata.etag() != null) {
                request.setHeader("If-None-Match", inForceMetadata.etag());
            }
            if (inForceMetadata.lastModified() != null) {
                request.setHeader("If-Modified-Since", inForceMetadata.lastModified());
            }
        }
        return request.build();
    }

    /** Fails at construction, naming the header but not its value, for a header the JDK client will not send. */
    private void checkHeaders() {
        for (Map.Entry<String, String> header : config.headers().entrySet()) {
            try {
                HttpRequest.newBuilder(source.uri()).setHeader(header.getKey(), header.getValue());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("feed " + config.name() + ": header '" + header.getKey()
                        + "' cannot be sent (a restricted name, or a value with line breaks or control characters); remove or correct it");
            }
        }
    }

    private static boolean isTransient(int code) {
        return code == 408 || code == 429 || code >= 500;
    }

    private static String statusAdvice(int code) {
        if (code == 401 || code == 403) {
            return "check the credentials the feed's headers or URL carry";
        }
        if (code == 404 || code == 410) {
            return "check the feed's URL";
        }
        if (code == 429) {
            return "the server limits requests: fetch less often (the feed's every)";
        }
        if (code >= 500) {
            return "the server failed; it is tried again at the next round";
        }
        return "check the feed's URL and headers";
    }

    private Attempt fetchFile() {
        Path path = source.path();
        String stamp;
        long size;
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            size = attributes.size();
            stamp = attributes.size() + " bytes, modified " + attributes.lastModifiedTime();
        } catch (NoSuchFileException e) {
            return new Attempt(Kind.ERROR, refusal("feed file not found: " + path.toAbsolutePath(),
                    "create it, or correct the feed's url"), false);
        } catch (IOException e) {
            return new Attempt(Kind.ERROR, refusal("cannot read " + path.toAbsolutePath() + ": " + scrub(e.toString()), "check its permissions"), false);
        }
        if (size > config.maxSize()) {
            return new Attempt(Kind.GARBAGE, refusal("feed file " + path.toAbsolutePath() + " is too large: " + size + " bytes, past the feed's max_size of "
                    + SizeLimit.describe(config.maxSize()), "check the file; if the feed is this large, raise its max_size"), false);
        }
        if (inForce != null && inForceMetadata != null && inForceMetadata.cameFrom(config.url()) && stamp.equals(inForceMetadata.fileStamp())) {
            return new Attempt(Kind.NOT_MODIFIED, "feed " + config.name() + ": " + where + " unchanged (" + stamp + ")", false);
        }
        Path copy = null;
        try {
            // a copy, so that what is parsed and what is kept are the same bytes even if the file changes meanwhile
            copy = lastGood.newTempFile();
            Files.copy(path, copy, StandardCopyOption.REPLACE_EXISTING);
            return accept(copy, null, null, stamp);
        } catch (NoSuchFileException e) {
            return new Attempt(Kind.ERROR, refusal("feed file not found: " + path.toAbsolutePath(), "create it, or correct the feed's url"), false);
        } catch (IOException e) {
            return new Attempt(Kind.ERROR, refusal("cannot copy " + path.toAbsolutePath() + " into " + lastGood.directory() + ": " + scrub(e.toString()),
                    "check the permissions and free space"), false);
        } finally {
            if (copy != null) {
                deleteQuietly(copy);
            }
        }
    }

    /** Parses a complete answer in {@code body} and accepts or refuses it; on acceptance the file becomes the last good copy. */
    private Attempt accept(Path body, String etag, String lastModified, String fileStamp) {
        String bodyDigest;
        long bodySize;
        try {
            bodySize = Files.size(body);
            bodyDigest = digest(body);
        } catch (IOException e) {
            return new Attempt(Kind.ERROR, refusal("cannot read the download of " + where + ": " + scrub(e.toString()), "check the state directory"), false);
        }
        boolean sameSource = inForceMetadata != null && inForceMetadata.cameFrom(config.url());
        if (inForce != null && sameSource && bodyDigest.equals(inForceMetadata.bodyDigest())) {
            return new Attempt(Kind.NOT_MODIFIED, "feed " + config.name() + ": the same content again at " + where, false);
        }
        FeedContent content;
        try (InputStream input = Files.newInputStream(body)) {
            content = parse(input, config.format());
        } catch (SizeLimit.TooLarge e) {
            return new Attempt(Kind.GARBAGE, refusal("the answer from " + where + " is too large: " + e.getMessage(),
                    "check the feed's url; if the feed is this large, raise its max_size"), false);
        } catch (IOException e) {
            return new Attempt(Kind.GARBAGE, refusal("the answer from " + where + " cannot be read as a feed: " + scrub(e.getMessage()),
                    "check the feed's url and format"), false);
        }
        Attempt refused = guard(content);
        if (refused != null) {
            return refused;
        }
        Instant now = clock.instant();
        LastGood.Metadata metadata = new LastGood.Metadata(where, LastGood.sha256(config.url().getBytes(StandardCharsets.UTF_8)),
                etag, lastModified, fileStamp, now, content.size(), content.format(), bodySize, bodyDigest);
        int previous = inForce == null ? 0 : inForce.size();
        String saved = "";
        try {
            lastGood.commit(body, metadata);
        } catch (IOException e) {
            saved = "; but " + SAVE_FAILED + " in " + lastGood.directory() + " (" + scrub(e.toString())
                    + "): check free space and permissions, or a restart falls back to the older copy";
        }
        inForce = content;
        inForceMetadata = metadata;
        restoreProblem = null;
        String rejected = content.rejected() == 0 ? "" : ", " + content.rejected() + " rejected (first: " + sample(content) + ")";
        String below = content.belowMinScore() == 0 ? "" : ", " + content.belowMinScore() + " below min_score " + config.minScore();
        return new Attempt(Kind.OK, "feed " + config.name() + ": " + content.size() + " entries (were " + previous + ") from " + where
                + below + rejected + saved, false);
    }

    /** Why {@code content} is refused, or null to accept it. */
    private Attempt guard(FeedContent content) {
        long parsed = content.parsed();
        long rejected = content.rejected();
        if (parsed == 0 && rejected == 0) {
            return new Attempt(Kind.EMPTY, refusal("no entries in the answer from " + where,
                    "check the source; if the feed is empty on purpose, remove it from the configuration"), false);
        }
        if (parsed == 0 || rejected > parsed) {
            return new Attempt(Kind.GARBAGE, refusal("the answer from " + where + " is not a feed of addresses: " + parsed
                    + " entries and " + rejected + " rejected (first: " + sample(content) + ")",
                    "check the feed's url and format (it was read as " + content.format().name().toLowerCase(Locale.ROOT) + ")"), false);
        }
        if (content.size() == 0) {
            return new Attempt(Kind.EMPTY, refusal("no entries at or above min_score " + config.minScore() + " in the answer from " + where
                    + " (" + content.belowMinScore() + " below it)", "check the source, or lower the feed's min_score"), false);
        }
        FeedContent current = inForce;
        if (current != null && content.size() < (1 - config.shrinkGuard()) * current.size()) {
            long least = (long) Math.ceil((1 - config.shrinkGuard()) * current.size());
            return new Attempt(Kind.SHRUNK, refusal("the answer from " + where + " holds " + content.size() + " entries, fewer than the "
                    + least + " that shrink_guard " + config.shrinkGuard() + " allows after " + current.size(),
                    "if the feed really shrank, raise the feed's shrink_guard, or delete " + lastGood.directory() + " to take it as it is"), false);
        }
        return null;
    }

    private static String sample(FeedContent content) {
        if (content.rejectionSamples().isEmpty()) {
            return "none";
        }
        FeedContent.Rejection first = content.rejectionSamples().getFirst();
        return "line " + first.line() + " '" + first.text() + "': " + first.reason();
    }

    /** Reads content from raw bytes: gzip unpacked by its magic number, twice for a .gz file served with gzip encoding. */
    private FeedContent parse(InputStream raw, FeedFormat format) throws IOException {
        BufferedInputStream input = FeedSource.unpack(new BufferedInputStream(raw, BUFFER_SIZE));
        if (input != raw) {
            input = FeedSource.unpack(input);
        }
        // what gzip unpacks to is bounded too: a small body may hold gigabytes
        input = new BufferedInputStream(SizeLimit.content(input, config.maxSize()), BUFFER_SIZE);
        FeedFormat chosen = format != null ? format : detect(input);
        FeedContent.Builder builder = FeedContent.builder(config.minScore(), config.categories());
        chosen.parser(config.options(), clock).parse(input, builder);
        return builder.build(chosen);
    }

    private static FeedFormat detect(BufferedInputStream input) throws IOException {
        input.mark(FeedFormat.DETECT_BYTES);
        byte[] head = input.readNBytes(FeedFormat.DETECT_BYTES);
        input.reset();
        return FeedFormat.detect(head, head.length);
    }

    private static String digest(Path file) throws IOException {
        MessageDigest digest = LastGood.newDigest();
        byte[] buffer = new byte[BUFFER_SIZE];
        try (InputStream input = Files.newInputStream(file)) {
            for (int read = input.read(buffer); read >= 0; read = input.read(buffer)) {
                digest.update(buffer, 0, read);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** A refusal's message: what and where, what stays in force, what to do. */
    private String refusal(String what, String advice) {
        FeedContent current = inForce;
        String kept;
        if (current != null) {
            String from = inForceMetadata.cameFrom(config.url()) ? "" : " from " + inForceMetadata.url();
            kept = "keeping the last good content (" + current.size() + " entries, fetched " + inForceMetadata.fetchedAt() + from + ")";
        } else if (restoreProblem != null) {
            kept = "no good content to keep: " + restoreProblem;
        } else {
            kept = "no good content yet, so this feed blocks nothing";
        }
        return "feed " + config.name() + ": " + what + "; " + kept + "; " + advice;
    }

    private static String describe(Throwable failure) {
        if (failure instanceof HttpConnectTimeoutException) {
            return "timed out connecting";
        }
        if (failure instanceof ConnectException) {
            return "connection refused or unreachable";
        }
        if (failure instanceof HttpTimeoutException) {
            return "timed out";
        }
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() : failure.getClass().getSimpleName() + ": " + message;
    }

    private static String describe(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + " ms";
    }

    /** Text from elsewhere (an exception) with the exact URL and every header value hidden. */
    private String scrub(String text) {
        if (text == null) {
            return "no detail";
        }
        String scrubbed = text.replace(config.url(), where);
        for (String value : config.headers().values()) {
            if (!value.isEmpty()) {
                scrubbed = scrubbed.replace(value, "***");
            }
        }
        return scrubbed;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a leftover temporary file is removed at the next start (LastGood's constructor)
        }
    }

    @Override
    public String toString() {
        return "FeedFetcher[" + config.name() + ", " + where + "]";
    }
}
