package dev.bulwark.policy;

import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpSet;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** The protected ranges in force: the union of some {@link ProtectedCategory}s. */
public final class Protection {
    private final List<ProtectedCategory> categories;
    private final IpSet ranges;

    private Protection(Set<ProtectedCategory> categories) {
        this.categories = List.copyOf(categories);
        IpSet union = IpSet.empty();
        for (ProtectedCategory category : categories) {
            union = union.union(category.ranges());
        }
        this.ranges = union;
    }

    public static Protection all() {
        return new Protection(EnumSet.allOf(ProtectedCategory.class));
    }

    public static Protection none() {
        return new Protection(EnumSet.noneOf(ProtectedCategory.class));
    }

    /** Parses {@code all}, {@code none} or a comma-separated list such as {@code loopback,private}. */
    public static Protection parse(String text) {
        String trimmed = text.trim();
        if (trimmed.equalsIgnoreCase("all") || trimmed.equalsIgnoreCase("default")) {
            return all();
        }
        if (trimmed.equalsIgnoreCase("none")) {
            return none();
        }
        EnumSet<ProtectedCategory> chosen = EnumSet.noneOf(ProtectedCategory.class);
        Arrays.stream(trimmed.split(",")).filter(label -> !label.isBlank()).map(ProtectedCategory::parse).forEach(chosen::add);
        return new Protection(chosen);
    }

    public IpSet ranges() {
        return ranges;
    }

    /** The first category the range touches, or null. */
    public ProtectedCategory touchedBy(IpFamily family, long firstHigh, long firstLow, long lastHigh, long lastLow) {
        if (!ranges.overlaps(family, firstHigh, firstLow, lastHigh, lastLow)) {
            return null;
        }
        for (ProtectedCategory category : categories) {
            if (category.ranges().overlaps(family, firstHigh, firstLow, lastHigh, lastLow)) {
                return category;
            }
        }
        return null;
    }
}
