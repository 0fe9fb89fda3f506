package dev.bulwark.detect.filter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * fail2ban's own filter test suite ({@code tests/samplestestcase.py}), run on Bulwark's filter
 * engine: every stock filter over its annotated log. A line under {@code # failJSON: {...}}
 * must match or not as it says, with the host (and user, users, attempts…) it names and at the
 * time it gives; a line with no annotation must not match. {@code # filterOptions} runs the
 * lines that follow once per option set, {@code # addFILE} reads another log too, and
 * {@code constraint} and {@code test.condition} select lines as fail2ban's test does. Times are
 * local to fail2ban's test zone (Europe/Zurich) with "now" at 2005-08-14T10:00:00Z.
 *
 * <p>Run {@link #main} for the per-filter report.
 */
public final class Fail2banSamples {
    /** fail2ban's tests' "now": {@code TEST_NOW} in tests/utils.py. */
    public static final Instant TEST_NOW = Instant.ofEpochSecond(1124013600);
    /** The zone fail2ban's tests set ({@code TZ=CET-01CEST-02,M3.5.0,M10.5.0}). */
    public static final ZoneId TEST_ZONE = ZoneId.of("Europe/Zurich");
    public static final Path STOCK_FILTERS = Path.of("/etc/fail2ban/filter.d");
    public static final Path TEST_FILTERS = Path.of("/usr/lib/python3/dist-packages/fail2ban/tests/config/filter.d");
    public static final Path LOGS = Path.of("/usr/lib/python3/dist-packages/fail2ban/tests/files/logs");
    private static final Pattern ANNOTATION = Pattern.compile("^#+ ?(failJSON|(?:file|filter)Options|addFILE):(.+)$");
    private static final Pattern NAME_CONDITION = Pattern.compile("^\\s*name\\s*(==|!=)\\s*'([^']*)'\\s*$");
    private static final Pattern OPTION_CONDITION = Pattern.compile("^\\s*opts\\.get\\('([^']*)'\\)\\s*(==|!=)\\s*'([^']*)'\\s*$");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Fail2banSamples() {
    }

    /** The result for one filter: annotated lines agreed and not, unannotated lines wrongly matched, and why. */
    public record FilterResult(String filter, int agreed, int disagreed, int unannotatedAgreed, int unannotatedMatched,
                               String notLoaded, List<String> disagreements) {
        public int annotated() {
            return agreed + disagreed;
        }
    }

    /** Runs every filter of {@code directories} (each a filter.d) that has a log, with the date finder {@code dates} makes. */
    public static List<FilterResult> runAll(BiFunction<FilterDefinition, ZoneId, DateFinder> dates) throws IOException {
        List<FilterResult> results = new ArrayList<>();
        for (Path directory : List.of(STOCK_FILTERS, TEST_FILTERS)) {
            if (!Files.isDirectory(directory)) {
                continue;
            }
            try (var files = Files.list(directory)) {
                for (Path file : files.sorted().toList()) {
                    String name = file.getFileName().toString();
                    boolean test = directory.equals(TEST_FILTERS);
                    if (!name.endsWith(".conf") || name.endsWith("common.conf") || test && !name.startsWith("zzz-")) {
                        continue;
                    }
                    results.add(run(file, name.substring(0, name.length() - 5), dates));
                }
            }
        }
        return results;
    }

    private record FilterTest(String label, Filter filter, Map<String, String> options) {
    }

    static FilterResult run(Path file, String name, BiFunction<FilterDefinition, ZoneId, DateFinder> dates) throws IOException {
        return run(options -> FilterDefinition.load(file, options), LOGS, name, dates);
    }

    /** Runs the filter {@code loader} gives (for each option set) over the annotated log {@code logs/name}. */
    static FilterResult run(java.util.function.Function<Map<String, String>, FilterDefinition> loader, Path logs, String name,
                            BiFunction<FilterDefinition, ZoneId, DateFinder> dates) throws IOException {
        Counts counts = new Counts();
        if (!Files.isRegularFile(logs.resolve(name))) {
            return new FilterResult(name, 0, 0, 0, 0, "no sample log", List.of());
        }
        Map<String, Filter> cache = new LinkedHashMap<>();
        List<String> files = new ArrayList<>(List.of(name));
        Map<String, String> common = Map.of();
        List<FilterTest> tests = null;
        try {
            for (int fileIndex = 0; fileIndex < files.size(); fileIndex++) {
                Path logFile = logs.resolve(files.get(fileIndex));
                if (fileIndex > 0 && !Files.isRegularFile(logFile)) {
                    continue;
                }
                List<String> lines = readLines(logFile);
                boolean ignoreBlock = false;
                for (int index = 0; index < lines.size(); index++) {
                    String line = lines.get(index);
                    JsonNode faildata;
                    Matcher annotation = ANNOTATION.matcher(line);
                    if (annotation.matches()) {
                        JsonNode data = JSON.readTree(annotation.group(2));
                        switch (annotation.group(1)) {
                            case "fileOptions" -> {
                                common = options(data);
                                continue;
                            }
                            case "filterOptions" -> {
                                tests = new ArrayList<>();
                                ignoreBlock = false;
                                List<JsonNode> sets = new ArrayList<>();
                                if (data.isArray()) {
                                    data.forEach(sets::add);
                                } else {
                                    sets.add(data);
                                }
                                for (JsonNode set : sets) {
                                    Map<String, String> options = new LinkedHashMap<>(common);
                                    options.putAll(options(set));
                                    if (options.containsKey("test.condition")) {
                                        ignoreBlock = !condition(options.get("test.condition"), name, options);
                                    }
                                    if (!ignoreBlock) {
                                        tests.add(filterTest(loader, name, options, cache, dates));
                                    }
                                }
                                continue;
                            }
                            case "addFILE" -> {
                                files.add(data.asString());
                                continue;
                            }
                            default -> {
                                faildata = data;
                                index++;
                                if (index >= lines.size()) {
                                    continue;
                                }
                                line = lines.get(index);
                            }
                        }
                    } else if (ignoreBlock || line.startsWith("#") || line.strip().isEmpty()) {
                        continue;
                    } else {
                        faildata = null;
                    }
                    if (ignoreBlock) {
                        continue;
                    }
                    if (tests == null) {
                        tests = new ArrayList<>(List.of(filterTest(loader, name, Map.of(), cache, dates)));
                    }
                    for (FilterTest test : tests) {
                        if (faildata != null && faildata.has("constraint")
                                && !condition(faildata.get("constraint").asString(), name, test.options())) {
                            continue;
                        }
                        String problem = check(test, line, faildata);
                        counts.add(faildata != null, problem, test.label() + " " + files.get(fileIndex) + ":" + (index + 1) + ": " + problem
                                + "\n    " + line);
                    }
                }
            }
        } catch (FilterException e) {
            return new FilterResult(name, counts.agreed, counts.disagreed, counts.unannotatedAgreed, counts.unannotatedMatched,
                    e.getMessage(), counts.problems);
        }
        return new FilterResult(name, counts.agreed, counts.disagreed, counts.unannotatedAgreed, counts.unannotatedMatched, null,
                counts.problems);
    }

    private static final class Counts {
        int agreed;
        int disagreed;
        int unannotatedAgreed;
        int unannotatedMatched;
        final List<String> problems = new ArrayList<>();

        void add(boolean annotated, String problem, String description) {
            if (problem == null) {
                if (annotated) {
                    agreed++;
                } else {
                    unannotatedAgreed++;
                }
                return;
            }
            if (annotated) {
                disagreed++;
            } else {
                unannotatedMatched++;
            }
            problems.add(description);
        }
    }

    private static FilterTest filterTest(java.util.function.Function<Map<String, String>, FilterDefinition> loader, String name,
                                         Map<String, String> options, Map<String, Filter> cache,
                                         BiFunction<FilterDefinition, ZoneId, DateFinder> dates) {
        Map<String, String> filterOptions = new LinkedHashMap<>();
        options.forEach((key, value) -> {
            if (!key.startsWith("test.")) {
                filterOptions.put(key, value);
            }
        });
        String label = options.getOrDefault("test.filter-name", filterOptions.isEmpty() ? "" : filterOptions.toString());
        label = name + label;
        Filter filter = cache.get(label);
        if (filter == null) {
            FilterDefinition definition = loader.apply(filterOptions);
            filter = definition.newFilter(dates.apply(definition, TEST_ZONE), true);
            cache.put(label, filter);
        }
        return new FilterTest(label, filter, options);
    }

    /** fail2ban's checks of one line; null when they pass, else what differed. */
    private static String check(FilterTest test, String line, JsonNode faildata) {
        List<Filter.Match> matches;
        if ("journal".equals(test.options().get("logtype"))) {
            String prefixed = test.options().getOrDefault("test.prefix-line", "") + line;
            matches = test.filter().processLine(prefixed, TEST_NOW, TEST_NOW);
        } else {
            matches = test.filter().processLine(line, TEST_NOW);
        }
        List<Filter.Match> found = new ArrayList<>();
        for (Filter.Match match : matches) {
            if (match.isFailure()) {
                found.add(match);
            }
        }
        boolean shouldMatch = faildata != null && faildata.has("match") && faildata.get("match").asBoolean();
        if (found.isEmpty()) {
            return shouldMatch ? "not matched, should have" : null;
        }
        if (!shouldMatch) {
            return "matched, should not have (regex " + found.get(0).regexIndex() + ")";
        }
        if (found.size() != 1) {
            return "several regexes matched: " + found.stream().map(Filter.Match::regexIndex).toList();
        }
        Filter.Match match = found.get(0);
        for (var entry : faildata.properties()) {
            String key = entry.getKey();
            if (List.of("time", "match", "desc", "constraint").contains(key)) {
                continue;
            }
            Object actual = match.data().get(key);
            if (actual == null && key.equals("host")) {
                actual = match.id();
            }
            if (actual == null && key.equals("attempts")) {
                actual = match.matchedLines().size();
            }
            String difference = compare(key, entry.getValue(), actual);
            if (difference != null) {
                return difference;
            }
        }
        JsonNode time = faildata.get("time");
        if (time != null && !time.isNull()) {
            Instant expected = localTime(time.asString());
            if (!expected.equals(match.time())) {
                return "time " + match.time() + ", expected " + expected + " (" + time.asString() + " local)";
            }
        }
        return null;
    }

    private static final Pattern JSON_TIME = Pattern.compile("(\\d{4})-(\\d{1,2})-(\\d{1,2})T(\\d{1,2}):(\\d{1,2}):(\\d{1,2})(?:\\.(\\d{1,6}))?");

    /** Python's strptime of "%Y-%m-%dT%H:%M:%S[.%f]", which takes unpadded fields, in the test zone. */
    static Instant localTime(String text) {
        Matcher matcher = JSON_TIME.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("a failJSON time this harness cannot read: " + text);
        }
        int nanos = matcher.group(7) == null ? 0 : Integer.parseInt((matcher.group(7) + "000000").substring(0, 6)) * 1000;
        return LocalDateTime.of(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)), Integer.parseInt(matcher.group(3)),
                Integer.parseInt(matcher.group(4)), Integer.parseInt(matcher.group(5)), Integer.parseInt(matcher.group(6)), nanos)
                .atZone(TEST_ZONE).toInstant();
    }

    private static String compare(String key, JsonNode expected, Object actual) {
        if (expected.isArray()) {
            TreeSet<String> wanted = new TreeSet<>();
            expected.forEach(value -> wanted.add(value.asString()));
            TreeSet<String> got = new TreeSet<>();
            if (actual instanceof Iterable<?> values) {
                values.forEach(value -> got.add(String.valueOf(value)));
            } else if (actual != null) {
                got.add(actual.toString());
            }
            return wanted.equals(got) ? null : key + " " + got + ", expected " + wanted;
        }
        if (expected.isNull()) {
            return actual == null ? null : key + " " + actual + ", expected None";
        }
        if (expected.isNumber()) {
            return actual != null && Objects.equals(actual.toString(), expected.asString()) ? null : key + " " + actual + ", expected " + expected;
        }
        String wanted = expected.asString();
        return actual != null && actual.toString().equals(wanted) ? null : key + " " + actual + ", expected " + wanted;
    }

    private static Map<String, String> options(JsonNode data) {
        Map<String, String> options = new LinkedHashMap<>();
        data.properties().forEach(entry -> options.put(entry.getKey(), entry.getValue().asString()));
        return options;
    }

    /** The few Python conditions fail2ban's logs use: {@code name == '…'}, {@code opts.get('…') != '…'}. */
    static boolean condition(String expression, String name, Map<String, String> options) {
        Matcher byName = NAME_CONDITION.matcher(expression);
        if (byName.matches()) {
            return byName.group(1).equals("==") == name.equals(byName.group(2));
        }
        Matcher byOption = OPTION_CONDITION.matcher(expression);
        if (byOption.matches()) {
            return byOption.group(2).equals("==") == Objects.equals(options.get(byOption.group(1)), byOption.group(3));
        }
        throw new IllegalArgumentException("a condition this harness cannot evaluate: " + expression);
    }

    /** Lines as fail2ban's FileContainer reads them: UTF-8, bad bytes replaced, line ends removed. */
    static List<String> readLines(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        String text = decoder.decode(ByteBuffer.wrap(bytes)).toString();
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            String line = end < 0 ? text.substring(start) : text.substring(start, end);
            while (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            lines.add(line);
            start = end < 0 ? text.length() : end + 1;
        }
        return lines;
    }

    /** Prints the per-filter table and the totals. */
    public static void report(List<FilterResult> results, PrintStream out, boolean details) {
        int agreed = 0;
        int annotated = 0;
        Map<String, int[]> families = new TreeMap<>();
        for (FilterResult result : results) {
            agreed += result.agreed();
            annotated += result.annotated();
            out.printf("%-34s %4d/%-4d agreed  unannotated: %d quiet, %d matched%s%n", result.filter(), result.agreed(), result.annotated(),
                    result.unannotatedAgreed(), result.unannotatedMatched(),
                    result.notLoaded() == null ? "" : "  NOT LOADED: " + result.notLoaded());
            if (details) {
                result.disagreements().stream().limit(20).forEach(problem -> out.println("    " + problem));
            }
        }
        out.printf("total: %d of %d annotated lines agreed (%.1f%%)%n", agreed, annotated, 100.0 * agreed / Math.max(1, annotated));
    }

    public static void main(String[] arguments) throws IOException {
        boolean details = List.of(arguments).contains("--details");
        report(runAll((definition, zone) -> DateFinders.of(definition, zone)), System.out, details);
    }
}
