package dev.bulwark.detect.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

class FilterDefinitionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Every stock filter, with each option set its test log uses, read by Bulwark and by fail2ban
     * itself (scripts/fail2ban-filter-options.py wrote the expected side): the same combined
     * options, the same regular expressions after tag resolution, the same filters refused.
     */
    @Test
    void readsEveryStockFilterAsFail2banDoes() throws IOException {
        List<JsonNode> expected = new ArrayList<>();
        try (InputStream in = getClass().getResourceAsStream("/detect/fail2ban-filter-options.jsonl")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                expected.add(JSON.readTree(line));
            }
        }
        Path stock = Path.of(expected.get(0).get("dir").asString(), "filter.d");
        Assumptions.assumeTrue(Files.isDirectory(stock), "fail2ban's filters are not installed (apt-get install fail2ban): " + stock);
        List<String> differences = new ArrayList<>();
        int compared = 0;
        for (JsonNode filter : expected) {
            Path file = Path.of(filter.get("dir").asString(), "filter.d", filter.get("filter").asString() + ".conf");
            Map<String, String> options = new LinkedHashMap<>();
            filter.get("options").properties().forEach(entry -> options.put(entry.getKey(), entry.getValue().asString()));
            String label = filter.get("filter").asString() + options;
            compared++;
            if (filter.has("error")) {
                try {
                    FilterDefinition.load(file, options);
                    differences.add(label + ": fail2ban refuses it (" + filter.get("error").asString() + "), Bulwark loads it");
                } catch (FilterException refused) {
                    // both refuse
                }
                continue;
            }
            FilterDefinition definition;
            try {
                definition = FilterDefinition.load(file, options);
            } catch (FilterException e) {
                differences.add(label + ": " + e.getMessage());
                continue;
            }
            compare(differences, label, "prefregex", text(filter, "prefregex"), definition.prefRegex());
            compare(differences, label, "failregex", lines(text(filter, "failregex")), definition.failRegex());
            compare(differences, label, "ignoreregex", lines(text(filter, "ignoreregex")), definition.ignoreRegex());
            compare(differences, label, "datepattern", text(filter, "datepattern"), definition.datePattern());
            String maxLines = text(filter, "maxlines");
            compare(differences, label, "maxlines", maxLines == null ? 1 : Integer.parseInt(maxLines), definition.maxLines());
            List<String> resolved = new ArrayList<>();
            filter.get("failregex_resolved").forEach(regex -> resolved.add(regex.asString()));
            List<String> ours = definition.failRegex().stream().map(regex -> TaggedRegex.resolveTags(regex, "warn")).toList();
            compare(differences, label, "resolved failregex", resolved, ours);
        }
        assertThat(differences).as("filters read differently from fail2ban").isEmpty();
        assertThat(compared).isGreaterThan(100);
    }

    private static void compare(List<String> differences, String label, String what, Object expected, Object actual) {
        if (expected == null ? actual != null && !"".equals(actual) && !List.of().equals(actual) : !expected.equals(actual)) {
            differences.add(label + " " + what + ": fail2ban " + expected + ", Bulwark " + actual);
        }
    }

    private static String text(JsonNode filter, String key) {
        JsonNode value = filter.get(key);
        return value == null || value.isNull() ? null : value.asString();
    }

    private static List<String> lines(String value) {
        if (value == null) {
            return List.of();
        }
        return java.util.Arrays.stream(value.split("\n", -1)).filter(line -> !line.isEmpty()).toList();
    }

    @Test
    void includesInterpolationAndTagsWorkTogether(@TempDir Path directory) throws IOException {
        Files.writeString(directory.resolve("base.conf"), """
                [DEFAULT]
                _daemon = \\S+
                __prefix = <_daemon>\\[\\d+\\]:
                [Definition]
                mode = normal
                """);
        Files.writeString(directory.resolve("mine.conf"), """
                [INCLUDES]
                before = base.conf
                [Definition]
                _daemon = myapp
                failregex = ^%(__prefix)s login failed from <HOST>$ ; an inline comment
                            <extra-<mode>>
                extra-normal =
                extra-strict = ^%(__prefix)s probe from <HOST>
                ignoreregex =
                """);
        Files.writeString(directory.resolve("mine.local"), """
                [Definition]
                ignoreregex = from 10\\.
                """);
        FilterDefinition normal = FilterDefinition.load(directory.resolve("mine.conf"), Map.of());
        assertThat(normal.failRegex()).containsExactly("^myapp\\[\\d+\\]: login failed from <HOST>$");
        assertThat(normal.ignoreRegex()).containsExactly("from 10\\.");
        FilterDefinition strict = FilterDefinition.resolve(directory.resolve("mine.conf").toString(), Map.of("mode", "strict"));
        assertThat(strict.failRegex()).containsExactly("^myapp\\[\\d+\\]: login failed from <HOST>$", "^myapp\\[\\d+\\]: probe from <HOST>");
    }

    @Test
    void badFilesAreRefusedWithTheirPlace(@TempDir Path directory) throws IOException {
        Files.writeString(directory.resolve("bad.conf"), """
                [Definition]
                failregex = ^%(missing)s <HOST>
                """);
        assertThatThrownBy(() -> FilterDefinition.load(directory.resolve("bad.conf"), Map.of()))
                .isInstanceOf(FilterException.class).hasMessageContaining("bad.conf").hasMessageContaining("%(missing)s");
        assertThatThrownBy(() -> FilterDefinition.resolve("no-such-filter", Map.of()))
                .isInstanceOf(FilterException.class).hasMessageContaining("no built-in filter named no-such-filter");
        assertThatThrownBy(() -> FilterDefinition.builtIn("sshd", Map.of("mode", "bogus")))
                .isInstanceOf(FilterException.class).hasMessageContaining("mode=bogus is a value this filter does not know");
        assertThat(FilterDefinition.builtIn("sshd", Map.of("mode", "aggressive")).failRegex().size())
                .isGreaterThan(FilterDefinition.builtIn("sshd", Map.of()).failRegex().size());
        Files.writeString(directory.resolve("nohost.conf"), """
                [Definition]
                failregex = ^login failed$
                """);
        FilterDefinition noHost = FilterDefinition.load(directory.resolve("nohost.conf"), Map.of());
        assertThatThrownBy(() -> noHost.newFilter(DateFinder.NONE, false))
                .isInstanceOf(FilterException.class).hasMessageContaining("no <HOST>");
    }
}
