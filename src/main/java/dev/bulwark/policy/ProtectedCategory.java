package dev.bulwark.policy;

import dev.bulwark.ip.IpSet;

import java.util.Locale;

/**
 * Address ranges that are never blocked, whatever a feed says: blocking them cuts a host off
 * from itself, its network or the protocols it runs on.
 */
public enum ProtectedCategory {
    LOOPBACK("127.0.0.0/8", "::1"),
    UNSPECIFIED("0.0.0.0/8", "::"),
    PRIVATE("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"),
    LINK_LOCAL("169.254.0.0/16", "fe80::/10"),
    MULTICAST("224.0.0.0/4", "ff00::/8"),
    BROADCAST("255.255.255.255");

    private final IpSet ranges;

    ProtectedCategory(String... ranges) {
        this.ranges = IpSet.of(ranges);
    }

    public IpSet ranges() {
        return ranges;
    }

    /** The name users write: {@code link-local}, {@code private}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static ProtectedCategory parse(String label) {
        for (ProtectedCategory category : values()) {
            if (category.label().equals(label.trim().toLowerCase(Locale.ROOT))) {
                return category;
            }
        }
        throw new IllegalArgumentException("unknown protected range '" + label + "': use "
                + String.join(", ", java.util.Arrays.stream(values()).map(ProtectedCategory::label).toList()) + ", all or none");
    }
}
