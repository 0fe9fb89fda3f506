package dev.bulwark.feed;

import dev.bulwark.feed.format.EntrySink;
import dev.bulwark.feed.format.FeedFormat;
import dev.bulwark.feed.format.ParseOptions;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/** Opens a feed, tells its format (unless forced) and parses it into a sink. */
public final class FeedReader {
    private final Supplier<HttpClient> http;
    private final Duration timeout;
    private final InputStream stdin;
    private final Clock clock;

    /** {@code http} is asked for a client only when a feed is a URL: creating one costs start-up time. */
    public FeedReader(Supplier<HttpClient> http, Duration timeout, InputStream stdin, Clock clock) {
        this.http = http;
        this.timeout = timeout;
        this.stdin = stdin;
        this.clock = clock;
    }

    /** A reader whose HTTP client is made at the first URL feed, once: most runs read only files. */
    public static FeedReader withDefaultClient(Duration timeout, InputStream stdin, Clock clock) {
        HttpClient[] made = new HttpClient[1];
        return new FeedReader(() -> {
            if (made[0] == null) {
                made[0] = defaultHttpClient(timeout);
            }
            return made[0];
        }, timeout, stdin, clock);
    }

    public static HttpClient defaultHttpClient(Duration connectTimeout) {
        return HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /**
     * Reads the whole feed into the sink; returns the format it was read as. {@code format} null
     * means detect it from the content. Throws {@link IOException} when the feed cannot be read.
     */
    public FeedFormat read(FeedSource source, FeedFormat format, ParseOptions options, EntrySink sink) throws IOException {
        try (InputStream input = source.open(stdin, http, timeout)) {
            FeedFormat chosen = format != null ? format : detect(input);
            chosen.parser(options, clock).parse(input, sink);
            return chosen;
        }
    }

    private static FeedFormat detect(InputStream input) throws IOException {
        // FeedSource.open returns a buffered stream, which supports mark and reset
        input.mark(FeedFormat.DETECT_BYTES);
        byte[] head = input.readNBytes(FeedFormat.DETECT_BYTES);
        input.reset();
        return FeedFormat.detect(head, head.length);
    }
}
