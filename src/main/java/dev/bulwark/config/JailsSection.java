package dev.bulwark.config;

import dev.bulwark.detect.jail.Increment;
import dev.bulwark.detect.jail.JailConfig;
import dev.bulwark.detect.filter.DateFinders;
import dev.bulwark.detect.filter.FilterDefinition;
import dev.bulwark.detect.filter.FilterException;
import dev.bulwark.detect.jail.JailFilter;
import dev.bulwark.detect.jail.JailRules;
import dev.bulwark.detect.jail.JailSource;
import dev.bulwark.detect.jail.JailsConfig;
import dev.bulwark.ip.IpRange;
import dev.bulwark.ip.IpSet;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * {@code jails: [{ name, enabled, filter, filter_options, logpath, journal, from_start, maxretry, findtime, bantime, ignoreip,
 * increment, ipv6_prefix, categories }]}, {@code jail_defaults:} (fail2ban's [DEFAULT]: the counting keys for every jail) and
 * {@code recidive:} (the built-in rule across jails; {@code false} turns it off).
 */
final class JailsSection {
    static final List<String> RULE_KEYS = List.of("maxretry", "findtime", "bantime", "ignoreip", "increment", "ipv6_prefix", "categories");
    static final List<String> DEFAULT_KEYS = concat(RULE_KEYS, List.of("from_start"));
    static final List<String> JAIL_KEYS = concat(List.of("name", "enabled", "filter", "filter_options", "logpath", "journal", "journal_path", "from_start"),
            RULE_KEYS);
    static final List<String> RECIDIVE_KEYS = List.of("enabled", "maxretry", "findtime", "bantime", "ignoreip", "increment", "categories");
    /** {@code formula} is known only to say why it is refused. */
    static final List<String> INCREMENT_KEYS = List.of("enabled", "factor", "multipliers", "maxtime", "rndtime", "overalljails",
            "forget_after", "formula");
    private static final Pattern NUMBER = Pattern.compile("\\d{1,9}(?:\\.\\d{1,9})?|\\.\\d{1,9}");
    private static final Pattern JOURNAL_MATCH = Pattern.compile("\\+|[A-Z0-9_]+=.*");
    private static final Pattern SEPARATORS = Pattern.compile("[\\s,]+");
    private static final String JAIL_EXAMPLE = "[{name: sshd, logpath: /var/log/auth.log}]";

    private JailsSection() {
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return List.copyOf(all);
    }

    /** {@code maxPrefixIpv6}: the policy's limit, which an ipv6_prefix must not be broader than. */
    static JailsConfig read(Node jailsNode, YamlMap defaultsMap, Node recidiveNode, int maxPrefixIpv6, NodeReader reader) {
        int errors = reader.errorCount();
        Settings defaults = new Settings();
        defaults.read(defaultsMap, reader, maxPrefixIpv6);
        List<JailConfig> jails = new ArrayList<>();
        Map<String, Node> names = new HashMap<>();
        List<Node> items = reader.sequence(jailsNode, "jails", JAIL_EXAMPLE);
        for (int index = 0; index < items.size(); index++) {
            YamlMap jail = reader.mapping(items.get(index), NodeReader.item("jails", index), JAIL_KEYS);
            JailConfig config = jail(jail, defaults, maxPrefixIpv6, reader, names);
            if (config != null) {
                jails.add(config);
            }
        }
        JailRules recidive = recidive(recidiveNode, defaults, !items.isEmpty(), maxPrefixIpv6, reader);
        if (reader.errorCount() > errors) {
            return JailsConfig.none();
        }
        JailsConfig config = reader.validated(jailsNode, "jails", () -> new JailsConfig(jails, recidive));
        return config == null ? JailsConfig.none() : config;
    }

    /** Null when the jail is disabled or wrong. */
    private static JailConfig jail(YamlMap jail, Settings defaults, int maxPrefixIpv6, NodeReader reader, Map<String, Node> names) {
        int errors = reader.errorCount();
        boolean complete = jail.require("name", "sshd");
        String name = name(jail, reader, names);
        boolean enabled = bool(jail, "enabled", true, reader);
        JailFilter filter = name == null ? null : filter(jail, name, reader);
        JailSource source = source(jail, reader);
        Settings settings = defaults.copy();
        settings.read(jail, reader, maxPrefixIpv6);
        if (!complete || !enabled || reader.errorCount() > errors || filter == null || source == null) {
            return null;
        }
        JailRules rules = reader.validated(jail.node(), jail.path(), () -> settings.rules(name));
        return rules == null ? null : reader.validated(jail.node(), jail.path(), () -> new JailConfig(rules, filter, source, settings.fromStart));
    }

    private static String name(YamlMap jail, NodeReader reader, Map<String, Node> names) {
        if (!jail.has("name")) {
            return null;
        }
        Node node = jail.get("name");
        String name = reader.string(node, jail.path("name"), "a name such as sshd");
        if (name == null) {
            return null;
        }
        if (!JailRules.NAME.matcher(name).matches()) {
            reader.error(node, jail.path("name"), "'" + name + "' is not a jail name: use 1 to 64 letters, digits and . _ -, starting with a letter or digit");
            return null;
        }
        if (name.equals(JailsConfig.RECIDIVE)) {
            reader.error(node, jail.path("name"), "'recidive' is the built-in rule across jails: set it under recidive: "
                    + "(e.g. recidive: {bantime: 2w}), or give this jail another name");
            return null;
        }
        Node first = names.putIfAbsent(name, node);
        if (first != null) {
            reader.error(node, jail.path("name"), "jail name '" + name + "' is already used at line " + ApiSection.line(first)
                    + ": names must be unique, they are the origin of each ban (jail:" + name + ")");
            return null;
        }
        return name;
    }

    /** {@code filter: sshd}, {@code sshd[mode=aggressive]} or a .conf path; by default the jail's name, as in fail2ban. */
    private static JailFilter filter(YamlMap jail, String name, NodeReader reader) {
        String written = jail.string("filter", "a filter name such as sshd, or the path of a fail2ban .conf file", name);
        JailFilter.Reference reference;
        try {
            reference = JailFilter.parse(written);
        } catch (IllegalArgumentException e) {
            reader.error(jail.get("filter"), jail.path("filter"), e.getMessage());
            return null;
        }
        Map<String, String> options = new LinkedHashMap<>(reference.options());
        YamlMap extra = jail.mapping("filter_options", null);
        for (String option : extra.keys()) {
            Scalar value = reader.scalar(extra.get(option), extra.path(option), "the option's value, e.g. aggressive");
            if (value == null) {
                continue;
            }
            if (options.put(option, value.text()) != null) {
                reader.error(extra.keyNode(option), extra.path(option), "option " + option + " is also given in filter: " + written + "; keep one");
            }
        }
        String target = reference.target();
        Node node = jail.has("filter") ? jail.get("filter") : jail.node();
        if (!JailFilter.isFile(target)) {
            if (!loads(node, jail.path("filter"), reader, () -> FilterDefinition.resolve(target, options))) {
                return null;
            }
            return reader.validated(node, jail.path("filter"), () -> new JailFilter(target, null, options));
        }
        Path file = reader.resolve(target);
        if (!Files.isRegularFile(file)) {
            reader.error(node, jail.path("filter"), "filter file " + file + " does not exist: correct the path, or name a built-in filter such as sshd");
            return null;
        }
        if (!loads(node, jail.path("filter"), reader, () -> FilterDefinition.load(file, options))) {
            return null;
        }
        return reader.validated(node, jail.path("filter"), () -> new JailFilter(null, file, options));
    }

    /** Loads and compiles the filter, as the daemon will, so that a bad filter is an error here and not at start. */
    private static boolean loads(Node node, String path, NodeReader reader, java.util.function.Supplier<FilterDefinition> loader) {
        try {
            FilterDefinition definition = loader.get();
            definition.newFilter(DateFinders.of(definition, java.time.ZoneOffset.UTC), false);
            return true;
        } catch (FilterException e) {
            reader.error(node, path, e.getMessage());
            return false;
        }
    }

    /** {@code logpath: PATH or [PATHS and globs]}, or {@code journal: true} (the filter's journalmatch) or {@code journal: [MATCHES]}. */
    private static JailSource source(YamlMap jail, NodeReader reader) {
        boolean files = jail.has("logpath");
        Node journalNode = jail.get("journal");
        boolean journal = journalNode != null && !(isBool(journalNode) && Boolean.FALSE.equals(reader.bool(journalNode, jail.path("journal"))));
        if (files && journal) {
            reader.error(jail.keyNode("journal"), jail.path("journal"), "a jail reads logpath or the journal, not both: "
                    + "remove one, or make two jails");
            return null;
        }
        if (journal) {
            return journal(jail, reader);
        }
        if (jail.has("journal_path")) {
            reader.error(jail.keyNode("journal_path"), jail.path("journal_path"), "journal_path is the directory of the journal a jail reads: "
                    + "add journal: true, or remove journal_path");
            return null;
        }
        if (!files) {
            reader.error(jail.node(), jail.path(), "missing key 'logpath': add e.g. logpath: /var/log/auth.log, or journal: true "
                    + "to read the systemd journal");
            return null;
        }
        List<String> patterns = new ArrayList<>();
        for (Located item : items(jail, "logpath", "[/var/log/auth.log, /var/log/nginx/*error.log]", reader)) {
            String pattern = reader.resolve(item.text()).toString();
            try {
                FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            } catch (PatternSyntaxException e) {
                reader.error(item.node(), item.key(), "'" + item.text() + "' is not a path or glob: " + e.getDescription()
                        + "; write e.g. /var/log/nginx/*error.log");
                continue;
            }
            patterns.add(pattern);
        }
        return patterns.isEmpty() ? null : new JailSource.LogFiles(patterns);
    }

    private static JailSource journal(YamlMap jail, NodeReader reader) {
        Node node = jail.get("journal");
        String directory = null;
        if (jail.has("journal_path")) {
            Node pathNode = jail.get("journal_path");
            String text = reader.string(pathNode, jail.path("journal_path"), "the journal's directory, such as /var/log/journal/remote");
            if (text == null) {
                return null;
            }
            directory = reader.resolve(text).toString();
        }
        if (isBool(node)) {
            return new JailSource.Journal(List.of(), directory);
        }
        List<String> matches = new ArrayList<>();
        boolean valid = true;
        for (Located item : items(jail, "journal", "[_SYSTEMD_UNIT=sshd.service, +, _COMM=sshd]", reader)) {
            if (!JOURNAL_MATCH.matcher(item.text()).matches()) {
                reader.error(item.node(), item.key(), "'" + item.text() + "' is not a journal match: write FIELD=value such as "
                        + "_SYSTEMD_UNIT=sshd.service, or + between alternatives; or journal: true for the filter's own journalmatch");
                valid = false;
                continue;
            }
            matches.add(item.text());
        }
        return valid ? new JailSource.Journal(matches, directory) : null;
    }

    private record Located(Node node, String key, String text) {
    }

    /** The strings of a list, or the one string written instead of a list; an empty list is an error. */
    private static List<Located> items(YamlMap map, String key, String example, NodeReader reader) {
        Node node = map.get(key);
        List<Located> items = new ArrayList<>();
        if (node instanceof ScalarNode) {
            String text = reader.string(node, map.path(key), "e.g. " + example);
            if (text != null) {
                items.add(new Located(node, map.path(key), text.trim()));
            }
            return items;
        }
        List<Node> nodes = map.sequence(key, example);
        for (int index = 0; index < nodes.size(); index++) {
            String path = NodeReader.item(map.path(key), index);
            String text = reader.string(nodes.get(index), path, "e.g. " + example);
            if (text != null) {
                items.add(new Located(nodes.get(index), path, text.trim()));
            }
        }
        if (nodes.isEmpty() && node != null) {
            reader.error(node, map.path(key), "is empty: write e.g. " + key + ": " + example);
        }
        return items;
    }

    private static JailRules recidive(Node node, Settings defaults, boolean anyJail, int maxPrefixIpv6, NodeReader reader) {
        Settings settings = defaults.copy();
        JailRules builtIn = JailsConfig.defaultRecidive();
        settings.findTime = builtIn.findTime();
        settings.banTime = builtIn.banTime();
        settings.categories = builtIn.categories();
        if (node instanceof ScalarNode scalar && isBool(scalar)) {
            Boolean enabled = reader.bool(node, "recidive");
            return Boolean.TRUE.equals(enabled) && anyJail ? reader.validated(node, "recidive", () -> settings.rules(JailsConfig.RECIDIVE)) : null;
        }
        YamlMap recidive = reader.mapping(node, "recidive", RECIDIVE_KEYS);
        int errors = reader.errorCount();
        boolean enabled = bool(recidive, "enabled", true, reader);
        settings.read(recidive, reader, maxPrefixIpv6);
        if (!enabled || !anyJail || reader.errorCount() > errors) {
            return null;
        }
        return reader.validated(recidive.node(), "recidive", () -> settings.rules(JailsConfig.RECIDIVE));
    }

    private static boolean isBool(Node node) {
        return node instanceof ScalarNode scalar && scalar.isPlain() && scalar.getTag().equals(Tag.BOOL);
    }

    private static boolean bool(YamlMap map, String key, boolean fallback, NodeReader reader) {
        if (!map.has(key)) {
            return fallback;
        }
        Boolean value = reader.bool(map.get(key), map.path(key));
        return value == null ? fallback : value;
    }

    /**
     * The counting keys as read so far: the built-in defaults, then jail_defaults, then a jail's
     * own. ignoreip adds to what jail_defaults ignores (an address ignored for every jail stays
     * ignored); an increment mapping turns escalation on unless it says {@code enabled: false}.
     */
    private static final class Settings {
        int maxRetry = JailRules.DEFAULT_MAX_RETRY;
        Duration findTime = JailRules.DEFAULT_FIND_TIME;
        /** Null: permanent. */
        Duration banTime = JailRules.DEFAULT_BAN_TIME;
        IpSet ignoreIp = IpSet.empty();
        boolean incrementEnabled;
        double factor = 1;
        List<Integer> multipliers = List.of();
        Duration maxTime;
        Duration randomTime = Duration.ZERO;
        boolean overallJails;
        Duration forgetAfter = Increment.DEFAULT_FORGET_AFTER;
        int ipv6Prefix = JailRules.DEFAULT_IPV6_PREFIX;
        boolean fromStart;
        List<String> categories = JailRules.DEFAULT_CATEGORIES;

        Settings copy() {
            Settings copy = new Settings();
            copy.maxRetry = maxRetry;
            copy.findTime = findTime;
            copy.banTime = banTime;
            copy.ignoreIp = ignoreIp;
            copy.incrementEnabled = incrementEnabled;
            copy.factor = factor;
            copy.multipliers = multipliers;
            copy.maxTime = maxTime;
            copy.randomTime = randomTime;
            copy.overallJails = overallJails;
            copy.forgetAfter = forgetAfter;
            copy.ipv6Prefix = ipv6Prefix;
            copy.fromStart = fromStart;
            copy.categories = categories;
            return copy;
        }

        /** Overrides what {@code map} sets; errors are recorded and leave the value as it was. */
        void read(YamlMap map, NodeReader reader, int maxPrefixIpv6) {
            maxRetry = map.integer("maxretry", maxRetry, 1, JailRules.MAX_MAX_RETRY);
            findTime = map.duration("findtime", findTime, Duration.ofSeconds(1));
            if (map.has("bantime")) {
                banTime = banTime(map, reader, banTime);
            }
            if (map.has("ignoreip")) {
                ignoreIp = ignoreIp.union(ignoreIp(map, reader));
            }
            if (map.has("increment")) {
                increment(map, reader);
            }
            if (map.has("ipv6_prefix")) {
                int prefix = map.integer("ipv6_prefix", ipv6Prefix, 1, 128);
                if (prefix < maxPrefixIpv6) {
                    reader.error(map.get("ipv6_prefix"), map.path("ipv6_prefix"), "/" + prefix + " is broader than policy.max_prefix.ipv6 (/"
                            + maxPrefixIpv6 + "): its bans would be refused; write " + maxPrefixIpv6 + " to 128 (64 bans a host's whole /64)");
                } else {
                    ipv6Prefix = prefix;
                }
            }
            fromStart = bool(map, "from_start", fromStart, reader);
            if (map.has("categories")) {
                categories = FeedsSection.categories(map, reader);
            }
        }

        /** A duration of at least 1s, or {@code forever} or any negative number (fail2ban's -1) for a permanent ban. */
        private static Duration banTime(YamlMap map, NodeReader reader, Duration fallback) {
            Node node = map.get("bantime");
            Scalar scalar = reader.scalar(node, map.path("bantime"), "a duration such as 10m, or forever");
            if (scalar == null) {
                return fallback;
            }
            String text = scalar.text().trim().toLowerCase(Locale.ROOT);
            if (text.equals("forever") || text.startsWith("-") && (text.substring(1).matches("\\d{1,9}") || DurationFormat.parse(text.substring(1)) != null)) {
                return null;
            }
            Duration duration = reader.duration(node, map.path("bantime"), Duration.ofSeconds(1));
            return duration == null ? fallback : duration;
        }

        /** Addresses, prefixes and ranges, as a list or fail2ban's one line ({@code 127.0.0.1/8 ::1}); DNS names are refused. */
        private static IpSet ignoreIp(YamlMap map, NodeReader reader) {
            IpSet.Builder builder = IpSet.builder();
            for (Located item : items(map, "ignoreip", "[192.0.2.10, 198.51.100.0/24]", reader)) {
                for (String entry : SEPARATORS.split(item.text())) {
                    if (entry.isEmpty()) {
                        continue;
                    }
                    if (IpRange.tryParse(entry) == null && ApiSection.HOST_NAME.matcher(entry).matches() && !entry.matches("[0-9.]+")) {
                        reader.error(item.node(), item.key(), "'" + entry + "' is a DNS name: ignoreip takes addresses and prefixes only "
                                + "(a name may resolve to something else tomorrow); write its address, e.g. 192.0.2.10");
                        continue;
                    }
                    try {
                        builder.add(IpRange.parse(entry));
                    } catch (IllegalArgumentException e) {
                        reader.error(item.node(), item.key(), e.getMessage() + "; write e.g. " + NodeReader.NETWORK_EXAMPLES);
                    }
                }
            }
            return builder.build();
        }

        /** {@code increment: true}, or a mapping of its keys (which turns it on unless it says enabled: false). */
        private void increment(YamlMap map, NodeReader reader) {
            Node node = map.get("increment");
            if (isBool(node)) {
                Boolean enabled = reader.bool(node, map.path("increment"));
                incrementEnabled = enabled == null ? incrementEnabled : enabled;
                return;
            }
            YamlMap increment = map.mapping("increment", INCREMENT_KEYS);
            incrementEnabled = bool(increment, "enabled", true, reader);
            if (increment.has("formula")) {
                reader.error(increment.keyNode("formula"), increment.path("formula"), "fail2ban's bantime.formula is Python, which Bulwark "
                        + "does not run: its default formula is built in (bantime * 2^bans * factor); for other growth write factor or multipliers");
            }
            if (increment.has("factor")) {
                factor = factor(increment, reader, factor);
            }
            if (increment.has("multipliers")) {
                multipliers = multipliers(increment, reader, multipliers);
            }
            maxTime = increment.duration("maxtime", maxTime, Duration.ofSeconds(1));
            randomTime = increment.duration("rndtime", randomTime, Duration.ZERO);
            overallJails = bool(increment, "overalljails", overallJails, reader);
            forgetAfter = increment.duration("forget_after", forgetAfter, Duration.ZERO);
        }

        private static double factor(YamlMap increment, NodeReader reader, double fallback) {
            Scalar scalar = reader.scalar(increment.get("factor"), increment.path("factor"), "a number such as 1 or 1.5");
            if (scalar == null) {
                return fallback;
            }
            String text = scalar.text().trim();
            if (!scalar.untyped() || !NUMBER.matcher(text).matches() || Double.parseDouble(text) <= 0) {
                reader.error(increment.get("factor"), increment.path("factor"), "expected a positive number such as 1 or 1.5, found " + scalar.shown()
                        + (text.matches(".*[-+*/()].*") ? " (fail2ban's Python expressions are not evaluated: write their value)" : ""));
                return fallback;
            }
            return Double.parseDouble(text);
        }

        /** A list of whole numbers from 1, or fail2ban's one line {@code 1 2 4 8 16}. */
        private static List<Integer> multipliers(YamlMap increment, NodeReader reader, List<Integer> fallback) {
            List<Integer> multipliers = new ArrayList<>();
            boolean valid = true;
            for (Located item : items(increment, "multipliers", "[1, 2, 4, 8, 16, 32, 64]", reader)) {
                for (String entry : SEPARATORS.split(item.text())) {
                    if (!entry.matches("\\d{1,9}") || Integer.parseInt(entry) < 1) {
                        reader.error(item.node(), item.key(), "'" + entry + "' is not a multiplier: write whole numbers from 1, e.g. [1, 2, 4, 8]");
                        valid = false;
                    } else {
                        multipliers.add(Integer.parseInt(entry));
                    }
                }
            }
            return valid && !multipliers.isEmpty() ? multipliers : fallback;
        }

        JailRules rules(String name) {
            Increment increment = new Increment(incrementEnabled, factor, multipliers, maxTime, randomTime, overallJails, forgetAfter);
            return new JailRules(name, maxRetry, findTime, banTime, ignoreIp, increment, ipv6Prefix, categories);
        }
    }
}
