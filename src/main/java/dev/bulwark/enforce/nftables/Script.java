package dev.bulwark.enforce.nftables;

import dev.bulwark.enforce.ElementDiff;
import dev.bulwark.enforce.Elements;
import dev.bulwark.enforce.Hook;
import dev.bulwark.enforce.RuleSettings;
import dev.bulwark.enforce.ScriptOutput;
import dev.bulwark.enforce.Verdict;
import dev.bulwark.ip.IpFamily;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/** Writes the nft script of one transaction. */
final class Script {
    private static final int ELEMENTS_PER_COMMAND = 1000;
    private final ScriptOutput out;
    private final String table;

    Script(OutputStream output, String table) {
        this.out = new ScriptOutput(output);
        this.table = table;
    }

    static String setName(IpFamily family, boolean hosts) {
        return (family == IpFamily.IPV4 ? "v4" : "v6") + (hosts ? "_hosts" : "");
    }

    /** Creates what is missing, changes nothing that exists; then empties Bulwark's chains, to be refilled by {@link #rules}. */
    void declare(RuleSettings rules, Map<String, ?> existingChains) throws IOException {
        StringBuilder text = new StringBuilder("table inet ").append(table).append(" {\n");
        for (IpFamily family : IpFamily.values()) {
            String type = family == IpFamily.IPV4 ? "ipv4_addr" : "ipv6_addr";
            text.append("\tset ").append(setName(family, false)).append(" { type ").append(type).append("; flags interval,timeout; }\n");
            text.append("\tset ").append(setName(family, true)).append(" { type ").append(type).append("; flags timeout; }\n");
        }
        for (Hook hook : rules.orderedHooks()) {
            text.append("\tcounter ").append(hook.lowerName()).append("_v4 { }\n");
            text.append("\tcounter ").append(hook.lowerName()).append("_v6 { }\n");
            text.append("\tchain ").append(hook.lowerName()).append(" { type filter hook ").append(hook.lowerName())
                    .append(" priority ").append(rules.priority()).append("; policy accept; }\n");
        }
        text.append("\tchain block { }\n}\n");
        for (Hook hook : rules.orderedHooks()) {
            text.append("flush chain inet ").append(table).append(' ').append(hook.lowerName()).append('\n');
        }
        text.append("flush chain inet ").append(table).append(" block\n");
        for (Hook hook : Hook.values()) {
            if (!rules.hooks().contains(hook) && existingChains.containsKey(hook.lowerName())) {
                text.append("flush chain inet ").append(table).append(' ').append(hook.lowerName()).append('\n');
                text.append("delete chain inet ").append(table).append(' ').append(hook.lowerName()).append('\n');
            }
        }
        out.text(text.toString());
    }

    /** Deletes and re-adds the sample elements: the transaction fails if any is missing from the kernel. */
    void probe(Elements ipv4, Elements ipv6, long nowSecond) throws IOException {
        for (Elements samples : new Elements[] {ipv4, ipv6}) {
            elements("delete", samples, 0);
        }
        for (Elements samples : new Elements[] {ipv4, ipv6}) {
            elements("add", samples, nowSecond);
        }
    }

    void flushSets() throws IOException {
        for (IpFamily family : IpFamily.values()) {
            out.text("flush set inet " + table + " " + setName(family, false) + "\n");
            out.text("flush set inet " + table + " " + setName(family, true) + "\n");
        }
    }

    /**
     * One family's difference: deletions first, then additions. With {@code reloadPrefixes} the
     * interval set is flushed and refilled with every desired prefix instead of edited.
     */
    void changes(ElementDiff diff, Elements desired, boolean reloadPrefixes, long nowSecond) throws IOException {
        if (!reloadPrefixes) {
            elements("delete", diff.removed(), nowSecond, BOTH);
            elements("delete", diff.refreshed(), nowSecond, BOTH);
            elements("add", diff.added(), nowSecond, BOTH);
            elements("add", diff.refreshed(), nowSecond, BOTH);
            return;
        }
        elements("delete", diff.removed(), nowSecond, HOSTS);
        elements("delete", diff.refreshed(), nowSecond, HOSTS);
        out.text("flush set inet " + table + " " + setName(desired.family(), false) + "\n");
        elements("add", desired, nowSecond, PREFIXES);
        elements("add", diff.added(), nowSecond, HOSTS);
        elements("add", diff.refreshed(), nowSecond, HOSTS);
    }

    void elements(String verb, Elements elements, long nowSecond) throws IOException {
        elements(verb, elements, nowSecond, BOTH);
    }

    private static final boolean[] BOTH = {true, false};
    private static final boolean[] HOSTS = {true};
    private static final boolean[] PREFIXES = {false};

    /** {@code verb} ("add" or "delete") for every element, hosts to the hash set and prefixes to the interval set. */
    private void elements(String verb, Elements elements, long nowSecond, boolean[] kinds) throws IOException {
        boolean timeouts = verb.equals("add");
        for (boolean hosts : kinds) {
            String head = verb + " element inet " + table + " " + setName(elements.family(), hosts) + " { ";
            int inCommand = 0;
            for (int index = 0; index < elements.size(); index++) {
                if (elements.isHost(index) != hosts) {
                    continue;
                }
                out.text(inCommand == 0 ? head : ", ");
                out.element(elements, index);
                long expiry = elements.expiry(index);
                if (timeouts && expiry != Elements.NEVER) {
                    out.text(" timeout ").number(Math.max(1, expiry - nowSecond)).text("s");
                }
                if (++inCommand == ELEMENTS_PER_COMMAND) {
                    out.text(" }\n");
                    inCommand = 0;
                }
            }
            if (inCommand > 0) {
                out.text(" }\n");
            }
        }
    }

    void rules(RuleSettings rules) throws IOException {
        StringBuilder text = new StringBuilder();
        for (Hook hook : rules.orderedHooks()) {
            String direction = hook.matchesDestination() ? "daddr" : "saddr";
            for (IpFamily family : IpFamily.values()) {
                String match = family == IpFamily.IPV4 ? "ip " : "ip6 ";
                String counter = hook.lowerName() + (family == IpFamily.IPV4 ? "_v4" : "_v6");
                for (boolean hosts : new boolean[] {true, false}) {
                    text.append("add rule inet ").append(table).append(' ').append(hook.lowerName()).append(' ')
                            .append(match).append(direction).append(" @").append(setName(family, hosts))
                            .append(" counter name \"").append(counter).append("\" goto block\n");
                }
            }
        }
        if (rules.logPrefix() != null) {
            text.append("add rule inet ").append(table).append(" block limit rate 10/minute burst 5 packets log prefix \"")
                    .append(rules.logPrefix()).append("\"\n");
        }
        text.append("add rule inet ").append(table).append(" block ")
                .append(rules.verdict() == Verdict.DROP ? "drop" : "reject with icmpx admin-prohibited").append('\n');
        out.text(text.toString());
    }

    void text(String text) throws IOException {
        out.text(text);
    }

    void flush() throws IOException {
        out.flush();
    }
}
