package dev.bulwark.cli;

import dev.bulwark.enforce.ApplyReport;
import dev.bulwark.enforce.CommandRunner;
import dev.bulwark.enforce.DropCounters;
import dev.bulwark.enforce.EnforceException;
import dev.bulwark.enforce.Enforcer;
import dev.bulwark.enforce.Hook;
import dev.bulwark.enforce.LockoutGuard;
import dev.bulwark.enforce.PrintingRunner;
import dev.bulwark.enforce.ProcessRunner;
import dev.bulwark.enforce.RuleSettings;
import dev.bulwark.enforce.SystemHostFacts;
import dev.bulwark.enforce.Verdict;
import dev.bulwark.enforce.dryrun.DryRunEnforcer;
import dev.bulwark.enforce.ipset.IpsetEnforcer;
import dev.bulwark.enforce.nftables.NftablesEnforcer;
import dev.bulwark.feed.FeedReader;
import dev.bulwark.feed.FeedSource;
import dev.bulwark.feed.format.EntrySink;
import dev.bulwark.feed.format.FeedFormat;
import dev.bulwark.feed.format.ParseOptions;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpSet;
import dev.bulwark.policy.Snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/** {@code bulwark enforce}: makes the kernel hold exactly a list, by difference, atomically. */
final class EnforceCommand implements Subcommand {
    private final InputStream stdin;
    private final OutputStream stdout;
    private final PrintWriter stderr;
    private final Clock clock;
    private final Map<String, String> environment;

    EnforceCommand(InputStream stdin, OutputStream stdout, PrintWriter stderr, Clock clock, Map<String, String> environment) {
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.clock = clock;
        this.environment = environment;
    }

    @Override
    public CommandSpec spec() {
        CommandSpec spec = CommandSpec.create().name("enforce");
        spec.usageMessage().sortOptions(false).header("Make the kernel drop exactly the addresses of a list.").description(
                "Brings nftables (table inet bulwark) or ipset + iptables (sets bulwark-v4/-v6, chain BULWARK) to exactly LIST, "
                        + "applying only the difference from the last run, in one atomic step: packets see the old list or the new, "
                        + "never an empty one. What was applied is kept in the state directory, so a run does not read large "
                        + "sets back from the kernel; drift (a deleted table, chain or set, a flushed set) is detected and repaired.",
                "Refuses a list that would block this host's own addresses, its default gateway or the peer of an open "
                        + "SSH session. An unreadable or empty LIST changes nothing and exits 1.")
                .footer("",
                        "Examples:",
                        "  bulwark compile feeds/* | bulwark enforce --backend nftables -",
                        "  bulwark enforce --backend ipset --hooks input,forward --ttl 2h list.txt",
                        "  bulwark enforce --backend nftables --dry-run list.txt",
                        "  bulwark enforce --backend nftables --counters",
                        "  bulwark enforce --backend nftables --remove", "");
        spec.addPositional(PositionalParamSpec.builder().paramLabel("LIST").arity("0..1").type(String.class)
                .description("The list: a path, a file: or http(s): URL, or - for stdin, in any feed format (compile's output is plain).").build());
        option(spec, "--backend", "NAME", null, "nftables, ipset (with iptables) or dry-run (print the difference, touch no kernel).");
        flag(spec, "--dry-run", "Print the exact commands and scripts instead of running them (needs no root; reads the state, writes nothing).");
        flag(spec, "--remove", "Remove Bulwark's table, or sets and chains, and the state; no LIST.");
        flag(spec, "--counters", "Print the packets dropped so far, per family, and exit; no LIST.");
        option(spec, "--ttl", "DURATION", null, "Give every element a kernel timeout, e.g. 2h: if runs stop, the blocks lapse on their own.");
        option(spec, "--hooks", "LIST", "input", "Where to check packets: input, forward (sources) and/or output (destinations). Default: ${DEFAULT-VALUE}.");
        option(spec, "--action", "drop|reject", "drop", "What to do with a listed packet. Default: ${DEFAULT-VALUE}.");
        option(spec, "--log", "PREFIX", null, "Log listed packets (at most 10 a minute) with this prefix before the action.");
        option(spec, "--priority", "N", Integer.toString(RuleSettings.DEFAULT_PRIORITY), "nftables chain priority. Default: ${DEFAULT-VALUE}.");
        option(spec, "--table", "NAME", "bulwark", "nftables table (family inet). Default: ${DEFAULT-VALUE}.");
        option(spec, "--iptables", "COMMAND", "iptables", "ipset backend: iptables, iptables-nft or iptables-legacy. Default: ${DEFAULT-VALUE}.");
        option(spec, "--state-dir", "DIR", null, "Where applied state is kept. Default: /var/lib/bulwark as root, else ~/.local/state/bulwark.");
        option(spec, "--format", "FORMAT", null, "Read LIST as text, csv, json or stix instead of detecting the format.");
        flag(spec, "--allow-empty", "Apply an empty list (by default refused: it would unblock everything).");
        option(spec, "--timeout", "DURATION", "60s", "Time limit for fetching LIST from a URL. Default: ${DEFAULT-VALUE}.");
        spec.addOption(OptionSpec.builder("-q", "--quiet").arity("0").description("Print only problems, not the report.").build());
        return spec;
    }

