package dev.bulwark.config;

import dev.bulwark.ip.IpParser;
import dev.bulwark.ip.IpRange;
import dev.bulwark.ip.IpSet;
import dev.bulwark.policy.CompilePolicy;
import dev.bulwark.policy.PolicyConfig;
import dev.bulwark.policy.ProtectedCategory;
import dev.bulwark.policy.Protection;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/** {@code policy: { block_score, monitor_score, default_ttl, protect, admin, max_prefix }} and the top-level {@code allow:}. */
final class PolicySection {
    static final List<String> KEYS = List.of("block_score", "monitor_score", "default_ttl", "protect", "admin", "max_prefix");
    private static final List<String> MAX_PREFIX_KEYS = List.of("ipv4", "ipv6");
    /** Both name one switch: the host's own addresses, its gateways and the peers of open SSH sessions, found when rules are applied. */
    private static final List<String> SELF = List.of("self", "ssh-peers");
    private static final String FILE_PREFIX = "file:";

    private PolicySection() {
    }

    static PolicyConfig read(YamlMap policy, Node allowNode, NodeReader reader) {
        int errors = reader.errorCount();
        int blockScore = policy.integer("block_score", PolicyConfig.DEFAULT_BLOCK_SCORE, 0, 100);
        int monitorScore = policy.integer("monitor_score", Math.min(PolicyConfig.DEFAULT_MONITOR_SCORE, blockScore), 0, 100);
        if (monitorScore > blockScore) {
            reader.error(policy.get("monitor_score"), policy.path("monitor_score"), "must not be above block_score (" + blockScore
                    + "), not " + monitorScore + ": scores from monitor_score up to block_score are monitored, from block_score up blocked");
        }
        Duration defaultTtl = policy.duration("default_ttl", PolicyConfig.DEFAULT_TTL, Duration.ofSeconds(1));
        Protection protection = Protection.all();
        boolean checkSelf = true;
        if (policy.has("protect")) {
            Protect protect = protect(policy.get("protect"), policy.path("protect"), reader);
            if (protect != null) {
                protection = Protection.parse(String.join(",", protect.categories().stream().map(ProtectedCategory::label).toList()));
                checkSelf = protect.self();
                warnOfGaps(policy, reader, protect);
            }
        }
        IpSet admin = reader.networks(policy.get("admin"), policy.path("admin"));
        YamlMap maxPrefix = policy.mapping("max_prefix", MAX_PREFIX_KEYS);
        int maxPrefixIpv4 = maxPrefix.integer("ipv4", CompilePolicy.DEFAULT_MAX_PREFIX_IPV4, 0, 32);
        int maxPrefixIpv6 = maxPrefix.integer("ipv6", CompilePolicy.DEFAULT_MAX_PREFIX_IPV6, 0, 128);
        IpSet allow = allow(allowNode, reader);
        if (reader.errorCount() > errors) {
            return PolicyConfig.defaults();
        }
        Protection finalProtection = protection;
        boolean finalCheckSelf = checkSelf;
        PolicyConfig config = reader.validated(policy.node(), policy.path(), () -> new PolicyConfig(blockScore, monitorScore, defaultTtl,
                finalProtection, admin, allow, maxPrefixIpv4, maxPrefixIpv6, finalCheckSelf));
        return config == null ? PolicyConfig.defaults() : config;
    }

    private record Protect(EnumSet<ProtectedCategory> categories, boolean self) {
    }

