package dev.bulwark.detect.filter;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fail2ban's configuration files read as fail2ban 1.0 reads them: Python's {@code configparser}
 * syntax (option names lower-cased, {@code =} or {@code :}, indented continuation lines, {@code #}
 * and {@code ;} comment lines, {@code ;} inline comments after white space), {@code [INCLUDES]}
 * {@code before} and {@code after} read recursively, a {@code .local} file read after each
 * {@code .conf}, sections of later files merged into earlier ones with the overwritten values
 * kept in {@code KNOWN/section}, and conditional sections ({@code [Definition?logtype=journal]})
 * merged with the condition appended to each option name.
 */
final class IniFiles {
    static final String DEFAULT = "DEFAULT";
    static final String INCLUDES = "INCLUDES";
    private static final Pattern SECTION = Pattern.compile("\\[(?<header>.+)\\]");
    private static final Pattern OPTION = Pattern.compile("(?<option>.*?)\\s*(?<delimiter>[=:])\\s*(?<value>.*)");
    private static final Pattern CONDITIONAL = Pattern.compile("^(\\w+)(\\?.+)$", Pattern.UNICODE_CHARACTER_CLASS);

    /** Where configuration files come from: a directory, or the filters inside Bulwark's jar. */
    interface Source {
        /** The text of {@code name} (a path relative to the source's root, with {@code /}), or null when there is none. */
        String read(String name);

        /** Where {@code name} is, for messages. */
        String describe(String name);
    }

    /** One parsed file: its [DEFAULT] options and its sections, each option's raw value. */
    record Parsed(String name, Map<String, String> defaults, Map<String, Map<String, String>> sections) {
    }

    /** The merged result of a file and everything it includes. */
    static final class Merged {
        final Map<String, String> defaults = new LinkedHashMap<>();
        final Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        final List<String> files = new ArrayList<>();
    }

    private final Source source;
    private final Map<String, Parsed> cache = new LinkedHashMap<>();

    IniFiles(Source source) {
        this.source = requireNonNull(source, "source is null");
    }

    /**
     * Reads {@code names} (each with its .local and includes, in fail2ban's order) and merges
     * them, later files winning.
     */
    Merged read(List<String> names) {
        List<String> ordered = new ArrayList<>();
        for (String name : withLocal(names)) {
            includes(name, new ArrayList<>(), ordered);
        }
        Merged merged = new Merged();
        for (String name : ordered) {
            Parsed parsed = parse(name);
            if (parsed == null) {
                continue;
            }
            merged.files.add(name);
            merged.defaults.putAll(parsed.defaults());
            for (Map.Entry<String, Map<String, String>> entry : parsed.sections().entrySet()) {
                String section = entry.getKey();
                Map<String, String> options = entry.getValue();
                Matcher conditional = CONDITIONAL.matcher(section);
                if (conditional.matches()) {
                    section = conditional.group(1);
                    Map<String, String> renamed = new LinkedHashMap<>();
                    for (Map.Entry<String, String> option : options.entrySet()) {
                        renamed.put(option.getKey() + conditional.group(2), option.getValue());
                    }
                    options = renamed;
                }
                Map<String, String> existing = merged.sections.get(section);
                if (existing == null) {
                    merged.sections.put(section, new LinkedHashMap<>(options));
                    continue;
                }
                Map<String, String> known = merged.sections.computeIfAbsent("KNOWN/" + section, key -> new LinkedHashMap<>());
                for (Map.Entry<String, String> option : existing.entrySet()) {
                    if (options.containsKey(option.getKey())) {
                        known.put(option.getKey(), option.getValue());
                    }
                }
                existing.putAll(options);
            }
        }
        return merged;
    }

    private List<String> withLocal(List<String> names) {
        List<String> expanded = new ArrayList<>();
        for (String name : names) {
            expanded.add(name);
            String local = stripExtension(name) + ".local";
            if (!names.contains(local) && source.read(local) != null) {
                expanded.add(local);
            }
        }
        return expanded;
    }

    private void includes(String name, List<String> seen, List<String> out) {
        Parsed parsed = parse(name);
        if (parsed == null) {
            return;
        }
        List<String> before = new ArrayList<>();
        List<String> after = new ArrayList<>();
        Map<String, String> includes = parsed.sections().get(INCLUDES);
        if (includes != null) {
            include(name, includes.get("before"), seen, before);
            include(name, includes.get("after"), seen, after);
        }
        out.addAll(before);
        out.add(name);
        out.addAll(after);
    }

    private void include(String name, String value, List<String> seen, List<String> out) {
        if (value == null) {
            return;
        }
        String directory = name.contains("/") ? name.substring(0, name.lastIndexOf('/') + 1) : "";
        for (String included : value.split("\n", -1)) {
            String path = included.startsWith("/") ? included : directory + included;
            if (seen.contains(path)) {
                continue;
            }
            List<String> nested = new ArrayList<>(seen);
            nested.add(name);
            for (String file : withLocal(List.of(path))) {
                includes(file, nested, out);
            }
        }
    }

    Parsed parse(String name) {
        if (cache.containsKey(name)) {
            return cache.get(name);
        }
        String text = source.read(name);
        Parsed parsed = text == null ? null : parse(name, text);
        cache.put(name, parsed);
        return parsed;
    }

    /** configparser's {@code _read}: the same rules, the same traps. */
    private Parsed parse(String name, String text) {
        Map<String, String> defaults = new LinkedHashMap<>();
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        Map<String, List<String>> current = null;
        Map<String, Map<String, List<String>>> raw = new LinkedHashMap<>();
        String option = null;
        int indent = 0;
        String[] lines = text.split("\n", -1);
        for (int number = 1; number <= lines.length; number++) {
            String line = lines[number - 1];
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            int commentStart = commentStart(line);
            String value = (commentStart < 0 ? line : line.substring(0, commentStart)).strip();
            if (value.isEmpty()) {
                if (commentStart < 0 && current != null && option != null && current.get(option) != null) {
                    current.get(option).add("");
                }
                continue;
            }
            int firstNonSpace = 0;
            while (firstNonSpace < line.length() && Character.isWhitespace(line.charAt(firstNonSpace))) {
                firstNonSpace++;
            }
            if (current != null && option != null && firstNonSpace > indent) {
                current.get(option).add(value);
                continue;
            }
            indent = firstNonSpace;
            Matcher section = SECTION.matcher(value);
            if (section.lookingAt()) {
                String header = section.group("header");
                current = raw.computeIfAbsent(header, key -> new LinkedHashMap<>());
                option = null;
                continue;
            }
            if (current == null) {
                throw new FilterException(source.describe(name) + ":" + number
                        + ": an option before any [section]: " + value + "; put it under a section such as [Definition]");
            }
            Matcher matcher = OPTION.matcher(value);
            if (!matcher.matches()) {
                throw new FilterException(source.describe(name) + ":" + number
                        + ": not an option (NAME = VALUE) nor a [section]: " + value);
            }
            option = matcher.group("option").strip().toLowerCase(Locale.ROOT);
            List<String> values = new ArrayList<>();
            values.add(matcher.group("value").strip());
            current.put(option, values);
        }
        for (Map.Entry<String, Map<String, List<String>>> section : raw.entrySet()) {
            Map<String, String> options = section.getKey().equals(DEFAULT) ? defaults : new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> entry : section.getValue().entrySet()) {
                options.put(entry.getKey(), String.join("\n", entry.getValue()).stripTrailing());
            }
            if (!section.getKey().equals(DEFAULT)) {
                sections.put(section.getKey(), options);
            }
        }
        return new Parsed(name, defaults, sections);
    }

    /** Where a comment starts: a line whose first non-space is # or ;, or ; after white space; -1 for none. */
    private static int commentStart(String line) {
        String stripped = line.strip();
        if (stripped.startsWith("#") || stripped.startsWith(";")) {
            return 0;
        }
        int index = -1;
        while ((index = line.indexOf(';', index + 1)) >= 0) {
            if (index == 0 || Character.isWhitespace(line.charAt(index - 1))) {
                return index;
            }
        }
        return -1;
    }

    private static String stripExtension(String name) {
        int slash = name.lastIndexOf('/');
        int dot = name.lastIndexOf('.');
        return dot > slash + 1 ? name.substring(0, dot) : name;
    }
}
