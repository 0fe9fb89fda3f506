package dev.bulwark.enforce;

import dev.bulwark.ip.IpAddress;

import java.util.List;

/** The addresses that blocking would lock this host out of, as the lockout guard sees them. */
public interface HostFacts {
    /** Addresses configured on this host's interfaces. */
    List<IpAddress> ownAddresses() throws EnforceException;

    /** Next hops of the default routes. */
    List<IpAddress> defaultGateways() throws EnforceException;

    /** Remote ends of the SSH sessions open now. */
    List<IpAddress> sshPeers() throws EnforceException;
}
