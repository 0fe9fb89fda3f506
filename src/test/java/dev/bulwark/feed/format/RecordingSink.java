package dev.bulwark.feed.format;

import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpFormat;

import java.util.ArrayList;
import java.util.List;

/** Keeps what a parser delivers, entries as text ({@code 192.0.2.0/24}, {@code 192.0.2.1-192.0.2.9}). */
final class RecordingSink implements EntrySink {
    record Entry(String range, int score, List<String> categories) {
        @Override
        public String toString() {
            return range + " score " + score + " " + categories;
        }
    }

    record Rejection(long line, String text, String reason) {
    }

    final List<Entry> entries = new ArrayList<>();
    /** The expiry of each entry, in the order of {@link #entries}. */
    final List<Long> expiries = new ArrayList<>();
    final List<Rejection> rejections = new ArrayList<>();

    @Override
    public void entry(IpFamily family, long firstHigh, long firstLow, long lastHigh, long lastLow, int score, List<String> categories) {
        entry(family, firstHigh, firstLow, lastHigh, lastLow, score, categories, NO_EXPIRY);
    }

    @Override
    public void entry(IpFamily family, long firstHigh, long firstLow, long lastHigh, long lastLow, int score, List<String> categories,
                      long expiresEpochSecond) {
        entries.add(new Entry(format(family, firstHigh, firstLow, lastHigh, lastLow), score, categories));
        expiries.add(expiresEpochSecond);
    }

    /** A prefix when the range is one ({@code 192.0.2.0/24}, {@code 192.0.2.1}), else {@code first-last}. */
    private static String format(IpFamily family, long firstHigh, long firstLow, long lastHigh, long lastLow) {
        long differentHigh = firstHigh ^ lastHigh;
        long differentLow = firstLow ^ lastLow;
        boolean lowAllOnes = differentLow == -1L;
        // a prefix: the differing bits are all the low bits, ones in last and zeros in first
        boolean trailingOnes = differentHigh == 0 ? (differentLow & (differentLow + 1)) == 0
                : lowAllOnes && (differentHigh & (differentHigh + 1)) == 0;
        boolean aligned = (firstHigh & differentHigh) == 0 && (firstLow & differentLow) == 0;
        if (trailingOnes && aligned) {
            int hostBits = Long.bitCount(differentHigh) + Long.bitCount(differentLow);
            return IpFormat.prefix(family, firstHigh, firstLow, family.bits() - hostBits);
        }
        return IpFormat.address(family, firstHigh, firstLow) + "-" + IpFormat.address(family, lastHigh, lastLow);
    }

    @Override
    public void rejected(long line, String text, String reason) {
        rejections.add(new Rejection(line, text, reason));
    }

    List<String> ranges() {
        return entries.stream().map(Entry::range).toList();
    }

    List<Long> rejectedLines() {
        return rejections.stream().map(Rejection::line).toList();
    }
}
