package dev.bulwark.config;

import dev.bulwark.enforce.EnforcerConfig;
import dev.bulwark.enforce.Hook;
import dev.bulwark.enforce.RuleSettings;
import dev.bulwark.enforce.Verdict;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * {@code enforce: [{nftables: {...}}, {ipset: {...}}, {dry-run: {}}, {file: {...}}]}. The rule
 * options take the values {@code bulwark enforce} takes on its command line.
 */
final class EnforceSection {
    static final List<String> BACKENDS = List.of("nftables", "ipset", "dry-run", "file");
    private static final List<String> NFTABLES_KEYS = List.of("table", "hooks", "action", "log", "priority");
    private static final List<String> IPSET_KEYS = List.of("hooks", "action", "log", "iptables");
    private static final List<String> FILE_KEYS = List.of("path", "family");
    /** The log prefix of {@code log: true}. */
    static final String DEFAULT_LOG_PREFIX = "bulwark: ";
    static final String DEFAULT_TABLE = "bulwark";
    static final String DEFAULT_IPTABLES = "iptables";
    /** Booleans in older YAML, plain strings in YAML 1.2: a user writing {@code log: yes} means true, not the prefix "yes". */
    private static final Set<String> YAML_1_1_BOOLEANS = Set.of("yes", "no", "on", "off", "y", "n");
    private static final String EXAMPLE = "- nftables: {hooks: [input, forward]}";

    private EnforceSection() {
    }

    static List<EnforcerConfig> read(Node node, NodeReader reader) {
        List<EnforcerConfig> enforcers = new ArrayList<>();
        Map<String, Node> targets = new HashMap<>();
        List<Node> items = reader.sequence(node, "enforce", "[{nftables: {hooks: [input]}}]");
        for (int index = 0; index < items.size(); index++) {
            String path = NodeReader.item("enforce", index);
            Node item = items.get(index);
            if (item instanceof MappingNode mapping && mapping.getValue().size() > 1) {
                reportExtraKeys(mapping, path, reader);
                continue;
            }
            if (!(item instanceof MappingNode mapping) || mapping.getValue().isEmpty()) {
                String written = item instanceof ScalarNode scalar ? scalar.getValue().trim() : "";
                reader.error(item, path, "each entry is one backend (" + String.join(", ", BACKENDS) + ") with its settings; write e.g. "
                        + (BACKENDS.contains(written) ? "- " + written + ": {}" : EXAMPLE));
                continue;
            }
            YamlMap entry = new YamlMap(reader, item, path, BACKENDS);
            if (entry.keys().isEmpty()) {
                continue;
            }
            String backend = entry.keys().iterator().next();
            EnforcerConfig config = enforcer(backend, entry.mapping(backend, keys(backend)), reader);
            if (config == null) {
                continue;
            }
            Node first = targets.putIfAbsent(target(config), entry.keyNode(backend));
            if (first != null) {
                reader.error(entry.keyNode(backend), entry.path(backend), "the same " + target(config) + " is already enforced at line "
                        + ApiSection.line(first) + ": two enforcers would fight over it; keep one");
                continue;
            }
            enforcers.add(config);
        }
        return enforcers;
    }

    /** An entry with several keys: mostly a backend's setting not indented under it, or two backends in one entry. */
    private static void reportExtraKeys(MappingNode mapping, String path, NodeReader reader) {
        List<NodeTuple> entries = mapping.getValue();
        String first = entries.get(0).getKeyNode() instanceof ScalarNode scalar ? scalar.getValue() : "";
        for (NodeTuple entry : entries.subList(1, entries.size())) {
            String key = entry.getKeyNode() instanceof ScalarNode scalar ? scalar.getValue() : "?";
            String message;
            if (BACKENDS.contains(key)) {
                message = "one backend an entry: give " + key + " its own entry, starting with '- '";
            } else if (BACKENDS.contains(first)) {
                message = "'" + key + "' is not a backend: to set it for " + first + ", indent it under " + first + ":";
            } else {
                message = "each entry is one backend (" + String.join(", ", BACKENDS) + ") with its settings; write e.g. " + EXAMPLE;
            }
            reader.error(entry.getKeyNode(), NodeReader.child(path, key), message);
        }
    }

    private static List<String> keys(String backend) {
        return switch (backend) {
            case "nftables" -> NFTABLES_KEYS;
            case "ipset" -> IPSET_KEYS;
            case "file" -> FILE_KEYS;
            default -> List.of();
        };
    }

    /** What two enforcers must not share. */
    private static String target(EnforcerConfig config) {
        return switch (config) {
            case EnforcerConfig.Nftables nftables -> "nftables table inet " + nftables.table();
            case EnforcerConfig.Ipset ignored -> "ipset sets bulwark-v4 and bulwark-v6";
            case EnforcerConfig.DryRun ignored -> "dry-run";
            case EnforcerConfig.File file -> "file " + file.path();
        };
    }

