package dev.bulwark.enforce;

/** The ipset enforcer with iptables-legacy, proven with packets in network namespaces. */
class IpsetWithIptablesLegacyNetnsTest extends IpsetEnforcerContract {
    IpsetWithIptablesLegacyNetnsTest() {
        super("iptables-legacy");
    }
}
