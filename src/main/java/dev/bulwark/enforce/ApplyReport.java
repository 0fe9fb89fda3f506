package dev.bulwark.enforce;

import java.time.Duration;

/**
 * What one apply did. {@code full} says the target was loaded whole (first run, lost state, drift
 * or a changed layout; {@code reason} says which) rather than by difference. {@code leftToExpire}
 * elements were about to time out in the kernel and were left to it.
 */
public record ApplyReport(String enforcer, boolean full, String reason, long added, long removed, long refreshed, long kept,
                          long leftToExpire, long elements, Duration took) {

    public boolean changed() {
        return full || added > 0 || removed > 0 || refreshed > 0;
    }

    public String summary() {
        String how = full ? "full load (" + reason + ")" : changed() ? "incremental" : "unchanged";
        return String.format("%s: %s: %d added, %d removed, %d refreshed, %d kept; %d elements in %d ms",
                enforcer, how, added, removed, refreshed, kept, elements, took.toMillis())
                + (leftToExpire > 0 ? "; " + leftToExpire + " left to expire" : "");
    }
}
