package dev.bulwark.detect.filter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns merged filter files into a filter's options the way fail2ban's {@code FilterReader}
 * ({@code DefinitionInitConfigReader}) does: the [Definition] options read with configparser's
 * {@code %(name)s} interpolation (the jail's init options first, then the section, then
 * [DEFAULT]; {@code %(section/option)s} and {@code %(known/option)s} as fail2ban adds them), the
 * [Init] options as defaults for the init options, and then fail2ban's recursive {@code <tag>}
 * substitution over all of them, where a tag that is no option ({@code <HOST>},
 * {@code <F-USER>}) is left for the regular expression.
 */
final class FilterReader {
    static final String DEFINITION = "Definition";
    static final String INIT = "Init";
    /** The options a filter file may set, in fail2ban's FilterReader._configOpts order. */
    static final List<String> OPTIONS = List.of("usedns", "prefregex", "ignoreregex", "failregex", "maxlines", "datepattern", "journalmatch");
    private static final int MAX_INTERPOLATION_DEPTH = 10;
    private static final int MAX_TAG_REPLACE_COUNT = 25;
    private static final Pattern KEY = Pattern.compile("%\\(([^)]+)\\)s");
    private static final Pattern SECTION_OPTION_REFERENCE = Pattern.compile("%\\(([\\w\\-]+/([^)]+))\\)s", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern SECTION_OPTION_NAME = Pattern.compile("^([\\w\\-]+)/([^\\s>]+)$", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern CONDITIONAL = Pattern.compile("^(\\w+)(\\?.+)$", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern TAG = Pattern.compile("<([^ <>]+)>");

    private final IniFiles.Merged config;
    private final String where;
    private final Map<String, String> combinedCache = new HashMap<>();

    private FilterReader(IniFiles.Merged config, String where) {
        this.config = config;
        this.where = where;
    }

    /**
     * The combined options of a filter: {@link #OPTIONS} that the files set, after every
     * substitution. {@code initOptions}: what the jail gives, as {@code sshd[mode=aggressive]}.
     */
    static Map<String, String> combined(IniFiles.Merged config, String where, Map<String, String> initOptions) {
        return new FilterReader(config, where).combined(initOptions);
    }

    private Map<String, String> combined(Map<String, String> given) {
        Map<String, String> init = new LinkedHashMap<>(given);
        Map<String, String> vars = new LinkedHashMap<>(init);
        if (!config.sections.containsKey(DEFINITION)) {
            throw new FilterException(where + ": no [Definition] section; a fail2ban filter defines failregex there");
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (String option : OPTIONS) {
            if (vars.containsKey(option)) {
                continue;
            }
            String value = get(DEFINITION, option, vars);
            if (value != null) {
                options.put(option, value);
            }
        }
        Map<String, String> initSection = config.sections.get(INIT);
        if (initSection != null) {
            for (String option : initSection.keySet()) {
                if (!option.startsWith("known/")) {
                    init.put("known/" + option, get(INIT, option, Map.of()));
                }
                if (!init.containsKey(option)) {
                    init.put(option, get(INIT, option, Map.of()));
                }
            }
        }
        Map<String, String> combined = new LinkedHashMap<>(options);
        combined.putAll(init);
        Set<String> ignore = new HashSet<>();
        for (String name : combined.keySet()) {
            Matcher conditional = CONDITIONAL.matcher(name);
            if (conditional.matches()) {
                ignore.add(conditional.group(1));
            }
        }
        return substituteTags(combined, ignore, vars);
    }

    /** configparser's {@code get(section, option, vars=...)}: null when the option is not there. */
    private String get(String section, String option, Map<String, String> vars) {
        Map<String, String> map = unified(section, vars);
        if (map == null) {
            return null;
        }
        String value = map.get(option.toLowerCase(Locale.ROOT));
        if (value == null) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        interpolate(section, option, out, value, map, 1);
        return out.toString();
    }

    /** fail2ban's {@code get_ex}: also {@code section/option} and {@code known/option} names. */
    private String getExtended(String section, String option, Map<String, String> vars) {
        if (option.indexOf('/') >= 0) {
            Matcher named = SECTION_OPTION_NAME.matcher(option);
            if (named.find()) {
                String other = named.group(1);
                String name = named.group(2);
                String lower = other.toLowerCase(Locale.ROOT);
                List<String> candidates = lower.equals("known") ? List.of("KNOWN/" + section, section)
                        : List.of(lower.equals("default") ? IniFiles.DEFAULT : other);
                for (String candidate : candidates) {
                    String value = get(candidate, name, Map.of());
                    if (value != null) {
                        return value;
                    }
                }
            }
        }
        return get(section, option, vars);
    }

    /** vars, then the section, then [DEFAULT], as configparser's ChainMap; null for a missing section. */
    private Map<String, String> unified(String section, Map<String, String> vars) {
        Map<String, String> sectionOptions = section.equals(IniFiles.DEFAULT) ? Map.of() : config.sections.get(section);
        if (sectionOptions == null) {
            return null;
        }
        Map<String, String> map = new HashMap<>(config.defaults);
        map.putAll(sectionOptions);
        for (Map.Entry<String, String> entry : vars.entrySet()) {
            map.put(entry.getKey().toLowerCase(Locale.ROOT), entry.getValue());
        }
        return map;
    }

    private void interpolate(String section, String option, StringBuilder out, String rest, Map<String, String> map, int depth) {
        if (depth > MAX_INTERPOLATION_DEPTH) {
            throw new FilterException(where + ": [" + section + "] " + option
                    + ": %(...)s references nest more than " + MAX_INTERPOLATION_DEPTH + " deep; is an option referring to itself?");
        }
        mapSectionOptions(section, rest, map);
        while (!rest.isEmpty()) {
            int percent = rest.indexOf('%');
            if (percent < 0) {
                out.append(rest);
                return;
            }
            out.append(rest, 0, percent);
            rest = rest.substring(percent);
            char next = rest.length() > 1 ? rest.charAt(1) : 0;
            if (next == '%') {
                out.append('%');
                rest = rest.substring(2);
                continue;
            }
            if (next != '(') {
                throw new FilterException(where + ": [" + section + "] " + option + ": '%' must be followed by '%' or '(', found: "
                        + rest + "; write %% for a literal percent sign");
            }
            Matcher key = KEY.matcher(rest);
            if (!key.lookingAt()) {
                throw new FilterException(where + ": [" + section + "] " + option + ": bad interpolation reference " + rest
                        + "; references are written %(name)s");
            }
            String variable = key.group(1).toLowerCase(Locale.ROOT);
            rest = rest.substring(key.end());
            String value = map.get(variable);
            if (value == null) {
                value = map.get(key.group(1));
            }
            if (value == null) {
                throw new FilterException(where + ": [" + section + "] " + option + ": %(" + key.group(1)
                        + ")s refers to an option that is not defined in [" + section + "] nor [DEFAULT]");
            }
            if (value.indexOf('%') >= 0) {
                interpolate(section, option, out, value, map, depth + 1);
            } else {
                out.append(value);
            }
        }
    }

    /** fail2ban's {@code _map_section_options}: puts {@code %(section/option)s} values into the map. */
    private void mapSectionOptions(String section, String rest, Map<String, String> map) {
        if (rest.indexOf('/') < 0 || !rest.contains("%(")) {
            return;
        }
        Matcher reference = SECTION_OPTION_REFERENCE.matcher(rest);
        while (reference.find()) {
            String full = reference.group(1);
            String option = reference.group(2);
            if (map.containsKey(full)) {
                continue;
            }
            String other = full.substring(0, full.length() - option.length() - 1);
            String lower = other.toLowerCase(Locale.ROOT);
            String value = null;
            boolean useDefault = false;
            if (lower.equals("default")) {
                useDefault = true;
            } else if (lower.equals("known")) {
                Map<String, String> known = config.sections.get("KNOWN/" + section);
                value = known == null ? null : known.get(option);
                useDefault = value == null;
            } else {
                Map<String, String> options = config.sections.get(other);
                if (options == null) {
                    continue;
                }
                value = options.get(option);
                useDefault = value == null;
            }
            if (useDefault) {
                value = config.defaults.get(option);
                if (value == null) {
                    continue;
                }
            }
            map.put(full, value);
        }
    }

    /** fail2ban's {@code substituteRecursiveTags} with {@code getCombOption} as its fallback. */
    private Map<String, String> substituteTags(Map<String, String> tags, Set<String> ignore, Map<String, String> vars) {
        Set<String> done = new HashSet<>();
        Map<String, Map<String, Integer>> counts = new HashMap<>();
        while (true) {
            boolean repeat = false;
            for (String tag : new ArrayList<>(tags.keySet())) {
                if (ignore.contains(tag) || done.contains(tag)) {
                    continue;
                }
                String original = tags.get(tag);
                String value = original;
                Map<String, Integer> replaced = counts.getOrDefault(tag, new HashMap<>());
                Matcher matcher = TAG.matcher(value);
                boolean found = matcher.find();
                while (found) {
                    String referenced = matcher.group(1);
                    if (ignore.contains(referenced)) {
                        found = matcher.find(matcher.end());
                        continue;
                    }
                    if (referenced.equals(tag) || replaced.getOrDefault(referenced, 1) > MAX_TAG_REPLACE_COUNT) {
                        throw new FilterException(where + ": option " + tag + " refers to itself through <" + referenced
                                + ">, so its tags cannot be resolved; break the cycle");
                    }
                    String replacement = tags.get(referenced);
                    if (replacement == null) {
                        replacement = combinedOption(referenced, vars);
                    }
                    if (replacement == null) {
                        found = matcher.find(matcher.end());
                        continue;
                    }
                    int start = matcher.start();
                    value = value.replace("<" + referenced + ">", replacement);
                    replaced.merge(referenced, 1, Integer::sum);
                    matcher = TAG.matcher(value);
                    found = matcher.find(start);
                }
                if (!original.equals(value)) {
                    if (TAG.matcher(value).find()) {
                        counts.put(tag, replaced);
                        repeat = true;
                    }
                    tags.put(tag, value);
                }
                if (value.indexOf('<') < 0) {
                    done.add(tag);
                }
            }
            if (!repeat) {
                return tags;
            }
        }
    }

    private String combinedOption(String name, Map<String, String> vars) {
        if (combinedCache.containsKey(name)) {
            return combinedCache.get(name);
        }
        String value = getExtended(DEFINITION, name, vars);
        combinedCache.put(name, value);
        return value;
    }
}
