package dev.bulwark.cli;

import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.ConfigProblem;
import dev.bulwark.config.ConfigResult;
import dev.bulwark.config.DurationFormat;
import dev.bulwark.detect.Failure;
import dev.bulwark.detect.filter.DateFinders;
import dev.bulwark.detect.filter.Filter;
import dev.bulwark.detect.filter.FilterDefinition;
import dev.bulwark.detect.filter.FilterException;
import dev.bulwark.detect.filter.LogScanner;
import dev.bulwark.detect.jail.Ban;
import dev.bulwark.detect.jail.Increment;
import dev.bulwark.detect.jail.JailBook;
import dev.bulwark.detect.jail.JailConfig;
import dev.bulwark.detect.jail.JailFilter;
import dev.bulwark.detect.jail.JailRules;
import dev.bulwark.detect.jail.JailSource;
import dev.bulwark.detect.jail.JailsConfig;
import dev.bulwark.detect.jail.MemoryBanCounts;
import dev.bulwark.ip.IpSet;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/** {@code bulwark detect}: replays a log through a jail, offline, and prints the bans it would make. */
final class DetectCommand implements Subcommand {
    private final InputStream stdin;
    private final OutputStream stdout;
    private final PrintWriter stderr;
    private final Map<String, String> environment;

    DetectCommand(InputStream stdin, OutputStream stdout, PrintWriter stderr, Map<String, String> environment) {
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.environment = environment;
    }

    @Override
    public CommandSpec spec() {
        CommandSpec spec = CommandSpec.create().name("detect");
        spec.usageMessage().sortOptions(false).header("Replay a log through a jail and print the bans it would make.").description(
                "Reads LOG with a jail's filter and counts its failures as the jail would, in the log's own time "
                        + "(a failure's time is the one its line gives): maxretry failures within findtime ban, for bantime, "
                        + "escalated for repeat offenders when the jail's increment is on. Nothing is enforced or stored. "
                        + "The jail comes from the configuration (--jail NAME) or from the options (--filter, --maxretry, "
                        + "--findtime, --bantime).",
                "Prints each ban: when, the address (an IPv6 offender as its /64 unless ipv6_prefix says otherwise), "
                        + "the failures counted and the ban time; with --json one object per ban: "
                        + "{\"address\": \"...\", \"time\": \"ISO-8601\", \"count\": N}. A failure id that is no address "
                        + "(a filter's <F-ID>) is listed, though it could not be enforced.")
                .footer("",
                        "Examples:",
                        "  bulwark detect --jail sshd --log /var/log/auth.log",
                        "  bulwark detect --log /var/log/auth.log --filter sshd --maxretry 3 --findtime 10m",
                        "  bulwark detect --log access.log --filter nginx-botsearch --maxretry 2 --json", "");
        spec.addOption(OptionSpec.builder("--log").paramLabel("FILE").type(String.class).required(true)
                .description("The log to replay, or - for stdin.").build());
        spec.addOption(OptionSpec.builder("--jail").paramLabel("NAME").type(String.class)
                .description("A jail of the configuration: its filter and its rules.").build());
        spec.addOption(OptionSpec.builder("--config").paramLabel("FILE").type(String.class)
                .description("The configuration with --jail; default: $" + ConfigLoader.ENVIRONMENT_VARIABLE + ", else /etc/bulwark/bulwark.yml.").build());
        spec.addOption(OptionSpec.builder("--filter").paramLabel("FILTER").type(String.class)
                .description("Without --jail: a built-in filter or a fail2ban .conf path, e.g. sshd or sshd[mode=aggressive].").build());
        spec.addOption(OptionSpec.builder("--option").paramLabel("KEY=VALUE").type(List.class).auxiliaryTypes(String.class)
                .description("A filter init option, e.g. --option mode=aggressive. Repeatable.").build());
        spec.addOption(OptionSpec.builder("--maxretry").paramLabel("N").type(int.class).defaultValue("5")
                .description("Without --jail: failures that ban. Default: ${DEFAULT-VALUE}.").build());
        spec.addOption(OptionSpec.builder("--findtime").paramLabel("DURATION").type(String.class).defaultValue("10m")
                .description("Without --jail: the window the failures must fall in. Default: ${DEFAULT-VALUE}.").build());
        spec.addOption(OptionSpec.builder("--bantime").paramLabel("DURATION").type(String.class).defaultValue("10m")
                .description("Without --jail: how long a ban lasts (forever: permanent). Default: ${DEFAULT-VALUE}.").build());
        spec.addOption(OptionSpec.builder("--ipv6-prefix").paramLabel("N").type(int.class).defaultValue(String.valueOf(JailRules.DEFAULT_IPV6_PREFIX))
                .description("Without --jail: an IPv6 offender counts and is banned as its /N; 128 for the address alone. Default: ${DEFAULT-VALUE}.").build());
        spec.addOption(OptionSpec.builder("--json").arity("0").description("One JSON object per ban on stdout.").build());
        spec.addOption(OptionSpec.builder("--now").paramLabel("TIME").type(String.class)
                .description("When the log is taken to be read, for dates without a year (syslog's): ISO-8601, e.g. 2026-11-30T12:00:00Z. "
                        + "Default: the log's last modification, when its last line was written, so that an old log reads as it did live.").build());
        spec.addOption(OptionSpec.builder("--zone").paramLabel("ZONE").type(String.class)
                .description("The time zone of dates in the log that carry none. Default: the system's.").build());
        return spec;
    }

