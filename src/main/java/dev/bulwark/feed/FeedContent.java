package dev.bulwark.feed;

import static java.util.Objects.requireNonNull;

import dev.bulwark.feed.format.EntrySink;
import dev.bulwark.feed.format.FeedFormat;
import dev.bulwark.ip.IpFamily;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One feed's parsed content, immutable and compact enough for millions of entries: parallel
 * primitive arrays, one slot an entry, read through the per-index accessors. The entries are
 * already filtered by the feed's {@code min_score} and carry the feed's own categories after
 * their own; categories are an index into a small table of shared immutable lists.
 *
 * <p>An array that would hold the same value in every slot is not kept at all: an IPv4 feed
 * has no high halves, a feed without scores no score array, and so on. A plain IPv4 list costs
 * two {@code long}s an entry.
 */
public final class FeedContent {
    /** How many rejected entries are kept as samples. */
    public static final int SAMPLES = 5;

    /** A malformed entry the parser skipped: where ({@code line}, or record number), its text, and why. */
    public record Rejection(long line, String text, String reason) {
        public Rejection {
            requireNonNull(text, "text is null");
            requireNonNull(reason, "reason is null");
        }
    }

    private static final IpFamily[] FAMILIES = IpFamily.values();

    private final FeedFormat format;
    private final int size;
    private final IpFamily uniformFamily;
    /** Null when every entry is of {@link #uniformFamily}. */
    private final byte[] families;
    /** Null when every high half is zero, as in an IPv4 feed. */
    private final long[] firstHighs;
    private final long[] firstLows;
    private final long[] lastHighs;
    private final long[] lastLows;
    /** Null when no entry has a score. */
    private final byte[] scores;
    /** Null when no entry has an expiry. */
    private final long[] expiries;
    /** Null when every entry has the categories at index 0 (the feed's own only). */
    private final int[] categoryIndexes;
    private final List<List<String>> categoryTable;
    private final long parsed;
    private final long belowMinScore;
    private final long rejected;
    private final List<Rejection> rejectionSamples;

    private FeedContent(Builder builder, FeedFormat format) {
        this.format = format;
        this.size = builder.size;
        this.uniformFamily = builder.uniformFamily;
        this.families = trim(builder.families, size);
        this.firstHighs = trim(builder.firstHighs, size);
        this.firstLows = trim(builder.firstLows, size);
        this.lastHighs = trim(builder.lastHighs, size);
        this.lastLows = trim(builder.lastLows, size);
        this.scores = trim(builder.scores, size);
        this.expiries = trim(builder.expiries, size);
        this.categoryIndexes = trim(builder.categoryIndexes, size);
        this.categoryTable = List.copyOf(builder.categoryTable);
        this.parsed = builder.parsed;
        this.belowMinScore = builder.belowMinScore;
        this.rejected = builder.rejected;
        this.rejectionSamples = List.copyOf(builder.samples);
    }

    /** A builder that keeps entries scored at or above {@code minScore} (and every unscored one), adding {@code categories}. */
    public static Builder builder(int minScore, List<String> categories) {
        return new Builder(minScore, categories);
    }

    /** The format the content was read as. */
    public FeedFormat format() {
        return format;
    }

    /** Entries held: those the parser delivered, less those below the feed's minimum score. */
    public int size() {
        return size;
    }

    public IpFamily family(int index) {
        checkIndex(index);
        return families == null ? uniformFamily : FAMILIES[families[index]];
    }

    public long firstHigh(int index) {
        checkIndex(index);
        return firstHighs == null ? 0 : firstHighs[index];
    }

    public long firstLow(int index) {
        return firstLows[checkIndex(index)];
    }

    public long lastHigh(int index) {
        checkIndex(index);
        return lastHighs == null ? 0 : lastHighs[index];
    }

    public long lastLow(int index) {
        return lastLows[checkIndex(index)];
    }

    /** From 0 to 100, or {@link EntrySink#NO_SCORE}. */
    public int score(int index) {
        checkIndex(index);
        return scores == null ? EntrySink.NO_SCORE : scores[index];
    }

    /** The epoch second at which the feed says the entry stops being valid, or {@link EntrySink#NO_EXPIRY}. */
    public long expiresEpochSecond(int index) {
        checkIndex(index);
        return expiries == null ? EntrySink.NO_EXPIRY : expiries[index];
    }