    private static EnforcerConfig enforcer(String backend, YamlMap settings, NodeReader reader) {
        int errors = reader.errorCount();
        return switch (backend) {
            case "nftables" -> {
                String table = settings.string("table", "a table name such as bulwark", DEFAULT_TABLE);
                reader.validated(settings.get("table"), settings.path("table"), () -> new EnforcerConfig.Nftables(table, RuleSettings.defaults()));
                RuleSettings rules = rules(settings, reader, settings.integer("priority", RuleSettings.DEFAULT_PRIORITY, -400, 400));
                yield reader.errorCount() > errors ? null : new EnforcerConfig.Nftables(table, rules);
            }
            case "ipset" -> {
                String iptables = settings.string("iptables", "iptables, iptables-nft or iptables-legacy", DEFAULT_IPTABLES);
                reader.validated(settings.get("iptables"), settings.path("iptables"), () -> new EnforcerConfig.Ipset(iptables, RuleSettings.defaults()));
                RuleSettings rules = rules(settings, reader, RuleSettings.DEFAULT_PRIORITY);
                yield reader.errorCount() > errors ? null : new EnforcerConfig.Ipset(iptables, rules);
            }
            case "dry-run" -> new EnforcerConfig.DryRun();
            case "file" -> file(settings, reader);
            default -> throw new IllegalStateException("unreachable: the keys were checked against " + BACKENDS);
        };
    }

    private static RuleSettings rules(YamlMap settings, NodeReader reader, int priority) {
        int errors = reader.errorCount();
        Set<Hook> hooks = hooks(settings, reader);
        Verdict verdict = Verdict.DROP;
        if (settings.has("action")) {
            String action = settings.string("action", "drop or reject", "drop");
            try {
                verdict = Verdict.parse(action);
            } catch (IllegalArgumentException e) {
                reader.error(settings.get("action"), settings.path("action"), "unknown action '" + action + "'"
                        + Suggestions.didYouMean(action, List.of("drop", "reject")) + ": use drop (silently) or reject (with an ICMP error or TCP reset)");
            }
        }
        String logPrefix = logPrefix(settings, reader);
        if (reader.errorCount() > errors) {
            return null;
        }
        Verdict finalVerdict = verdict;
        return reader.validated(settings.node(), settings.path(), () -> new RuleSettings(hooks, finalVerdict, logPrefix, priority));
    }

    /** A list, or a comma list as on the command line; by default input. */
    private static Set<Hook> hooks(YamlMap settings, NodeReader reader) {
        if (!settings.has("hooks")) {
            return EnumSet.of(Hook.INPUT);
        }
        Node node = settings.get("hooks");
        List<Node> items = node instanceof ScalarNode && !NodeReader.isNull(node) ? List.of(node) : settings.sequence("hooks", "[input, forward]");
        EnumSet<Hook> hooks = EnumSet.noneOf(Hook.class);
        for (int index = 0; index < items.size(); index++) {
            String path = node instanceof ScalarNode ? settings.path("hooks") : NodeReader.item(settings.path("hooks"), index);
            String text = reader.string(items.get(index), path, "input, forward or output");
            if (text == null) {
                continue;
            }
            try {
                hooks.addAll(Hook.parseList(text));
            } catch (IllegalArgumentException e) {
                reader.error(items.get(index), path, e.getMessage() + Suggestions.didYouMean(text.trim(), List.of("input", "forward", "output")));
            }
        }
        if (hooks.isEmpty() && items.isEmpty()) {
            reader.error(node, settings.path("hooks"), "no hook given: use input, forward and/or output");
        }
        return hooks;
    }

    /** {@code log: false} (the default), {@code true} for the prefix {@value #DEFAULT_LOG_PREFIX}, or the prefix itself. */
    private static String logPrefix(YamlMap settings, NodeReader reader) {
        Node node = settings.get("log");
        if (node == null) {
            return null;
        }
        if (node instanceof ScalarNode scalar && scalar.isPlain() && scalar.getTag().equals(Tag.BOOL)) {
            Boolean log = reader.bool(node, settings.path("log"));
            return Boolean.TRUE.equals(log) ? DEFAULT_LOG_PREFIX : null;
        }
        String prefix = reader.string(node, settings.path("log"), "false, true, or a log prefix such as \"bulwark: \"");
        if (prefix == null) {
            return null;
        }
        if (node instanceof ScalarNode scalar && scalar.isPlain() && YAML_1_1_BOOLEANS.contains(prefix.toLowerCase(Locale.ROOT))) {
            reader.error(node, settings.path("log"), "'" + prefix + "' would be the log prefix: write true or false, or quote a prefix (\"" + prefix + "\")");
            return null;
        }
        RuleSettings checked = reader.validated(node, settings.path("log"), () -> new RuleSettings(EnumSet.of(Hook.INPUT), Verdict.DROP, prefix,
                RuleSettings.DEFAULT_PRIORITY));
        return checked == null ? null : prefix;
    }

    private static EnforcerConfig file(YamlMap settings, NodeReader reader) {
        int errors = reader.errorCount();
        settings.require("path", "/var/lib/bulwark/edl.txt");
        String path = settings.string("path", "a file path such as /var/lib/bulwark/edl.txt", null);
        int family = 0;
        Node familyNode = settings.get("family");
        if (familyNode != null) {
            Scalar scalar = reader.scalar(familyNode, settings.path("family"), "4, 6 or both");
            String text = scalar == null ? null : scalar.text().trim().toLowerCase(Locale.ROOT);
            if (text != null) {
                switch (text) {
                    case "4", "ipv4" -> family = 4;
                    case "6", "ipv6" -> family = 6;
                    case "both" -> family = 0;
                    default -> reader.error(familyNode, settings.path("family"), "expected 4, 6 or both, found " + scalar.shown());
                }
            }
        }
        if (path == null || reader.errorCount() > errors) {
            return null;
        }
        Path resolved = reader.resolve(path);
        int finalFamily = family;
        return reader.validated(settings.get("path"), settings.path("path"), () -> new EnforcerConfig.File(resolved, finalFamily));
    }
}
