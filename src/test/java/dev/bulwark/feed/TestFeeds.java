package dev.bulwark.feed;

import dev.bulwark.decision.Action;
import dev.bulwark.feed.format.FeedFormat;
import dev.bulwark.feed.format.ParseOptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Feed configurations for tests, with the defaults a user gets, changed one setting at a time. */
final class TestFeeds {
    private String name = "test";
    private String url;
    private FeedFormat format;
    private ParseOptions options = ParseOptions.DEFAULTS;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private Duration every = Duration.ofHours(1);
    private Duration jitter = Duration.ZERO;
    private int minScore;
    private double shrinkGuard = FeedConfig.DEFAULT_SHRINK_GUARD;
    private Duration timeout = Duration.ofSeconds(5);
    private int retries;
    private List<String> categories = List.of();
    private long maxSize = FeedConfig.DEFAULT_MAX_SIZE;

    private TestFeeds(String url) {
        this.url = url;
    }

    static TestFeeds feed(String url) {
        return new TestFeeds(url);
    }

    TestFeeds name(String value) { name = value; return this; }
    TestFeeds url(String value) { url = value; return this; }
    TestFeeds format(FeedFormat value) { format = value; return this; }
    TestFeeds options(ParseOptions value) { options = value; return this; }
    TestFeeds header(String header, String value) { headers.put(header, value); return this; }
    TestFeeds every(Duration value) { every = value; return this; }
    TestFeeds jitter(Duration value) { jitter = value; return this; }
    TestFeeds minScore(int value) { minScore = value; return this; }
    TestFeeds shrinkGuard(double value) { shrinkGuard = value; return this; }
    TestFeeds timeout(Duration value) { timeout = value; return this; }
    TestFeeds retries(int value) { retries = value; return this; }
    TestFeeds categories(String... values) { categories = List.of(values); return this; }
    TestFeeds maxSize(long value) { maxSize = value; return this; }

    FeedConfig build() {
        return new FeedConfig(name, url, format, options, headers, every, jitter, minScore, null, shrinkGuard, Action.BLOCK,
                timeout, retries, categories, maxSize);
    }

    /** A test resource under {@code src/test/resources/feeds/}. */
    static byte[] resource(String path) {
        try (InputStream input = TestFeeds.class.getResourceAsStream("/feeds/" + path)) {
            if (input == null) {
                throw new IllegalArgumentException("no test resource /feeds/" + path);
            }
            return input.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Random whose every double is {@code value}: jitter and backoff become predictable. */
    static Random fixedRandom(double value) {
        return new Random() {
            @Override
            public double nextDouble() {
                return value;
            }
        };
    }
}
