package dev.bulwark.detect.jail;

import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpRange;
import dev.bulwark.ip.IpSet;

/**
 * Who a failure counts against in one jail: an address, an IPv6 prefix, or a failure id that is
 * no address. {@code key} names it in the jail's tables and in the ban counts.
 *
 * @param target null for a failure id that is no address
 */
record Offender(String key, IpRange target) {
    static final String ID_PREFIX = "id:";

    /**
     * The offender of failure id {@code id} under {@code rules}, or null when the jail ignores
     * it. An IPv6 address counts as its /ipv6Prefix, unless that prefix holds an ignored
     * address: then as the address alone, so that the ban never covers what ignoreip protects.
     */
    static Offender of(String id, JailRules rules) {
        IpAddress address = address(id);
        if (address == null) {
            // a <F-ID> such as a user name: counted like an address, never enforced
            return new Offender(ID_PREFIX + id, null);
        }
        if (rules.ignoreIp().contains(address)) {
            return null;
        }
        IpRange target = new IpRange(address, address);
        if (address.family() == IpFamily.IPV6 && rules.ipv6Prefix() < 128) {
            IpRange prefix = ipv6Prefix(address, rules.ipv6Prefix());
            if (!rules.ignoreIp().overlaps(prefix)) {
                target = prefix;
            }
        }
        return of(target);
    }

    /** The /length (1 to 127) holding an IPv6 address. */
    static IpRange ipv6Prefix(IpAddress address, int length) {
        long highMask = length >= 64 ? -1L : -1L << (64 - length);
        long lowMask = length <= 64 ? 0 : -1L << (128 - length);
        return new IpRange(IpAddress.ipv6(address.high() & highMask, address.low() & lowMask),
                IpAddress.ipv6(address.high() | ~highMask, address.low() | ~lowMask));
    }

    static Offender of(IpRange target) {
        return new Offender(target.toString(), target);
    }

    /** The address {@code id} is, or null: a failure id names an address only when it is one whole address. */
    private static IpAddress address(String id) {
        String trimmed = id.strip();
        if (trimmed.isEmpty() || trimmed.indexOf('/') >= 0 || trimmed.indexOf('-') >= 0) {
            return null;
        }
        IpRange range = IpRange.tryParse(trimmed);
        return range != null && range.isSingleAddress() ? range.first() : null;
    }

    /** Whether the recidive rule's ignoreip holds any of it. */
    boolean ignoredBy(IpSet ignoreIp) {
        return target != null && ignoreIp.overlaps(target);
    }
}
