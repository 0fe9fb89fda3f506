package dev.bulwark.enforce;

import dev.bulwark.cli.ExternalTool;
import dev.bulwark.enforce.ipset.IpsetEnforcer;

import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.BeforeEach;

/** The ipset + iptables enforcer under {@link KernelEnforcerContract}, for one iptables variant. */
abstract class IpsetEnforcerContract extends KernelEnforcerContract {
    private final String iptables;

    IpsetEnforcerContract(String iptables) {
        this.iptables = iptables;
    }

    @BeforeEach
    void needsIpsetAndIptables() {
        ExternalTool.assumeInstalled("ipset");
        ExternalTool.assumeInstalled(iptables);
    }

    @Override
    Enforcer enforcer(RuleSettings rules) {
        return new IpsetEnforcer(rules, iptables, lab.hostRunner(), lab.hostGuard(), state);
    }

    @Override
    Set<String> kernelElements() throws Exception {
        Set<String> elements = new TreeSet<>();
        for (String set : new String[] {"bulwark-v4", "bulwark-v6"}) {
            boolean members = false;
            for (String line : lab.inHost("ipset", "list", set).split("\n")) {
                if (members && !line.isBlank()) {
                    elements.add(line.trim().split("\\s+")[0]);
                }
                members |= line.startsWith("Members:");
            }
        }
        return elements;
    }

    @Override
    String kernelListing() throws Exception {
        StringBuilder listing = new StringBuilder();
        for (String tool : new String[] {iptables, iptables.replace("iptables", "ip6tables")}) {
            for (String line : lab.inHost(tool + "-save", "-t", "filter").split("\n")) {
                if (!line.startsWith("#")) {
                    // policy counters move with the host's own traffic (IPv6 router solicitations, MLD)
                    listing.append(line.replaceAll("\\[\\d+:\\d+]", "[counters]")).append('\n');
                }
            }
        }
        listing.append(new TreeSet<>(kernelElements()));
        listing.append(lab.inHost("ipset", "list", "-t"));
        return listing.toString();
    }

    @Override
    void flushSetsBehindItsBack() throws Exception {
        lab.inHost("ipset", "flush", "bulwark-v4");
    }

    @Override
    void deleteRulesBehindItsBack() throws Exception {
        lab.inHost(iptables, "-D", "INPUT", "-j", "BULWARK");
        lab.inHost(iptables.replace("iptables", "ip6tables"), "-F", "BULWARK");
    }

    @Override
    boolean nothingLeft() throws Exception {
        String rules = lab.inHost(iptables + "-save") + lab.inHost(iptables.replace("iptables", "ip6tables") + "-save");
        return lab.inHost("ipset", "list", "-n").isBlank() && !rules.contains("BULWARK");
    }
}
