package dev.bulwark.enforce;

/** The ipset enforcer with iptables-nft, proven with packets in network namespaces. */
class IpsetWithIptablesNftNetnsTest extends IpsetEnforcerContract {
    IpsetWithIptablesNftNetnsTest() {
        super("iptables-nft");
    }
}
