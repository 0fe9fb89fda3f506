package dev.bulwark.cli;

import dev.bulwark.feed.FeedReader;
import dev.bulwark.feed.FeedSource;
import dev.bulwark.feed.format.EntrySink;
import dev.bulwark.feed.format.FeedFormat;
import dev.bulwark.feed.format.ParseOptions;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpRange;
import dev.bulwark.ip.IpSet;
import dev.bulwark.policy.BlocklistCompiler;
import dev.bulwark.policy.CompilePolicy;
import dev.bulwark.policy.FeedSummary;
import dev.bulwark.policy.Protection;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/** {@code bulwark compile}: feeds in any format to one minimal CIDR list. */
final class CompileCommand implements Subcommand {
    private final InputStream stdin;
    private final OutputStream stdout;
    private final PrintWriter stderr;
    private final Clock clock;

    CompileCommand(InputStream stdin, OutputStream stdout, PrintWriter stderr, Clock clock) {
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.clock = clock;
    }

    @Override
    public CommandSpec spec() {
        CommandSpec spec = CommandSpec.create().name("compile");
        spec.usageMessage().sortOptions(false).header("Compile feeds into one minimal, allowlisted CIDR list.").description(
                "Compiles feeds into one minimal CIDR list: IPv4 ascending, then IPv6 ascending, one entry a line, "
                        + "single addresses without /32 or /128. The allowlist and the protected ranges are taken out "
                        + "(an allowed address inside a blocked prefix splits it). A summary of each feed goes to stderr.",
                "If any feed cannot be read, nothing is written and the exit code is 1, so that a pipeline into "
                        + "a firewall never loses a feed's protection.")
                .footer("",
                        "Examples:",
                        "  bulwark compile samples/feeds/*",
                        "  bulwark compile https://example.net/drop.txt list.csv.gz \\",
                        "      --allow 203.0.113.0/24 --allow allow.txt",
                        "  bulwark compile scored.json --min-score 75 --output-format nft -o list.nft", "");
        spec.addPositional(PositionalParamSpec.builder().paramLabel("FEED").arity("1..*").required(true).type(List.class).auxiliaryTypes(String.class)
                .description("A path, a file: or http(s): URL, or - for stdin; gzip is unpacked. Format detected from content.").build());
        option(spec, "--allow", "SRC", List.class, null,
                "Never block these: an address, a prefix, a range, or a file/URL in any feed format. Repeatable.");
        option(spec, "--min-score", "N", int.class, "0",
                "Keep scored entries only at or above N (0-100); entries without a score are always kept. Default: ${DEFAULT-VALUE}.");
        option(spec, "--output-format", "FORMAT", String.class, "plain",
                "plain, nft (script for nft -f), ipset (script for ipset restore) or json. Default: ${DEFAULT-VALUE}.");
        spec.addOption(OptionSpec.builder("-o", "--output").paramLabel("FILE").type(Path.class)
                .description("Write to FILE (atomically: a temporary file renamed into place) instead of stdout.").build());
        option(spec, "--format", "FORMAT", String.class, null, "Read every feed as text, csv, json or stix instead of detecting the format.");
        option(spec, "--column", "NAME|N", String.class, null, "CSV: the address column, by header name or 1-based number.");
        option(spec, "--score-column", "NAME|N", String.class, null, "CSV: the score column.");
        option(spec, "--ip-field", "NAME", String.class, null, "JSON: the address field of each entry.");
        option(spec, "--score-field", "NAME", String.class, null, "JSON: the score field of each entry.");
        option(spec, "--protect", "LIST", String.class, "all",
                "Protected ranges, never blocked: all, none, or a comma list of loopback, unspecified, private, "
                        + "link-local, multicast, broadcast. Default: ${DEFAULT-VALUE}.");
        option(spec, "--max-prefix", "V4[,V6]", String.class, "8,32",
                "Refuse feed entries broader than these prefix lengths (0 allows any). Default: ${DEFAULT-VALUE}.");
        spec.addOption(OptionSpec.builder("--allow-empty").arity("0")
                .description("Succeed even when the compiled list is empty (by default that is an error: "
                        + "an empty list would unblock everything downstream).").build());
        option(spec, "--timeout", "DURATION", String.class, "60s", "Time limit for fetching each URL, e.g. 30s, 2m. Default: ${DEFAULT-VALUE}.");
        spec.addOption(OptionSpec.builder("-q", "--quiet").arity("0").description("Print only problems on stderr, not the summary.").build());
        return spec;
    }

