package dev.bulwark.detect.filter;

import static java.util.Objects.requireNonNull;

import dev.bulwark.detect.time.DateDetector;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fail2ban filter as loaded: the options that make it, after every include, interpolation and
 * tag substitution. Load one from a fail2ban {@code .conf} file ({@link #load(Path, Map)}), from
 * the filters built into Bulwark ({@link #builtIn(String, Map)}), or from either by what the user
 * wrote ({@link #resolve(String, Map)}); then {@link #newFilter} for each log to read.
 *
 * <p>{@code options} are the filter's init options, as fail2ban's {@code sshd[mode=aggressive]}
 * sets them.
 */
public record FilterDefinition(String name, String where, String prefRegex, List<String> failRegex, List<String> ignoreRegex,
                               int maxLines, String datePattern, List<String> journalMatch, String useDns,
                               Map<String, String> options) {
    /** Where the built-in filters are, on the class path. */
    static final String BUILT_IN = "/dev/bulwark/detect/filters/";
    /** The built-in filters, by name. */
    public static final List<String> BUILT_IN_NAMES = List.of("sshd", "nginx-http-auth", "nginx-botsearch", "nginx-4xx", "apache-auth",
            "postfix", "dovecot");
    /** A {@code <name>} left after substitution: one of these tags, or an option nobody defined. */
    private static final Pattern UNRESOLVED_TAG = Pattern.compile("(?<!\\(\\?P)<([A-Za-z_][\\w-]*)>");

    public FilterDefinition {
        requireNonNull(name, "name is null");
        requireNonNull(where, "where is null");
        failRegex = List.copyOf(failRegex);
        ignoreRegex = List.copyOf(ignoreRegex);
        journalMatch = List.copyOf(journalMatch);
        options = Map.copyOf(options);
        if (maxLines < 1) {
            throw new FilterException(where + ": maxlines must be 1 or more, not " + maxLines);
        }
        if (failRegex.isEmpty()) {
            throw new FilterException(where + ": the filter has no failregex; a filter needs at least one to find failures");
        }
    }

    /**
     * A filter by what the user wrote: a built-in name ({@code sshd}) or the path of a fail2ban
     * {@code .conf} file (a name with a {@code /} or ending in {@code .conf}); {@code options}
     * are its init options. Options written in brackets ({@code sshd[mode=aggressive]}) are split
     * off before, by {@code JailFilter.parse}.
     */
    public static FilterDefinition resolve(String name, Map<String, String> options) {
        if (BUILT_IN_NAMES.contains(name)) {
            return builtIn(name, options);
        }
        if (name.contains("/") || name.endsWith(".conf") || name.endsWith(".local")) {
            return load(Path.of(name), options);
        }
        throw new FilterException("no built-in filter named " + name + " (built in: " + String.join(", ", BUILT_IN_NAMES)
                + "); for a fail2ban filter give the path to its .conf file, e.g. /etc/fail2ban/filter.d/" + name + ".conf");
    }

    /** One of the filters shipped inside Bulwark ({@link #BUILT_IN_NAMES}). */
    public static FilterDefinition builtIn(String name, Map<String, String> options) {
        if (!BUILT_IN_NAMES.contains(name)) {
            throw new FilterException("no built-in filter named " + name + "; built in: " + String.join(", ", BUILT_IN_NAMES));
        }
        IniFiles.Source source = new IniFiles.Source() {
            @Override
            public String read(String file) {
                try (InputStream in = FilterDefinition.class.getResourceAsStream(BUILT_IN + file)) {
                    return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public String describe(String file) {
                return "built-in filter " + file;
            }
        };
        return fromSource(name, "built-in filter " + name, source, List.of(name + ".conf"), options);
    }

    /**
     * A fail2ban filter file, read with its {@code .local}, its {@code NAME.d/} directory and
     * its includes (relative to its directory), as fail2ban reads {@code filter.d/NAME}.
     */
    public static FilterDefinition load(Path file, Map<String, String> options) {
        Path absolute = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(absolute)) {
            throw new FilterException("no filter file " + file + "; give the path to a fail2ban filter (.conf) or a built-in name ("
                    + String.join(", ", BUILT_IN_NAMES) + ")");
        }
        Path directory = absolute.getParent();
        String fileName = absolute.getFileName().toString();
        String base = fileName.endsWith(".conf") ? fileName.substring(0, fileName.length() - 5) : fileName;
        IniFiles.Source source = new IniFiles.Source() {
            @Override
            public String read(String name) {
                Path path = directory.resolve(name);
                try {
                    return Files.readString(path, StandardCharsets.UTF_8);
                } catch (NoSuchFileException e) {
                    return null;
                } catch (IOException e) {
                    throw new FilterException("cannot read " + path + ": " + e.getMessage(), e);
                }
            }

            @Override
            public String describe(String name) {
                return directory.resolve(name).toString();
            }
        };
        List<String> files = new ArrayList<>();
        files.add(fileName);
        files.addAll(listed(directory.resolve(base + ".d"), ".conf", base + ".d/"));
        if (Files.isRegularFile(directory.resolve(base + ".local"))) {
            files.add(base + ".local");
        }
        files.addAll(listed(directory.resolve(base + ".d"), ".local", base + ".d/"));
        return fromSource(base, absolute.toString(), source, files, options);
    }

    private static List<String> listed(Path directory, String extension, String prefix) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (var files = Files.list(directory)) {
            return files.map(path -> path.getFileName().toString()).filter(name -> name.endsWith(extension)).sorted()
                    .map(name -> prefix + name).toList();
        } catch (IOException e) {
            throw new FilterException("cannot list " + directory + ": " + e.getMessage(), e);
        }
    }

    private static FilterDefinition fromSource(String name, String where, IniFiles.Source source, List<String> files,
                                               Map<String, String> options) {
        IniFiles.Merged merged = new IniFiles(source).read(files);
        Map<String, String> combined = FilterReader.combined(merged, where, options);
        int maxLines = 1;
        String maxLinesText = combined.get("maxlines");
        if (maxLinesText != null && !maxLinesText.isBlank()) {
            try {
                maxLines = Integer.parseInt(maxLinesText.strip());
            } catch (NumberFormatException e) {
                throw new FilterException(where + ": maxlines must be a whole number, not " + maxLinesText);
            }
        }
        for (String option : List.of("prefregex", "failregex", "ignoreregex")) {
            String value = combined.get(option);
            Matcher tag = value == null ? null : UNRESOLVED_TAG.matcher(value);
            while (tag != null && tag.find()) {
                // a literal <NOSRV> is fine (fail2ban leaves unknown tags as text); a tag built from an
                // init option's value, <mdre-bogus>, is an option value the filter does not know
                String tagName = tag.group(1);
                for (Map.Entry<String, String> given : options.entrySet()) {
                    String optionValue = given.getValue();
                    if (!optionValue.isEmpty() && (tagName.endsWith("-" + optionValue) || tagName.contains("-" + optionValue + "-"))) {
                        throw new FilterException(where + ": " + given.getKey() + "=" + optionValue + " is a value this filter does not know: "
                                + option + " is left with <" + tagName + ">, which no option defines; see the filter's [Init] or comments for its values");
                    }
                }
            }
        }
        String prefRegex = combined.get("prefregex");
        String datePattern = combined.get("datepattern");
        String useDns = combined.getOrDefault("usedns", "warn");
        return new FilterDefinition(name, where, prefRegex == null || prefRegex.isEmpty() ? null : prefRegex,
                lines(combined.get("failregex")), lines(combined.get("ignoreregex")), maxLines,
                datePattern == null || datePattern.isBlank() ? null : datePattern, lines(combined.get("journalmatch")),
                useDns == null || useDns.isBlank() ? "warn" : useDns.strip(), options);
    }

    private static List<String> lines(String value) {
        if (value == null) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        for (String line : value.split("\n", -1)) {
            if (!line.isEmpty()) {
                lines.add(line);
            }
        }
        return lines;
    }

    /**
     * The date patterns, one per line, as fail2ban's {@code setDatePattern} splits them; empty
     * for fail2ban's default templates.
     */
    public List<String> datePatterns() {
        return datePattern == null ? List.of() : DateDetector.splitDatePattern(datePattern);
    }

    /**
     * A filter for one log. {@code testMode}: fail2ban's test mode (every failregex tried on
     * every line, nofail and pending matches reported); otherwise the first match wins, as in a
     * jail.
     */
    public Filter newFilter(DateFinder dates, boolean testMode) {
        return new Filter(this, dates, testMode);
    }
}
