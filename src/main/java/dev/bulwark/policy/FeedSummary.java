package dev.bulwark.policy;

import java.util.List;

/**
 * What one feed gave: entries read (well-formed and malformed), accepted (well-formed),
 * rejected (malformed, with the first few and why), and of the accepted ones those left out by
 * score or prefix limit and those that touched protected ranges (kept out of the list).
 */
public record FeedSummary(String feed, String format, long read, long accepted, long rejected,
                          long belowScore, long tooBroad, long touchingProtected,
                          List<String> rejectedSamples, List<String> tooBroadSamples, List<String> protectedSamples) {
    public FeedSummary {
        rejectedSamples = List.copyOf(rejectedSamples);
        tooBroadSamples = List.copyOf(tooBroadSamples);
        protectedSamples = List.copyOf(protectedSamples);
    }
}
