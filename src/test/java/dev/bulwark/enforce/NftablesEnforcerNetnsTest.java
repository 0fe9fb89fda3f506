package dev.bulwark.enforce;

import dev.bulwark.cli.ExternalTool;
import dev.bulwark.enforce.nftables.NftablesEnforcer;

import java.util.Set;

import org.junit.jupiter.api.BeforeEach;

/** The nftables enforcer, proven with packets in network namespaces (see {@link KernelEnforcerContract}). */
class NftablesEnforcerNetnsTest extends KernelEnforcerContract {

    @BeforeEach
    void needsNft() {
        ExternalTool.assumeInstalled("nft");
    }

    @Override
    Enforcer enforcer(RuleSettings rules) {
        return new NftablesEnforcer("bulwark", rules, lab.hostRunner(), lab.hostGuard(), state);
    }

    @Override
    Set<String> kernelElements() throws Exception {
        return lab.nftablesElements("bulwark");
    }

    @Override
    String kernelListing() throws Exception {
        return lab.inHost("nft", "list", "table", "inet", "bulwark");
    }

    @Override
    void flushSetsBehindItsBack() throws Exception {
        lab.inHost("nft", "flush", "set", "inet", "bulwark", "v4_hosts");
        lab.inHost("nft", "flush", "set", "inet", "bulwark", "v4");
    }

    @Override
    void deleteRulesBehindItsBack() throws Exception {
        lab.inHost("nft", "delete", "table", "inet", "bulwark");
    }

    @Override
    boolean nothingLeft() throws Exception {
        return !lab.inHost("nft", "list", "tables").contains("bulwark");
    }
}