    /** The entry's own categories followed by the feed's, without repeats; a list shared by many entries. */
    public List<String> categories(int index) {
        checkIndex(index);
        return categoryTable.get(categoryIndexes == null ? 0 : categoryIndexes[index]);
    }

    /** Hands every entry to {@code sink}, in order, with its expiry. */
    public void deliverTo(EntrySink sink) {
        for (int index = 0; index < size; index++) {
            sink.entry(family(index), firstHigh(index), firstLow(index), lastHigh(index), lastLow(index), score(index),
                    categories(index), expiresEpochSecond(index));
        }
    }

    /** Entries the parser delivered, before the minimum score was applied. */
    public long parsed() {
        return parsed;
    }

    /** Entries left out because their score was below the feed's {@code min_score}. */
    public long belowMinScore() {
        return belowMinScore;
    }

    /** Malformed entries the parser skipped. */
    public long rejected() {
        return rejected;
    }

    /** The first {@link #SAMPLES} rejections. */
    public List<Rejection> rejectionSamples() {
        return rejectionSamples;
    }

    /** The heap the entry arrays take, in bytes (array headers included, the shared category lists not). */
    public long estimatedBytes() {
        long bytes = 0;
        bytes += arrayBytes(families == null ? -1 : families.length, 1);
        bytes += arrayBytes(firstHighs == null ? -1 : firstHighs.length, 8);
        bytes += arrayBytes(firstLows.length, 8);
        bytes += arrayBytes(lastHighs == null ? -1 : lastHighs.length, 8);
        bytes += arrayBytes(lastLows.length, 8);
        bytes += arrayBytes(scores == null ? -1 : scores.length, 1);
        bytes += arrayBytes(expiries == null ? -1 : expiries.length, 8);
        bytes += arrayBytes(categoryIndexes == null ? -1 : categoryIndexes.length, 4);
        return bytes;
    }

    private static long arrayBytes(int length, int elementBytes) {
        if (length < 0) {
            return 0;
        }
        // a 16-byte header, the elements, padding to 8 bytes
        return (16 + (long) length * elementBytes + 7) & ~7L;
    }