    @Override
    public int run(ParseResult parsed) throws IOException {
        String log = parsed.matchedOptionValue("--log", null);
        ZoneId zone;
        try {
            String zoneName = parsed.matchedOptionValue("--zone", null);
            zone = zoneName == null ? ZoneId.systemDefault() : ZoneId.of(zoneName);
        } catch (DateTimeException e) {
            stderr.println("bulwark detect: --zone: " + e.getMessage() + "; give a zone such as UTC or Europe/Berlin");
            return Main.USAGE;
        }
        JailConfig jail;
        FilterDefinition definition;
        try {
            jail = parsed.hasMatchedOption("--jail") ? configuredJail(parsed) : givenJail(parsed);
            if (jail == null) {
                return Main.USAGE;
            }
            definition = jail.filter().file() != null ? FilterDefinition.load(jail.filter().file(), jail.filter().options())
                    : FilterDefinition.resolve(jail.filter().name(), jail.filter().options());
            definition.newFilter(DateFinders.of(definition, zone), false);
        } catch (FilterException | IllegalArgumentException e) {
            stderr.println("bulwark detect: " + e.getMessage());
            return Main.USAGE;
        }
        JailBook book = new JailBook(new JailsConfig(List.of(jail), null), new MemoryBanCounts(), new Random(0));
        String name = jail.name();
        boolean json = parsed.hasMatchedOption("--json");
        OutputStream out = new BufferedOutputStream(stdout, 1 << 16);
        List<Ban> bans = new ArrayList<>();
        long[] counts = new long[2];
        Set<String> offenders = new HashSet<>();
        Instant[] lastTime = {null};
        long started = System.nanoTime();
        LogScanner scanner = new LogScanner(definition, () -> DateFinders.of(definition, zone), false, Runtime.getRuntime().availableProcessors());
        Instant now;
        try {
            now = LogTime.readAt(parsed.matchedOptionValue("--now", null), log, java.time.Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            stderr.println("bulwark detect: " + e.getMessage());
            return Main.USAGE;
        }
        try (InputStream in = log.equals("-") ? stdin : Files.newInputStream(Path.of(log))) {
            scanner.run(in, now, line -> false, (number, line, matches, ignored) -> {
                counts[0]++;
                for (Filter.Match match : matches) {
                    if (!match.isFailure()) {
                        continue;
                    }
                    // a line without a time of its own takes the last one seen: the replay runs in the log's time
                    Instant at = match.time() != null ? match.time() : lastTime[0] != null ? lastTime[0] : now;
                    lastTime[0] = at;
                    counts[1]++;
                    offenders.add(match.id());
                    for (Ban ban : book.failure(name, new Failure(match.id(), at, match.matchedLines()), at)) {
                        if (ban.kind() == Ban.Kind.NEW) {
                            bans.add(ban);
                            if (json) {
                                writeJson(out, ban);
                            }
                        }
                    }
                }
            });
        } catch (NoSuchFileException e) {
            stderr.println("bulwark detect: no log file " + log);
            return Main.FAILURE;
        }
        out.flush();
        double seconds = (System.nanoTime() - started) / 1e9;
        PrintWriter summary = json ? stderr : new PrintWriter(stdout, true, StandardCharsets.UTF_8);
        JailRules rules = jail.rules();
        summary.printf("jail %s: filter %s, maxretry %d within %s, bantime %s%s%n", name, definition.where(), rules.maxRetry(),
                DurationFormat.format(rules.findTime()), rules.banTime() == null ? "forever" : DurationFormat.format(rules.banTime()),
                rules.increment().enabled() ? ", increment on" : "");
        if (!json) {
            for (Ban ban : bans) {
                summary.printf("  %s  %-40s %3d failures  ban %s%s%n", ban.at(), address(ban), ban.failures(),
                        ban.banTime() == null ? "forever" : DurationFormat.format(ban.banTime()), ban.enforceable() ? "" : "  (no address: not enforceable)");
            }
        }
        Set<String> banned = new HashSet<>();
        bans.forEach(ban -> banned.add(address(ban)));
        summary.printf("bans: %d of %d addresses; %d failures from %d offenders in %d lines, %.3f s%n", bans.size(), banned.size(), counts[1],
                offenders.size(), counts[0], seconds);
        summary.flush();
        return Main.OK;
    }

    private static String address(Ban ban) {
        return ban.target() != null ? ban.target().toString() : ban.id();
    }

    private JailConfig configuredJail(ParseResult parsed) {
        String name = parsed.matchedOptionValue("--jail", null);
        Path file = ConfigLoader.locate(parsed.matchedOptionValue("--config", null), environment);
        ConfigResult loaded = new ConfigLoader(environment).load(file);
        if (!loaded.ok()) {
            for (ConfigProblem error : loaded.errors()) {
                stderr.println(error.toString());
            }
            stderr.println("bulwark detect: " + loaded.errors().size() + " error(s) in " + file);
            return null;
        }
        for (JailConfig jail : loaded.config().jails().jails()) {
            if (jail.name().equals(name)) {
                return jail;
            }
        }
        stderr.println("bulwark detect: no jail " + name + " in " + file + " (jails: "
                + String.join(", ", loaded.config().jails().jails().stream().map(JailConfig::name).toList()) + ")");
        return null;
    }

    private JailConfig givenJail(ParseResult parsed) {
        String filter = parsed.matchedOptionValue("--filter", null);
        if (filter == null) {
            stderr.println("bulwark detect: give --jail NAME (from the configuration) or --filter FILTER, e.g. --filter sshd");
            return null;
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (String option : parsed.matchedOptionValue("--option", List.<String>of())) {
            int equals = option.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("--option " + option + ": write KEY=VALUE, e.g. --option mode=aggressive");
            }
            options.put(option.substring(0, equals).strip(), option.substring(equals + 1).strip());
        }
        JailFilter.Reference reference = JailFilter.parse(filter);
        options.putAll(reference.options());
        String target = reference.target();
        JailFilter jailFilter = JailFilter.isFile(target) ? new JailFilter(null, Path.of(target), options) : new JailFilter(target, null, options);
        String banText = parsed.matchedOptionValue("--bantime", "10m");
        Duration banTime = banText.equals("forever") || banText.equals("-1") ? null : duration("--bantime", banText);
        String jailName = JailRules.NAME.matcher(target).matches() ? target : "detect";
        JailRules rules = new JailRules(jailName, parsed.matchedOptionValue("--maxretry", 5), duration("--findtime", parsed.matchedOptionValue("--findtime", "10m")),
                banTime, IpSet.empty(), Increment.DISABLED, parsed.matchedOptionValue("--ipv6-prefix", JailRules.DEFAULT_IPV6_PREFIX),
                JailRules.DEFAULT_CATEGORIES);
        return new JailConfig(rules, jailFilter, new JailSource.LogFiles(List.of("/dev/stdin")), true);
    }

    private static Duration duration(String option, String text) {
        try {
            return DurationFormat.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " " + text + ": " + e.getMessage() + "; write e.g. " + DurationFormat.EXAMPLES);
        }
    }

    private static void writeJson(OutputStream out, Ban ban) throws IOException {
        String line = "{\"address\": \"" + address(ban).replace("\\", "\\\\").replace("\"", "\\\"") + "\", \"time\": \"" + ban.at()
                + "\", \"count\": " + ban.failures() + "}\n";
        out.write(line.getBytes(StandardCharsets.UTF_8));
    }
}
