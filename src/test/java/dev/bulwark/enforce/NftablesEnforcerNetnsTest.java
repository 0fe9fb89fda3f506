package dev.bulwark.enforce;

import dev.bulwark.cli.ExternalTool;
import dev.bulwark.enforce.nftables.NftablesEnforcer;

import java.util.Set;
import java.util.TreeSet;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.junit.jupiter.api.BeforeEach;

/** The nftables enforcer, proven with packets in network namespaces (see {@link KernelEnforcerContract}). */
class NftablesEnforcerNetnsTest extends KernelEnforcerContract {
    private static final JsonMapper JSON = JsonMapper.builder().build();

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
        Set<String> elements = new TreeSet<>();
        for (String set : new String[] {"v4", "v4_hosts", "v6", "v6_hosts"}) {
            JsonNode listed = JSON.readTree(lab.inHost("nft", "-j", "list", "set", "inet", "bulwark", set));
            for (JsonNode item : listed.path("nftables")) {
                for (JsonNode element : item.path("set").path("elem")) {
                    JsonNode value = element.has("elem") ? element.path("elem").path("val") : element;
                    if (value.isString()) {
                        elements.add(value.asString());
                    } else {
                        JsonNode prefix = value.path("prefix");
                        elements.add(prefix.path("addr").asString() + "/" + prefix.path("len").asInt());
                    }
                }
            }
        }
        return elements;
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