    /** {@code all}, {@code none}, or a list (or comma list) of category labels, {@code self} and {@code ssh-peers}. */
    private static Protect protect(Node node, String path, NodeReader reader) {
        List<Node> items = node instanceof ScalarNode ? List.of(node) : reader.sequence(node, path, "[loopback, private, self]");
        List<String> known = new ArrayList<>();
        for (ProtectedCategory category : ProtectedCategory.values()) {
            known.add(category.label());
        }
        known.addAll(SELF);
        EnumSet<ProtectedCategory> categories = EnumSet.noneOf(ProtectedCategory.class);
        boolean self = false;
        boolean valid = true;
        for (int index = 0; index < items.size(); index++) {
            Node item = items.get(index);
            String itemPath = node instanceof ScalarNode ? path : NodeReader.item(path, index);
            String text = reader.string(item, itemPath, "all, none, or some of " + String.join(", ", known));
            if (text == null) {
                valid = false;
                continue;
            }
            for (String part : text.split(",")) {
                String label = part.trim().toLowerCase(Locale.ROOT);
                if (label.equals("all")) {
                    categories.addAll(EnumSet.allOf(ProtectedCategory.class));
                    self = true;
                } else if (label.equals("none")) {
                    if (items.size() > 1 || text.contains(",")) {
                        reader.error(item, itemPath, "'none' cannot be combined with other ranges: write protect: none, or list the ranges");
                        valid = false;
                    }
                } else if (SELF.contains(label)) {
                    self = true;
                } else if (!label.isEmpty()) {
                    ProtectedCategory category = category(label);
                    if (category == null) {
                        reader.error(item, itemPath, "unknown protected range '" + part.trim() + "'" + Suggestions.didYouMean(label, known)
                                + ": use all, none, or some of " + String.join(", ", known));
                        valid = false;
                    } else {
                        categories.add(category);
                    }
                }
            }
        }
        return valid ? new Protect(categories, self) : null;
    }

    private static ProtectedCategory category(String label) {
        for (ProtectedCategory category : ProtectedCategory.values()) {
            if (category.label().equals(label)) {
                return category;
            }
        }
        return null;
    }

    private static void warnOfGaps(YamlMap policy, NodeReader reader, Protect protect) {
        List<String> missing = new ArrayList<>();
        if (!protect.categories().contains(ProtectedCategory.LOOPBACK)) {
            missing.add("loopback");
        }
        if (!protect.self()) {
            missing.add("self (this host's addresses, its gateways and SSH peers)");
        }
        if (!missing.isEmpty()) {
            reader.warning(policy.get("protect"), policy.path("protect"), "not protected: " + String.join(", ", missing)
                    + "; a feed that lists them can cut this host off. Keep them unless that is intended");
        }
    }

    /** {@code allow: [addresses, prefixes, ranges, file:PATH]}. */
    private static IpSet allow(Node node, NodeReader reader) {
        IpSet.Builder builder = IpSet.builder();
        List<Node> items = reader.sequence(node, "allow", "[203.0.113.0/24, file:/etc/bulwark/allow.txt]");
        for (int index = 0; index < items.size(); index++) {
            Node item = items.get(index);
            String path = NodeReader.item("allow", index);
            if (item instanceof ScalarNode scalar && scalar.getValue().trim().startsWith(FILE_PREFIX)) {
                Scalar written = reader.scalar(item, path, "file:PATH");
                if (written != null) {
                    allowFile(reader.resolve(written.text().trim().substring(FILE_PREFIX.length()).trim()), item, path, reader, builder);
                }
                continue;
            }
            IpRange range = reader.network(item, path);
            if (range != null) {
                builder.add(range);
            }
        }
        return builder.build();
    }

    /** One address, prefix or range a line; {@code #} starts a comment. Errors name the file's own line. */
    private static void allowFile(Path file, Node item, String path, NodeReader reader, IpSet.Builder builder) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            reader.error(item, path, "allowlist file " + file + " does not exist: create it (one address, prefix or range a line) or correct the path");
            return;
        } catch (CharacterCodingException e) {
            reader.error(item, path, "allowlist file " + file + " is not UTF-8 text");
            return;
        } catch (IOException e) {
            reader.error(item, path, "cannot read allowlist file " + file + ": " + e.getMessage());
            return;
        }
        IpParser parser = new IpParser();
        for (int number = 0; number < lines.size(); number++) {
            String line = lines.get(number);
            int comment = line.indexOf('#');
            String entry = (comment < 0 ? line : line.substring(0, comment)).strip();
            if (entry.isEmpty()) {
                continue;
            }
            byte[] bytes = IpParser.ascii(entry);
            if (parser.parseRange(bytes, 0, bytes.length)) {
                builder.add(parser.toRange());
            } else {
                reader.errorIn(file, number + 1, line.indexOf(entry) + 1, path, "'" + entry + "' is not an address, prefix or range ("
                        + parser.error() + "); write one such as " + NodeReader.NETWORK_EXAMPLES + " a line, # for comments");
            }
        }
    }
}