    private static void option(CommandSpec spec, String name, String label, Class<?> type, String defaultValue, String description) {
        OptionSpec.Builder builder = OptionSpec.builder(name).paramLabel(label).type(type).description(description);
        if (type == List.class) {
            builder.auxiliaryTypes(String.class);
        }
        if (defaultValue != null) {
            builder.defaultValue(defaultValue);
        }
        spec.addOption(builder.build());
    }

    @Override
    public int run(ParseResult parsed) throws IOException {
        Settings settings;
        try {
            settings = settings(parsed);
        } catch (IllegalArgumentException e) {
            stderr.println("bulwark compile: " + e.getMessage());
            return Main.USAGE;
        }
        long started = System.nanoTime();
        Duration fetchTimeout = settings.timeout();
        FeedReader reader = FeedReader.withDefaultClient(fetchTimeout, stdin, clock);
        BlocklistCompiler compiler = new BlocklistCompiler(settings.policy());
        List<FeedSummary> summaries = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (FeedSource source : settings.feeds()) {
            var intake = compiler.intake(source.displayName());
            try {
                FeedFormat read = reader.read(source, settings.format(), settings.options(), intake);
                summaries.add(intake.summary(read.name().toLowerCase(java.util.Locale.ROOT)));
            } catch (IOException | RuntimeException e) {
                failures.add(source.displayName() + ": " + message(e));
            }
        }
        IpSet allowSet = readAllowlist(settings, reader, failures);
        if (!failures.isEmpty()) {
            for (String failure : failures) {
                stderr.println("bulwark compile: cannot read " + failure);
            }
            stderr.println("bulwark compile: nothing written: a list without these feeds would drop their protection.");
            return Main.FAILURE;
        }
        BlocklistCompiler.Result result = compiler.compile(allowSet);
        IpSet blocked = result.blocked();
        if (blocked.isEmpty() && !settings.allowEmpty()) {
            printSummaries(summaries, true);
            stderr.println("bulwark compile: the compiled list is empty; nothing written (an empty list would unblock everything "
                    + "downstream). Check the feeds above, or pass --allow-empty if an empty list is intended.");
            return Main.FAILURE;
        }
        ListFormat.Written written = write(blocked, settings.listFormat(), settings.output());
        printSummaries(summaries, !settings.quiet());
        if (!settings.quiet()) {
            if (!settings.allow().isEmpty()) {
                stderr.printf("allowlist: %d ranges; %s listed addresses kept out%n", allowSet.rangeCount(IpFamily.IPV4)
                        + allowSet.rangeCount(IpFamily.IPV6), result.named().intersection(allowSet).size());
            }
            stderr.printf("compiled: %d IPv4 prefixes (%s addresses), %d IPv6 prefixes in %d ms%n",
                    written.ipv4(), blocked.size(IpFamily.IPV4), written.ipv6(), (System.nanoTime() - started) / 1_000_000);
        }
        stderr.flush();
        return Main.OK;
    }

    private IpSet readAllowlist(Settings settings, FeedReader reader, List<String> failures) {
        IpSet.Builder builder = IpSet.builder();
        for (String entry : settings.allow()) {
            IpRange literal = IpRange.tryParse(entry.trim());
            if (literal != null) {
                builder.add(literal);
                continue;
            }
            try {
                FeedSource source = FeedSource.of(entry);
                AllowSink sink = new AllowSink(builder);
                reader.read(source, null, ParseOptions.DEFAULTS, sink);
                if (sink.rejected > 0) {
                    stderr.printf("allowlist %s: %d malformed entries skipped, e.g. %s%n", source.displayName(), sink.rejected, sink.firstRejected);
                }
            } catch (IOException | RuntimeException e) {
                failures.add("allowlist " + entry + ": " + message(e));
            }
        }
        return builder.build();
    }

