package dev.bulwark.enforce;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/** One entry of {@code enforce:} in bulwark.yml. */
public sealed interface EnforcerConfig {
    /** The backend's name as written in the configuration. */
    String backend();

    /** {@code nftables: { table, hooks, action, log, priority }}. */
    record Nftables(String table, RuleSettings rules) implements EnforcerConfig {
        /** As {@code NftablesEnforcer} accepts it. */
        private static final Pattern TABLE = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,31}");

        public Nftables {
            requireNonNull(table, "table is null");
            requireNonNull(rules, "rules is null");
            if (!TABLE.matcher(table).matches()) {
                throw new IllegalArgumentException("table name '" + table + "' must be a letter then up to 31 letters, digits or underscores");
            }
        }

        @Override
        public String backend() {
            return "nftables";
        }
    }

    /** {@code ipset: { hooks, action, log, iptables }}; {@code iptables} is iptables, iptables-nft or iptables-legacy. */
    record Ipset(String iptables, RuleSettings rules) implements EnforcerConfig {
        public static final List<String> COMMANDS = List.of("iptables", "iptables-nft", "iptables-legacy");

        public Ipset {
            requireNonNull(iptables, "iptables is null");
            requireNonNull(rules, "rules is null");
            if (!COMMANDS.contains(iptables)) {
                throw new IllegalArgumentException("iptables must be iptables, iptables-nft or iptables-legacy, not '" + iptables + "'");
            }
        }

        @Override
        public String backend() {
            return "ipset";
        }
    }

    /** {@code dry-run: {}}: prints each difference to the log, touches nothing. */
    record DryRun() implements EnforcerConfig {
        @Override
        public String backend() {
            return "dry-run";
        }
    }

    /**
     * {@code file: { path, family }}: the blocklist written to a file, one entry a line,
     * replaced atomically: an External Dynamic List for appliances that fetch files.
     * {@code family} is 4, 6 or 0 for both.
     */
    record File(Path path, int family) implements EnforcerConfig {
        public File {
            requireNonNull(path, "path is null");
            if (family != 0 && family != 4 && family != 6) {
                throw new IllegalArgumentException("family must be 4, 6 or both");
            }
        }

        @Override
        public String backend() {
            return "file";
        }
    }
}
