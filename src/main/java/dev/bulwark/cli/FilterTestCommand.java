package dev.bulwark.cli;

import dev.bulwark.detect.filter.DateFinders;
import dev.bulwark.detect.filter.Filter;
import dev.bulwark.detect.filter.FilterDefinition;
import dev.bulwark.detect.filter.FilterException;
import dev.bulwark.detect.filter.LogScanner;
import dev.bulwark.detect.jail.JailFilter;
import dev.bulwark.detect.regex.Pcre;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/** {@code bulwark filter-test}: runs a fail2ban filter over a log, as {@code fail2ban-regex} does. */
final class FilterTestCommand implements Subcommand {
    private static final int TOP = 10;
    private final InputStream stdin;
    private final OutputStream stdout;
    private final PrintWriter stderr;
    private final Clock clock;

    FilterTestCommand(InputStream stdin, OutputStream stdout, PrintWriter stderr, Clock clock) {
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.clock = clock;
    }

    @Override
    public CommandSpec spec() {
        CommandSpec spec = CommandSpec.create().name("filter-test");
        spec.usageMessage().sortOptions(false).header("Run a fail2ban filter over a log and show what it finds.").description(
                "Reads LOG (a file, or - for stdin) with FILTER, a built-in filter ("
                        + String.join(", ", FilterDefinition.BUILT_IN_NAMES) + ") or the path to a fail2ban filter file "
                        + "(its includes and .local are read as fail2ban reads them), and prints the lines read, matched, "
                        + "ignored (matched as no failure, or by an ignoreregex) and missed, the addresses found and the time taken. "
                        + "As fail2ban-regex does, every failregex is tried on every line, and lines that start with # and empty "
                        + "lines are skipped.",
                "With --json, stdout holds one object per matched line instead: "
                        + "{\"line\": N, \"host\": \"...\", \"time\": \"ISO-8601\"} (N counts every line of the log from 1; the host "
                        + "as the filter captured it; time null when the line has none); the summary goes to stderr.")
                .footer("",
                        "Examples:",
                        "  bulwark filter-test /var/log/auth.log sshd",
                        "  bulwark filter-test /var/log/auth.log /etc/fail2ban/filter.d/sshd.conf --option mode=aggressive",
                        "  bulwark filter-test /var/log/nginx/access.log nginx-botsearch --json | jq -r .host | sort | uniq -c", "");
        spec.addPositional(PositionalParamSpec.builder().index("0").paramLabel("LOG").type(String.class)
                .description("The log file, or - for stdin.").build());
        spec.addPositional(PositionalParamSpec.builder().index("1").paramLabel("FILTER").type(String.class)
                .description("A built-in filter name or a fail2ban .conf path, optionally with options: sshd[mode=aggressive].").build());
        spec.addOption(OptionSpec.builder("--option").paramLabel("KEY=VALUE").type(List.class).auxiliaryTypes(String.class)
                .description("A filter init option, as sshd[mode=aggressive] sets it, e.g. --option mode=aggressive. Repeatable.").build());
        spec.addOption(OptionSpec.builder("--json").arity("0").description("One JSON object per matched line on stdout.").build());
        spec.addOption(OptionSpec.builder("--print").paramLabel("KIND").type(List.class).auxiliaryTypes(String.class)
                .description("Also print each line of a kind, as it is read: matched, ignored or missed (fail2ban-regex's "
                        + "--print-all-matched and the like), as KIND N: LINE. Repeatable; not with --json.").build());
        spec.addOption(OptionSpec.builder("--now").paramLabel("TIME").type(String.class)
                .description("When the log is taken to be read, for dates without a year (syslog's): ISO-8601, e.g. 2026-11-30T12:00:00Z. "
                        + "Default: the log's last modification, when its last line was written, so that an old log reads as it did live.").build());
        spec.addOption(OptionSpec.builder("--zone").paramLabel("ZONE").type(String.class)
                .description("The time zone of dates in the log that carry none (fail2ban's logtimezone), e.g. UTC or Europe/Berlin. "
                        + "Default: the system's.").build());
        return spec;
    }