    private ListFormat.Written write(IpSet blocked, ListFormat listFormat, Path output) throws IOException {
        if (output == null) {
            return listFormat.write(blocked, stdout);
        }
        Path target = output.toAbsolutePath();
        Path temporary = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            ListFormat.Written written;
            try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(temporary), 1 << 16)) {
                written = listFormat.write(blocked, file);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return written;
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private void printSummaries(List<FeedSummary> summaries, boolean all) {
        for (FeedSummary summary : summaries) {
            boolean problems = summary.rejected() > 0 || summary.tooBroad() > 0 || summary.accepted() == 0;
            if (!all && !problems) {
                continue;
            }
            StringBuilder line = new StringBuilder()
                    .append("feed ").append(summary.feed()).append(" (").append(summary.format()).append("): ")
                    .append(summary.read()).append(" read, ").append(summary.accepted()).append(" accepted, ")
                    .append(summary.rejected()).append(" rejected");
            if (summary.belowScore() > 0) {
                line.append(", ").append(summary.belowScore()).append(" below score");
            }
            if (summary.tooBroad() > 0) {
                line.append(", ").append(summary.tooBroad()).append(" refused as too broad");
            }
            if (summary.touchingProtected() > 0) {
                line.append(", ").append(summary.touchingProtected()).append(" touching protected ranges");
            }
            if (summary.accepted() == 0) {
                line.append(" (empty feed)");
            }
            stderr.println(line);
            summary.rejectedSamples().forEach(sample -> stderr.println("  rejected " + sample));
            summary.tooBroadSamples().forEach(sample -> stderr.println("  too broad: " + sample));
            summary.protectedSamples().forEach(sample -> stderr.println("  protected: " + sample));
        }
    }

    private static Settings settings(ParseResult parsed) {
        List<String> feeds = parsed.matchedPositionalValue(0, List.of());
        List<FeedSource> sources = feeds.stream().map(FeedSource::of).toList();
        long stdinFeeds = sources.stream().filter(FeedSource::isStdin).count();
        if (stdinFeeds > 1) {
            throw new IllegalArgumentException("'-' (stdin) can be given only once");
        }
        String maxPrefix = parsed.matchedOptionValue("--max-prefix", "8,32");
        String[] limits = maxPrefix.split(",", -1);
        if (limits.length > 2) {
            throw new IllegalArgumentException("--max-prefix takes V4 or V4,V6, e.g. 8,32; not '" + maxPrefix + "'");
        }
        int ipv4 = parseInt(limits[0], "--max-prefix");
        int ipv6 = limits.length == 2 ? parseInt(limits[1], "--max-prefix") : CompilePolicy.DEFAULT_MAX_PREFIX_IPV6;
        CompilePolicy policy = new CompilePolicy(parsed.matchedOptionValue("--min-score", 0),
                Protection.parse(parsed.matchedOptionValue("--protect", "all")), ipv4, ipv6);
        String format = parsed.matchedOptionValue("--format", null);
        ParseOptions options = new ParseOptions(parsed.matchedOptionValue("--column", null), parsed.matchedOptionValue("--score-column", null),
                parsed.matchedOptionValue("--ip-field", null), parsed.matchedOptionValue("--score-field", null));
        return new Settings(sources, parsed.matchedOptionValue("--allow", List.of()), policy,
                format == null ? null : FeedFormat.parse(format), options,
                ListFormat.parse(parsed.matchedOptionValue("--output-format", "plain")),
                parsed.matchedOptionValue("--output", null),
                Durations.parse(parsed.matchedOptionValue("--timeout", "60s"), "--timeout"),
                parsed.hasMatchedOption("--allow-empty"), parsed.hasMatchedOption("--quiet"));
    }

    private static int parseInt(String text, String option) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + text + "' is not a number");
        }
    }

    private static String message(Exception e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }

    private record Settings(List<FeedSource> feeds, List<String> allow, CompilePolicy policy, FeedFormat format, ParseOptions options,
                            ListFormat listFormat, Path output, Duration timeout, boolean allowEmpty, boolean quiet) {
    }

    /** Collects an allowlist without limits: a broad allow entry is the user's choice. */
    private static final class AllowSink implements EntrySink {
        private final IpSet.Builder builder;
        private long rejected;
        private String firstRejected;

        AllowSink(IpSet.Builder builder) {
            this.builder = builder;
        }

        @Override
        public void entry(IpFamily family, long firstHigh, long firstLow, long lastHigh, long lastLow, int score, List<String> categories) {
            builder.add(family, firstHigh, firstLow, lastHigh, lastLow);
        }

        @Override
        public void rejected(long line, String text, String reason) {
            if (rejected++ == 0) {
                firstRejected = "line " + line + " '" + text + "': " + reason;
            }
        }
    }
}
