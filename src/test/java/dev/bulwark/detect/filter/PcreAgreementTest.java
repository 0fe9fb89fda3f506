package dev.bulwark.detect.filter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.detect.regex.Pcre;
import dev.bulwark.detect.regex.PythonRegex;
import dev.bulwark.detect.regex.SpanMatch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * PCRE2 against java.util.regex, on the regexes of every filter Bulwark can load (its built-ins
 * and fail2ban's stock filters, under each option set their logs test) and the lines of
 * fail2ban's annotated logs and Bulwark's sample logs: for each regex PCRE2 accepts, the same
 * lines must match, with every group at the same place, searched from the start of the line and
 * from the start of the prefregex's content. This is what lets {@link TaggedRegex} hand ASCII
 * lines to PCRE2.
 */
class PcreAgreementTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void pcre2IsThereOnJava22AndLater() {
        Assumptions.assumeTrue(Runtime.version().feature() >= 22, "PCRE2 is used on Java 22 and later");
        Assumptions.assumeFalse("java".equals(System.getenv("BULWARK_REGEX")), "BULWARK_REGEX=java turns PCRE2 off");
        assertThat(Pcre.engine()).as("libpcre2-8 must load (apt-get install libpcre2-8-0)").isNotNull();
        assertThat(Pcre.engine().describe()).startsWith("PCRE2 10.").endsWith("(JIT)");
    }

    @Test
    void everyFiltersRegexesMatchAsJavaDoesOnEveryLine() throws IOException {
        Pcre.Engine engine = Pcre.engine();
        Assumptions.assumeTrue(engine != null, "no PCRE2 here (Java 21, or libpcre2-8 missing)");
        Assumptions.assumeTrue(Files.isDirectory(Fail2banSamples.STOCK_FILTERS) && Files.isDirectory(Fail2banSamples.LOGS),
                "fail2ban's filters and test logs are not installed (apt-get install fail2ban)");
        List<String> samples = new ArrayList<>();
        for (String log : List.of("auth.log", "access.log")) {
            samples.addAll(Fail2banSamples.readLines(Path.of("samples/logs", log)));
        }
        List<Case> cases = new ArrayList<>();
        for (String builtIn : List.of("sshd", "nginx-http-auth", "nginx-botsearch", "nginx-4xx", "apache-auth", "postfix", "dovecot")) {
            cases.add(new Case("built-in " + builtIn, FilterDefinition.builtIn(builtIn, Map.of()), samples));
        }
        try (var files = Files.list(Fail2banSamples.STOCK_FILTERS)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (!name.endsWith(".conf") || name.endsWith("common.conf")) {
                    continue;
                }
                name = name.substring(0, name.length() - 5);
                Path log = Fail2banSamples.LOGS.resolve(name);
                List<String> lines = new ArrayList<>(samples);
                Set<Map<String, String>> optionSets = new LinkedHashSet<>();
                optionSets.add(Map.of());
                if (Files.isRegularFile(log)) {
                    List<String> own = Fail2banSamples.readLines(log);
                    lines.addAll(own);
                    optionSets.addAll(optionSets(own));
                }
                for (Map<String, String> options : optionSets) {
                    FilterDefinition definition;
                    try {
                        definition = FilterDefinition.load(file, options);
                    } catch (FilterException | IllegalArgumentException notLoaded) {
                        continue;
                    }
                    cases.add(new Case(name + options, definition, lines));
                }
            }
        }

        int regexes = 0;
        int accepted = 0;
        long compared = 0;
        long matched = 0;
        List<String> refused = new ArrayList<>();
        List<String> differences = new ArrayList<>();
        Pcre.Text text = engine.newText();
        for (Case test : cases) {
            FilterDefinition definition = test.definition();
            PythonRegex prefix = definition.prefRegex() == null ? null : python(definition.prefRegex(), false, definition);
            List<PythonRegex> all = new ArrayList<>();
            if (prefix != null) {
                all.add(prefix);
            }
            for (String regex : definition.failRegex()) {
                all.add(python(regex, definition.maxLines() > 1, definition));
            }
            for (String regex : definition.ignoreRegex()) {
                all.add(python(regex, false, definition));
            }
            for (PythonRegex regex : all) {
                regexes++;
                String java = regex.ascii().pattern();
                int groups = regex.ascii().matcher("").groupCount();
                Pcre.Code code = Pcre.accepts(java) ? engine.compile(java, multiline(regex), groups) : null;
                if (code == null) {
                    refused.add(test.label() + ": " + java);
                    continue;
                }
                accepted++;
                SpanMatch spans = new SpanMatch(groups);
                Matcher javaMatcher = regex.ascii().matcher("");
                Matcher prefixMatcher = prefix == null ? null : prefix.ascii().matcher("");
                for (String line : test.lines()) {
                    if (!PythonRegex.isAscii(line)) {
                        continue;
                    }
                    String subject = line + "\n";
                    List<Integer> starts = new ArrayList<>(List.of(0));
                    if (prefixMatcher != null && prefixMatcher.reset(subject).find()) {
                        Integer content = prefix.groupIndex().get("content");
                        if (content != null && prefixMatcher.start(content) > 0) {
                            starts.add(prefixMatcher.start(content));
                        }
                    }
                    for (int from : starts) {
                        compared++;
                        javaMatcher.reset(subject).region(from, subject.length());
                        boolean javaFound = javaMatcher.find();
                        text.load(subject);
                        int found = code.match(text, from, spans.spans());
                        assertThat(found).as("PCRE2 decided: %s on %s", java, subject).isNotEqualTo(Pcre.UNDECIDED);
                        String difference = null;
                        if (javaFound != (found > 0)) {
                            difference = "java " + (javaFound ? "matched" : "did not match") + ", PCRE2 the other";
                        } else if (javaFound) {
                            matched++;
                            for (int group = 0; group <= groups && difference == null; group++) {
                                if (javaMatcher.start(group) != spans.start(group) || javaMatcher.end(group) != spans.end(group)) {
                                    difference = "group " + group + ": java " + javaMatcher.start(group) + "-" + javaMatcher.end(group)
                                            + ", PCRE2 " + spans.start(group) + "-" + spans.end(group);
                                }
                            }
                        }
                        if (difference != null && differences.size() < 20) {
                            differences.add(test.label() + ": " + difference + " for " + java + " on " + subject.strip() + " from " + from);
                        }
                    }
                }
            }
        }
        System.out.printf("PCRE2 against java.util.regex: %d filter loads, %d regexes, %d accepted, %,d searches compared, %,d matches%n",
                cases.size(), regexes, accepted, compared, matched);
        refused.forEach(regex -> System.out.println("  left to java.util.regex: " + regex));
        assertThat(differences).as("PCRE2 and java.util.regex disagree").isEmpty();
        assertThat(cases.size()).as("filter loads").isGreaterThan(100);
        assertThat(accepted).as("regexes PCRE2 takes").isGreaterThan(regexes * 9 / 10);
        assertThat(matched).as("matches compared").isGreaterThan(10_000);
    }

    private record Case(String label, FilterDefinition definition, List<String> lines) {
    }

    private static PythonRegex python(String regex, boolean multiline, FilterDefinition definition) {
        return PythonRegex.compile(TaggedRegex.prepare(regex, definition.useDns()), multiline);
    }

    private static boolean multiline(PythonRegex regex) {
        return (regex.ascii().flags() & java.util.regex.Pattern.MULTILINE) != 0;
    }

    /** The option sets a log's {@code # filterOptions:} annotations name. */
    private static List<Map<String, String>> optionSets(List<String> lines) {
        List<Map<String, String>> sets = new ArrayList<>();
        for (String line : lines) {
            if (!line.startsWith("# filterOptions:")) {
                continue;
            }
            JsonNode data = JSON.readTree(line.substring("# filterOptions:".length()));
            for (JsonNode set : data.isArray() ? data : List.of(data)) {
                Map<String, String> options = new LinkedHashMap<>();
                set.properties().forEach(field -> options.put(field.getKey(), field.getValue().asString()));
                sets.add(options);
            }
        }
        return sets;
    }
}