    private static void option(CommandSpec spec, String name, String label, String defaultValue, String description) {
        OptionSpec.Builder builder = OptionSpec.builder(name).paramLabel(label).type(String.class).description(description);
        if (defaultValue != null) {
            builder.defaultValue(defaultValue);
        }
        spec.addOption(builder.build());
    }

    private static void flag(CommandSpec spec, String name, String description) {
        spec.addOption(OptionSpec.builder(name).arity("0").description(description).build());
    }

    @Override
    public int run(ParseResult parsed) throws IOException {
        String backend = parsed.matchedOptionValue("--backend", null);
        String list = parsed.matchedPositionalValue(0, null);
        boolean remove = parsed.hasMatchedOption("--remove");
        boolean counters = parsed.hasMatchedOption("--counters");
        boolean dryRun = parsed.hasMatchedOption("--dry-run");
        Enforcer enforcer;
        Snapshot snapshot = null;
        try {
            if (backend == null) {
                throw new IllegalArgumentException("--backend is required: nftables, ipset or dry-run");
            }
            if ((remove || counters) == (list != null)) {
                throw new IllegalArgumentException(remove || counters ? "--remove and --counters take no LIST" : "LIST is required (a path, a URL or -)");
            }
            if (remove && counters) {
                throw new IllegalArgumentException("--remove and --counters cannot be combined");
            }
            RuleSettings rules = new RuleSettings(Hook.parseList(parsed.matchedOptionValue("--hooks", "input")),
                    Verdict.parse(parsed.matchedOptionValue("--action", "drop")), parsed.matchedOptionValue("--log", null),
                    parseInt(parsed.matchedOptionValue("--priority", "-10"), "--priority"));
            Path stateDirectory = stateDirectory(parsed.matchedOptionValue("--state-dir", null)).resolve("enforce");
            CommandRunner runner = dryRun ? new PrintingRunner(stdout) : ProcessRunner.local();
            LockoutGuard guard = new LockoutGuard(new SystemHostFacts(ProcessRunner.local(), environment));
            enforcer = switch (backend) {
                case "nftables" -> new NftablesEnforcer(parsed.matchedOptionValue("--table", "bulwark"), rules, runner, guard, stateDirectory);
                case "ipset" -> new IpsetEnforcer(rules, parsed.matchedOptionValue("--iptables", "iptables"), runner, guard, stateDirectory);
                case "dry-run" -> new DryRunEnforcer(stdout, stateDirectory);
                default -> throw new IllegalArgumentException("unknown backend '" + backend + "': use nftables, ipset or dry-run");
            };
            if (list != null) {
                String ttl = parsed.matchedOptionValue("--ttl", null);
                Duration timeout = Durations.parse(parsed.matchedOptionValue("--timeout", "60s"), "--timeout");
                String format = parsed.matchedOptionValue("--format", null);
                IpSet blocked = readList(FeedSource.of(list), format == null ? null : FeedFormat.parse(format), timeout);
                if (blocked == null) {
                    return Main.FAILURE;
                }
                if (blocked.isEmpty() && !parsed.hasMatchedOption("--allow-empty")) {
                    stderr.println("bulwark enforce: the list is empty; nothing changed (an empty list would unblock everything). "
                            + "Pass --allow-empty if that is intended, or --remove to take Bulwark out.");
                    return Main.FAILURE;
                }
                snapshot = ttl == null ? Snapshot.of(blocked) : Snapshot.until(blocked, clock.instant().plus(Durations.parse(ttl, "--ttl")));
            }
        } catch (IllegalArgumentException e) {
            stderr.println("bulwark enforce: " + e.getMessage());
            return Main.USAGE;
        }
        try {
            if (remove) {
                enforcer.remove();
                if (!parsed.hasMatchedOption("--quiet")) {
                    stderr.println(enforcer.name() + ": removed" + (dryRun ? " (dry run: nothing was run)" : ""));
                }
                return Main.OK;
            }
            if (counters) {
                DropCounters dropped = enforcer.counters();
                PrintWriter out = new PrintWriter(stdout, true, java.nio.charset.StandardCharsets.UTF_8);
                if (dropped == null) {
                    out.println(enforcer.name() + ": no counters" + (dryRun ? " in a dry run" : ""));
                } else {
                    out.printf("ipv4 %d packets %d bytes%nipv6 %d packets %d bytes%n",
                            dropped.ipv4Packets(), dropped.ipv4Bytes(), dropped.ipv6Packets(), dropped.ipv6Bytes());
                }
                out.flush();
                return Main.OK;
            }
            Instant now = clock.instant();
            ApplyReport report = enforcer.apply(snapshot, now);
            stdout.flush();
            if (!parsed.hasMatchedOption("--quiet")) {
                stderr.println(report.summary() + (dryRun ? " (dry run: nothing was run)" : ""));
            }
            return Main.OK;
        } catch (EnforceException e) {
            stdout.flush();
            stderr.println("bulwark enforce: " + e.getMessage());
            return Main.FAILURE;
        }
    }