    @Override
    public int run(ParseResult parsed) throws IOException {
        String log = parsed.matchedPositionalValue(0, null);
        String filterName = parsed.matchedPositionalValue(1, null);
        if (log == null || filterName == null) {
            stderr.println("bulwark filter-test: LOG and FILTER are required, e.g. bulwark filter-test /var/log/auth.log sshd");
            return Main.USAGE;
        }
        Map<String, String> options = new LinkedHashMap<>();
        List<String> given = parsed.matchedOptionValue("--option", List.of());
        for (String option : given) {
            int equals = option.indexOf('=');
            if (equals <= 0) {
                stderr.println("bulwark filter-test: --option " + option + ": write KEY=VALUE, e.g. --option mode=aggressive");
                return Main.USAGE;
            }
            options.put(option.substring(0, equals).strip(), option.substring(equals + 1).strip());
        }
        ZoneId zone;
        try {
            String zoneName = parsed.matchedOptionValue("--zone", null);
            zone = zoneName == null ? ZoneId.systemDefault() : ZoneId.of(zoneName);
        } catch (DateTimeException e) {
            stderr.println("bulwark filter-test: --zone: " + e.getMessage() + "; give a zone such as UTC, +02:00 or Europe/Berlin");
            return Main.USAGE;
        }
        boolean json = parsed.hasMatchedOption("--json");
        Set<String> print = new HashSet<>();
        for (String kind : parsed.<List<String>>matchedOptionValue("--print", List.of())) {
            for (String each : kind.split(",")) {
                String name = each.strip().toLowerCase(java.util.Locale.ROOT);
                if (!name.equals("matched") && !name.equals("ignored") && !name.equals("missed")) {
                    stderr.println("bulwark filter-test: --print " + each.strip() + ": write matched, ignored or missed");
                    return Main.USAGE;
                }
                print.add(name);
            }
        }
        if (json && !print.isEmpty()) {
            stderr.println("bulwark filter-test: --print and --json both write to stdout: use one");
            return Main.USAGE;
        }
        FilterDefinition definition;
        try {
            JailFilter.Reference reference = JailFilter.parse(filterName);
            Map<String, String> merged = new LinkedHashMap<>(reference.options());
            merged.putAll(options);
            options = merged;
            definition = FilterDefinition.resolve(reference.target(), options);
            definition.newFilter(DateFinders.of(definition, zone), true);
        } catch (FilterException | IllegalArgumentException e) {
            stderr.println("bulwark filter-test: " + e.getMessage());
            return Main.USAGE;
        }
        long started = System.nanoTime();
        Tally tally = new Tally();
        OutputStream out = new BufferedOutputStream(stdout, 1 << 16);
        Instant now;
        try {
            now = LogTime.readAt(parsed.matchedOptionValue("--now", null), log, clock);
        } catch (IllegalArgumentException e) {
            stderr.println("bulwark filter-test: " + e.getMessage());
            return Main.USAGE;
        }
        ZoneId dateZone = zone;
        LogScanner scanner = new LogScanner(definition, () -> DateFinders.of(definition, dateZone), true,
                Runtime.getRuntime().availableProcessors());
        try (InputStream in = log.equals("-") ? stdin : Files.newInputStream(Path.of(log))) {
            scanner.run(in, now, line -> line.isEmpty() || line.charAt(0) == '#', (number, line, matches, ignoredLine) -> {
                tally.read++;
                if (line.isEmpty() || line.charAt(0) == '#') {
                    return;
                }
                tally.tested++;
                boolean nofail = ignoredLine;
                Filter.Match first = null;
                for (Filter.Match match : matches) {
                    if (match.isNoFail()) {
                        nofail = true;
                    } else if (first == null) {
                        first = match;
                    }
                }
                String kind = nofail ? "ignored" : first != null ? "matched" : "missed";
                if (print.contains(kind)) {
                    out.write((kind + " " + number + ": " + line + "\n").getBytes(StandardCharsets.UTF_8));
                }
                if (nofail) {
                    tally.ignored++;
                } else if (first != null) {
                    tally.matched++;
                    for (Filter.Match match : matches) {
                        if (match.id() != null && !match.isNoFail()) {
                            tally.hosts.merge(match.id(), 1, Integer::sum);
                        }
                    }
                    if (json) {
                        writeJson(out, number, first);
                    }
                } else {
                    tally.missed++;
                }
            });
        } catch (NoSuchFileException e) {
            stderr.println("bulwark filter-test: no log file " + log);
            return Main.FAILURE;
        } catch (FilterException e) {
            stderr.println("bulwark filter-test: " + e.getMessage());
            return Main.FAILURE;
        }
        out.flush();
        if (!print.isEmpty()) {
            // the summary after a blank line, as a block of its own
            stdout.write('\n');
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        PrintWriter summary = json ? stderr : new PrintWriter(stdout, true, StandardCharsets.UTF_8);
        summary.printf("filter: %s (%s), %d failregex, %d ignoreregex%s%n", definition.name(), definition.where(),
                definition.failRegex().size(), definition.ignoreRegex().size(), options.isEmpty() ? "" : ", options " + options);
        Pcre.Engine engine = Pcre.engine();
        summary.printf("regex: %s%n", engine == null ? "java.util.regex" : engine.describe() + " for ASCII lines, java.util.regex for the others");
        summary.printf("lines: %d read, %d tested, %d matched, %d ignored, %d missed%n", tally.read, tally.tested, tally.matched,
                tally.ignored, tally.missed);
        summary.printf("addresses: %d distinct%s%n", tally.hosts.size(), tally.hosts.isEmpty() ? "" : "; most matched:");
        List<Map.Entry<String, Integer>> hosts = new ArrayList<>(tally.hosts.entrySet());
        hosts.sort(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        for (Map.Entry<String, Integer> host : hosts.subList(0, Math.min(TOP, hosts.size()))) {
            summary.printf("  %8d  %s%n", host.getValue(), host.getKey());
        }
        summary.printf("time: %.3f s (%,.0f lines/s)%n", seconds, tally.read / Math.max(seconds, 1e-9));
        summary.flush();
        return Main.OK;
    }

    private static void writeJson(OutputStream out, long number, Filter.Match match) throws IOException {
        StringBuilder line = new StringBuilder(96).append("{\"line\": ").append(number).append(", \"host\": ");
        appendJsonString(line, match.id());
        line.append(", \"time\": ");
        if (match.time() == null) {
            line.append("null");
        } else {
            line.append('"').append(match.time()).append('"');
        }
        line.append("}\n");
        out.write(line.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void appendJsonString(StringBuilder out, String value) {
        if (value == null) {
            out.append("null");
            return;
        }
        out.append('"');
        for (int index = 0; index < value.length(); index++) {
            char c = value.charAt(index);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    private static final class Tally {
        long read;
        long tested;
        long matched;
        long ignored;
        long missed;
        final Map<String, Integer> hosts = new HashMap<>();
    }
}