    private int checkIndex(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("entry " + index + " of a feed content of " + size);
        }
        return index;
    }

    @Override
    public String toString() {
        return "FeedContent[" + format + ", " + size + " entries, " + belowMinScore + " below min score, " + rejected + " rejected]";
    }

    private static byte[] trim(byte[] array, int size) {
        return array == null || array.length == size ? array : Arrays.copyOf(array, size);
    }

    private static long[] trim(long[] array, int size) {
        return array == null || array.length == size ? array : Arrays.copyOf(array, size);
    }

    private static int[] trim(int[] array, int size) {
        return array == null || array.length == size ? array : Arrays.copyOf(array, size);
    }

    /**
     * Collects what a parser delivers. Arrays are made only when a value differs from the
     * default for the first time, so a plain IPv4 list grows two arrays, not eight. One parse
     * at a time: not thread-safe.
     */
    public static final class Builder implements EntrySink {
        private static final int INITIAL_CAPACITY = 1024;

        private final int minScore;
        private final List<String> feedCategories;
        private final List<List<String>> categoryTable = new ArrayList<>();
        /** The table index of each entry category list seen, by the list the parser gave. */
        private final Map<List<String>, Integer> categoryIndexByOwn = new HashMap<>();
        /** The table index of each merged list, so that lists merging to the same one share it. */
        private final Map<List<String>, Integer> categoryIndexByMerged = new HashMap<>();
        private List<String> lastOwnCategories;
        private int lastCategoryIndex;

        private int size;
        private int capacity;
        private IpFamily uniformFamily;
        private byte[] families;
        private long[] firstHighs;
        private long[] firstLows = new long[INITIAL_CAPACITY];
        private long[] lastHighs;
        private long[] lastLows = new long[INITIAL_CAPACITY];
        private byte[] scores;
        private long[] expiries;
        private int[] categoryIndexes;
        private long parsed;
        private long belowMinScore;
        private long rejected;
        private final List<Rejection> samples = new ArrayList<>();

        private Builder(int minScore, List<String> categories) {
            if (minScore < 0 || minScore > 100) {
                throw new IllegalArgumentException("minimum score must be 0 to 100, not " + minScore);
            }
            this.minScore = minScore;
            this.feedCategories = List.copyOf(categories);
            this.capacity = INITIAL_CAPACITY;
            categoryTable.add(feedCategories);
            categoryIndexByMerged.put(feedCategories, 0);
            lastOwnCategories = List.of();
            lastCategoryIndex = 0;
            categoryIndexByOwn.put(List.of(), 0);
        }

        @Override
        public void entry(IpFamily family, long firstHigh, long firstLow, long lastHigh, long lastLow, int score, List<String> categories) {
            entry(family, firstHigh, firstLow, lastHigh, lastLow, score, categories, NO_EXPIRY);
        }

        @Override
        public void entry(IpFamily family, long firstHigh, long firstLow, long lastHigh, long lastLow, int score, List<String> categories,
                          long expiresEpochSecond) {
            parsed++;
            if (score != NO_SCORE && score < minScore) {
                belowMinScore++;
                return;
            }
            if (size == capacity) {
                grow();
            }
            int index = size++;
            if (uniformFamily == null) {
                uniformFamily = family;
            } else if (family != uniformFamily && families == null) {
                families = new byte[capacity];
                Arrays.fill(families, 0, index, (byte) uniformFamily.ordinal());
            }
            if (families != null) {
                families[index] = (byte) family.ordinal();
            }
            if ((firstHigh | lastHigh) != 0 && firstHighs == null) {
                firstHighs = new long[capacity];
                lastHighs = new long[capacity];
            }
            if (firstHighs != null) {
                firstHighs[index] = firstHigh;
                lastHighs[index] = lastHigh;
            }
            firstLows[index] = firstLow;
            lastLows[index] = lastLow;
            if (score != NO_SCORE && scores == null) {
                scores = new byte[capacity];
                Arrays.fill(scores, 0, index, (byte) NO_SCORE);
            }
            if (scores != null) {
                scores[index] = (byte) score;
            }
            if (expiresEpochSecond != NO_EXPIRY && expiries == null) {
                expiries = new long[capacity];
            }
            if (expiries != null) {
                expiries[index] = expiresEpochSecond;
            }
            int categoryIndex = categoryIndex(categories);
            if (categoryIndex != 0 && categoryIndexes == null) {
                categoryIndexes = new int[capacity];
            }
            if (categoryIndexes != null) {
                categoryIndexes[index] = categoryIndex;
            }
        }

        private int categoryIndex(List<String> own) {
            // parsers often hand the same list object to many entries in a row
            if (own == lastOwnCategories) {
                return lastCategoryIndex;
            }
            Integer index = categoryIndexByOwn.get(own);
            if (index == null) {
                List<String> merged = merge(own);
                index = categoryIndexByMerged.get(merged);
                if (index == null) {
                    index = categoryTable.size();
                    categoryTable.add(merged);
                    categoryIndexByMerged.put(merged, index);
                }
                categoryIndexByOwn.put(List.copyOf(own), index);
            }
            lastOwnCategories = own;
            lastCategoryIndex = index;
            return index;
        }

        private List<String> merge(List<String> own) {
            Set<String> merged = new LinkedHashSet<>(own);
            merged.addAll(feedCategories);
            return List.copyOf(merged);
        }

        private void grow() {
            int grown = capacity < (1 << 20) ? capacity * 2 : capacity + (capacity >> 1);
            if (grown < 0 || grown > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("feed content of more than " + capacity + " entries");
            }
            capacity = grown;
            families = families == null ? null : Arrays.copyOf(families, grown);
            firstHighs = firstHighs == null ? null : Arrays.copyOf(firstHighs, grown);
            lastHighs = lastHighs == null ? null : Arrays.copyOf(lastHighs, grown);
            firstLows = Arrays.copyOf(firstLows, grown);
            lastLows = Arrays.copyOf(lastLows, grown);
            scores = scores == null ? null : Arrays.copyOf(scores, grown);
            expiries = expiries == null ? null : Arrays.copyOf(expiries, grown);
            categoryIndexes = categoryIndexes == null ? null : Arrays.copyOf(categoryIndexes, grown);
        }

        @Override
        public void rejected(long line, String text, String reason) {
            rejected++;
            if (samples.size() < SAMPLES) {
                samples.add(new Rejection(line, text, reason));
            }
        }

        /** Entries delivered so far, before the minimum score. */
        public long parsed() {
            return parsed;
        }

        public long rejected() {
            return rejected;
        }

        /** The content; the builder must not be used afterwards. */
        public FeedContent build(FeedFormat format) {
            requireNonNull(format, "format is null");
            if (uniformFamily == null) {
                uniformFamily = IpFamily.IPV4;
            }
            return new FeedContent(this, format);
        }
    }
}
