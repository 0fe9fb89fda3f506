package dev.bulwark.feed;

import static java.util.Objects.requireNonNull;

import dev.bulwark.Version;

import java.io.BufferedInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;

/**
 * Where a feed comes from: a path, a {@code file:} URL, an {@code http:} or {@code https:} URL,
 * or {@code -} for standard input. {@link #open} returns its content, gzip-unpacked when the
 * bytes start with the gzip magic number, whatever the name or the headers say.
 */
public final class FeedSource {
    private static final int BUFFER_SIZE = 1 << 16;

    private final String location;
    private final Kind kind;
    private final URI uri;
    private final Path path;

    private enum Kind { STDIN, FILE, HTTP }

    private FeedSource(String location, Kind kind, URI uri, Path path) {
        this.location = location;
        this.kind = kind;
        this.uri = uri;
        this.path = path;
    }

    /** Throws {@link IllegalArgumentException} for a URL that is malformed or of an unsupported scheme. */
    public static FeedSource of(String location) {
        requireNonNull(location, "location is null");
        if (location.isBlank()) {
            throw new IllegalArgumentException("empty feed location");
        }
        if (location.equals("-")) {
            return new FeedSource(location, Kind.STDIN, null, null);
        }
        String lower = location.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            try {
                URI uri = new URI(location);
                if (uri.getHost() == null) {
                    throw new IllegalArgumentException("feed URL has no host: " + Redaction.url(location));
                }
                return new FeedSource(location, Kind.HTTP, uri, null);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("malformed feed URL " + Redaction.url(location) + ": " + e.getReason());
            }
        }
        if (lower.startsWith("file:")) {
            try {
                return new FeedSource(location, Kind.FILE, null, Path.of(new URI(location)));
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new IllegalArgumentException("malformed file URL '" + location + "': " + e.getMessage()
                        + " (write file:///absolute/path, or just the path)");
            }
        }
        if (lower.matches("^[a-z][a-z0-9+.-]*://.*")) {
            throw new IllegalArgumentException("unsupported feed URL scheme in '" + Redaction.url(location)
                    + "': use a path, file:, http: or https:");
        }
        return new FeedSource(location, Kind.FILE, null, Path.of(location));
    }

    public String location() {
        return location;
    }

    /** The location fit for logs and summaries: URL credentials and secret-looking query values hidden. */
    public String displayName() {
        return switch (kind) {
            case STDIN -> "stdin";
            case FILE -> location;
            case HTTP -> Redaction.url(location);
        };
    }

    public boolean isStdin() {
        return kind == Kind.STDIN;
    }

    /** The file of a path or {@code file:} feed; null for a URL or standard input. */
    Path path() {
        return path;
    }

    /** The URL of an {@code http:} or {@code https:} feed; null otherwise. */
    URI uri() {
        return uri;
    }

    /**
     * Opens the content, buffered and unpacked. {@code stdin} is what {@code -} reads; the HTTP
     * client and timeout are used for URLs only. Throws {@link IOException} with the location
     * (redacted) and the cause, e.g. a missing file or an HTTP status other than 200.
     */
    public InputStream open(InputStream stdin, Supplier<HttpClient> http, Duration timeout) throws IOException {
        InputStream raw = switch (kind) {
            case STDIN -> stdin;
            case FILE -> openFile();
            case HTTP -> openHttp(http.get(), timeout);
        };
        return unpack(new BufferedInputStream(raw, BUFFER_SIZE));
    }

    private InputStream openFile() throws IOException {
        try {
            return Files.newInputStream(path);
        } catch (NoSuchFileException | FileNotFoundException e) {
            throw new IOException("feed file not found: " + path.toAbsolutePath(), e);
        }
    }

    /**
     * Downloads to a temporary file under one deadline for the whole exchange, headers and body:
     * a server that stalls halfway through the body must not hang the caller. The file is
     * deleted when the returned stream is closed.
     */
    private InputStream openHttp(HttpClient http, Duration timeout) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Accept-Encoding", "gzip")
                .header("User-Agent", "bulwark/" + Version.current())
                .GET()
                .build();
        Path download = Files.createTempFile("bulwark-feed", ".download");
        CompletableFuture<HttpResponse<Path>> exchange = http.sendAsync(request, HttpResponse.BodyHandlers.ofFile(download));
        try {
            HttpResponse<Path> response = exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (response.statusCode() != 200) {
                throw new IOException("cannot fetch " + displayName() + ": HTTP status " + response.statusCode());
            }
            return Files.newInputStream(download, StandardOpenOption.DELETE_ON_CLOSE);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            Files.deleteIfExists(download);
            throw new IOException("cannot fetch " + displayName() + ": timed out, no complete answer within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Files.deleteIfExists(download);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + displayName(), e);
        } catch (ExecutionException e) {
            Files.deleteIfExists(download);
            throw new IOException("cannot fetch " + displayName() + ": " + describe(e.getCause()), e.getCause());
        } catch (IOException e) {
            Files.deleteIfExists(download);
            throw e;
        }
    }

    private static String describe(Throwable failure) {
        if (failure instanceof ConnectException) {
            return "connection refused or unreachable";
        }
        if (failure instanceof HttpTimeoutException) {
            return "timed out";
        }
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
    }

    /** Unpacks gzip by its magic number, so that .gz files, gzip bodies and piped archives all work. */
    static BufferedInputStream unpack(BufferedInputStream input) throws IOException {
        input.mark(2);
        int first = input.read();
        int second = input.read();
        input.reset();
        if (first == 0x1f && second == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(input, BUFFER_SIZE), BUFFER_SIZE);
        }
        return input;
    }

    @Override
    public String toString() {
        return displayName();
    }
}
