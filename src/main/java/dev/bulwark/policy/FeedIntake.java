package dev.bulwark.policy;

import dev.bulwark.feed.format.EntrySink;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpRange;
import dev.bulwark.ip.IpSet;

import java.util.ArrayList;
import java.util.List;

/**
 * Takes one feed's entries into a shared builder, applying the score and prefix limits and
 * counting what it keeps out, so that the summary can explain the list.
 */
public final class FeedIntake implements EntrySink {
    /** How many examples of each kind of problem a summary shows. */
    public static final int SAMPLES = 5;

    private final String feed;
    private final CompilePolicy policy;
    private final IpSet.Builder target;
    private long accepted;
    private long rejected;
    private long belowScore;
    private long tooBroad;
    private long touchingProtected;
    private final List<Rejection> rejectedSamples = new ArrayList<>();
    private final List<String> tooBroadSamples = new ArrayList<>();
    private final List<String> protectedSamples = new ArrayList<>();

    FeedIntake(String feed, CompilePolicy policy, IpSet.Builder target) {
        this.feed = feed;
        this.policy = policy;
        this.target = target;
    }

    @Override
    public void entry(IpFamily family, long firstHigh, long firstLow, long lastHigh, long lastLow, int score, List<String> categories) {
        accepted++;
        if (score != NO_SCORE && score < policy.minScore()) {
            belowScore++;
            return;
        }
        int limit = family == IpFamily.IPV4 ? policy.maxPrefixIpv4() : policy.maxPrefixIpv6();
        if (IpRange.isBroaderThan(family, firstHigh, firstLow, lastHigh, lastLow, limit)) {
            tooBroad++;
            if (tooBroadSamples.size() < SAMPLES) {
                tooBroadSamples.add(describe(family, firstHigh, firstLow, lastHigh, lastLow));
            }
            return;
        }
        ProtectedCategory touched = policy.protection().touchedBy(family, firstHigh, firstLow, lastHigh, lastLow);
        if (touched != null) {
            // still added: the final difference removes exactly the protected part of it
            touchingProtected++;
            if (protectedSamples.size() < SAMPLES) {
                protectedSamples.add(describe(family, firstHigh, firstLow, lastHigh, lastLow) + " (" + touched.label() + ")");
            }
        }
        target.add(family, firstHigh, firstLow, lastHigh, lastLow);
    }

    @Override
    public void rejected(long line, String text, String reason) {
        rejected++;
        if (rejectedSamples.size() < SAMPLES) {
            rejectedSamples.add(new Rejection(line, text, reason));
        }
    }

    private static String describe(IpFamily family, long firstHigh, long firstLow, long lastHigh, long lastLow) {
        return new IpRange(new IpAddress(family, firstHigh, firstLow), new IpAddress(family, lastHigh, lastLow)).toString();
    }

    /** The summary of the feed as read in {@code format}: text and CSV count lines, JSON and STIX records. */
    public FeedSummary summary(String format) {
        String where = format.equals("text") || format.equals("csv") ? "line " : "record ";
        List<String> rejections = rejectedSamples.stream()
                .map(rejection -> where + rejection.line() + ": '" + rejection.text() + "': " + rejection.reason())
                .toList();
        return new FeedSummary(feed, format, accepted + rejected, accepted, rejected, belowScore, tooBroad, touchingProtected,
                rejections, tooBroadSamples, protectedSamples);
    }

    private record Rejection(long line, String text, String reason) {
    }
}
