package dev.bulwark.policy;

import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpSet;

import java.util.List;

/**
 * The addresses blocking would lock this host out of, as last read: its own addresses, its
 * default gateways, the peers of its open SSH sessions. Immutable; the daemon reads them again
 * now and then and publishes a new one.
 */
public record HostExclusions(List<IpAddress> ownAddresses, List<IpAddress> gateways, List<IpAddress> sshPeers) {
    public HostExclusions {
        ownAddresses = List.copyOf(ownAddresses);
        gateways = List.copyOf(gateways);
        sshPeers = List.copyOf(sshPeers);
    }

    public static HostExclusions none() {
        return new HostExclusions(List.of(), List.of(), List.of());
    }

    public IpSet addresses() {
        IpSet.Builder builder = IpSet.builder();
        for (List<IpAddress> list : List.of(ownAddresses, gateways, sshPeers)) {
            for (IpAddress address : list) {
                builder.add(address.family(), address.high(), address.low(), address.high(), address.low());
            }
        }
        return builder.build();
    }

    /** What {@code address} is to this host, or null. */
    public String describe(IpAddress address) {
        if (ownAddresses.contains(address)) {
            return "an address of this host";
        }
        if (gateways.contains(address)) {
            return "this host's default gateway";
        }
        if (sshPeers.contains(address)) {
            return "the peer of an open SSH session";
        }
        return null;
    }
}