    private IpSet readList(FeedSource source, FeedFormat format, Duration timeout) {
        FeedReader reader = FeedReader.withDefaultClient(timeout, stdin, clock);
        IpSet.Builder builder = IpSet.builder();
        long[] rejected = new long[1];
        String[] first = new String[1];
        try {
            reader.read(source, format, ParseOptions.DEFAULTS, new EntrySink() {
                @Override
                public void entry(IpFamily family, long firstHigh, long firstLow, long lastHigh, long lastLow, int score, List<String> categories) {
                    builder.add(family, firstHigh, firstLow, lastHigh, lastLow);
                }

                @Override
                public void rejected(long line, String text, String reason) {
                    if (rejected[0]++ == 0) {
                        first[0] = "line " + line + " '" + text + "': " + reason;
                    }
                }
            });
        } catch (IOException | RuntimeException e) {
            stderr.println("bulwark enforce: cannot read " + source.displayName() + ": " + e.getMessage() + "; nothing changed");
            return null;
        }
        if (rejected[0] > 0) {
            stderr.printf("bulwark enforce: %s: %d malformed entries skipped, e.g. %s%n", source.displayName(), rejected[0], first[0]);
        }
        return builder.build();
    }

    private Path stateDirectory(String option) {
        if (option != null) {
            return Path.of(option);
        }
        if ("root".equals(System.getProperty("user.name"))) {
            return Path.of("/var/lib/bulwark");
        }
        String xdg = environment.get("XDG_STATE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "bulwark");
        }
        return Path.of(System.getProperty("user.home"), ".local", "state", "bulwark");
    }

    private static int parseInt(String text, String option) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + text + "' is not a number");
        }
    }
}
