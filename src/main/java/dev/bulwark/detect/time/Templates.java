package dev.bulwark.detect.time;

import dev.bulwark.detect.regex.PythonRegex;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How fail2ban turns date patterns into templates: server/datetemplate.py's {@code setRegex}
 * (word and line boundaries, {@code **}, {@code {UNB}}, {@code {^LN-BEG}}) and
 * server/datedetector.py's template factory, default list and {@code appendTemplate}
 * ({@code {DEFAULT}}, {@code {^LN-BEG}}, {@code {DATE}}, {@code {NONE}}, {@code EPOCH},
 * {@code LEPOCH}, {@code TAI64N}). One instance per %ExY year; immutable and shared.
 */
final class Templates {
    /** For the Java patterns written here: Python's {@code . ^ $} know only {@code \n}, its classes are Unicode's. */
    static final int FLAGS = Pattern.UNIX_LINES | Pattern.UNICODE_CHARACTER_CLASS;
    private static final ConcurrentHashMap<Integer, Templates> BY_YEAR = new ConcurrentHashMap<>();

    private static final String LINE_BEGIN_MARK = "{^LN-BEG}";

    private static final Pattern GROUPED = meta("(?<!(?:\\(\\?))(?<!\\\\)\\((?!\\?)");
    private static final Pattern GROUP = meta("^((?:\\(\\?\\w+\\))?\\^?(?:\\(\\?\\w+\\))?)(.*?)(\\$?)$");
    private static final Pattern GLOBAL_FLAGS = meta("((?:^|(?!<\\\\))\\(\\?[a-z]+\\))");
    private static final Pattern NO_BOUNDS = meta("^\\{UNB\\}");
    private static final Pattern LINE_BOUND_MARK = meta("^\\{\\^LN-BEG\\}");
    private static final Pattern START_ANCHOR = meta("^\\((?:\\?:)?\\^\\|\\\\b\\|\\\\W\\)");
    private static final Pattern END_ANCHOR = meta("\\(\\?=\\\\b\\|\\\\W\\|\\$\\)$");
    private static final Pattern NO_WORD_BOUND_BEGIN = meta("^\\(*(?:\\(\\?\\w+\\))?(?:\\^|\\(*\\*\\*|\\((?:\\?:)?\\^)");
    private static final Pattern NO_WORD_BOUND_END = meta("(?<!\\\\)(?:\\$\\)?|\\\\b|\\\\s|\\*\\*\\)*)$");
    private static final Pattern STARS = meta("^\\(*(?:\\(\\?\\w+\\))?\\(*\\*\\*|(?<!\\\\)\\*\\*\\)*$");
    private static final Pattern LINE_BOUND_BEGIN = meta("^(?:\\(\\?\\w+\\))?(?:\\^|\\((?:\\?:)?\\^(?!\\|))");
    private static final Pattern LINE_BOUND_END = meta("(?<![\\\\\\|])(?:\\$\\)?)$");
    private static final Pattern ALPHA_DIRECTIVE = meta("(?<!\\%)\\%[aAbBpc]");
    private static final Pattern EPOCH_MARK = Pattern.compile("(?<!\\\\)\\{L?EPOCH\\}",
            FLAGS | Pattern.CASE_INSENSITIVE);
    private static final Pattern DATE_MARK = Pattern.compile("(?<!\\\\)\\{DATE\\}",
            FLAGS | Pattern.CASE_INSENSITIVE);

    private static final String EPOCH = "\\d{10,11}\\b(?:\\.\\d{3,6})?";
    private static final String LONG_EPOCH = "\\d{10,11}(?:\\d{3}(?:\\.\\d{1,6}|\\d{3})?)?";
    /** Conditional groups of fail2ban's epoch expressions: they never reject a match (see below). */
    private static final String EPOCH_CONDITIONS = "(?:(?(selinux)(?=:\\d+\\)))|(?(square)(?=\\])))";
    private static final String LINE_EPOCH_CONDITION = "(?(square)(?=\\]))";

    /** fail2ban's DateDetectorCache.DEFAULT_TEMPLATES, in order. */
    static final List<String> DEFAULT_PATTERNS = List.of(
            "%ExY(?P<_sep>[-/.])%m(?P=_sep)%d(?:T|  ?)%H:%M:%S(?:[.,]%f)?(?:\\s*%z)?",
            "(?:%a )?%b %d %k:%M:%S(?:\\.%f)?(?: %ExY)?",
            "(?:%a )?%b %d %ExY %k:%M:%S(?:\\.%f)?",
            "%d(?P<_sep>[-/])%m(?P=_sep)(?:%ExY|%Exy) %k:%M:%S",
            "%d(?P<_sep>[-/])%b(?P=_sep)%ExY[ :]?%H:%M:%S(?:\\.%f)?(?: %z)?",
            "%m/%d/%ExY:%H:%M:%S",
            "%m-%d-%ExY %k:%M:%S(?:\\.%f)?",
            "EPOCH",
            "{^LN-BEG}%H:%M:%S",
            "^<%m/%d/%Exy@%H:%M:%S>",
            "%Exy%Exm%Exd  ?%H:%M:%S",
            "%b %d, %ExY %I:%M:%S %p",
            "^%b-%d-%Exy %k:%M:%S",
            "%ExY%Exm%Exd(?:T|  ?)%ExH%ExM%ExS(?:[.,]%f)?(?:\\s*%z)?",
            "(?:%Z )?(?:%a )?%b %d %k:%M:%S(?:\\.%f)?(?: %ExY)?",
            "(?:%z )?(?:%a )?%b %d %k:%M:%S(?:\\.%f)?(?: %ExY)?",
            "TAI64N");

    private enum Begin { NONE, WORD, LINE }

    private final TimeDirectives directives;
    /** The 17 default templates (what {@code {DATE}} wraps). */
    private final List<DateTemplate> baseDefaults;
    /** The 31 of the full default list: line-begin copies first (weight 100), then the 17. */
    private final List<DateTemplate> defaults;
    /**
     * The keys under which fail2ban's template cache holds the line-begin copies: a date pattern
     * with one of these keys gets that same template, and so its weight of 100.
     */
    private final Set<String> anchoredKeys = new HashSet<>();

    private Templates(int currentYear) {
        directives = new TimeDirectives(currentYear);
        List<DateTemplate> base = new ArrayList<>();
        for (String pattern : DEFAULT_PATTERNS) {
            base.add(template(pattern));
        }
        baseDefaults = List.copyOf(base);
        List<DateTemplate> anchored = new ArrayList<>();
        for (DateTemplate template : baseDefaults) {
            if (template.name.startsWith(LINE_BEGIN_MARK) || template.name.startsWith("^")) {
                continue;
            }
            DateTemplate copy = derived(template, source -> LINE_BEGIN_MARK + source);
            if (!copy.name.equals(template.name)) {
                anchored.add(copy.withWeight(100.0));
                anchoredKeys.add(template.pattern != null
                        ? key(LINE_BEGIN_MARK + template.pattern)
                        : key(LINE_BEGIN_MARK + template.name));
            }
        }
        List<DateTemplate> all = new ArrayList<>(anchored);
        all.addAll(baseDefaults);
        defaults = List.copyOf(all);
    }

    static Templates forYear(int currentYear) {
        return BY_YEAR.computeIfAbsent(currentYear, Templates::new);
    }

    List<DateTemplate> defaults() {
        return defaults;
    }

    /**
     * The templates a filter's date pattern lines give, in order, as fail2ban's
     * {@code appendTemplate} adds them one by one; the full default list when none remain.
     *
     * @throws IllegalArgumentException for a pattern that does not compile, or two templates of
     *     one name
     */
    List<DateTemplate> forPatterns(List<String> patterns) {
        List<DateTemplate> result = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String pattern : patterns) {
            String key = key(pattern);
            if (key.equals(LINE_BEGIN_MARK)) {
                addDefaults(result, names, defaults, template -> (template.flags & DateTemplate.LINE_BEGIN) != 0, null);
                continue;
            }
            if (key.equals("{DEFAULT}")) {
                // fail2ban's filter for {DEFAULT} answers None for every template: it adds none,
                // and the detector falls back to the full list only if nothing else was added.
                continue;
            }
            if (key.contains("{DATE}")) {
                addDefaults(result, names, baseDefaults, null, pattern);
                continue;
            }
            DateTemplate template = key.equals("{NONE}") ? template("{UNB}^", key) : template(pattern, key);
            if (!names.add(template.name)) {
                throw new IllegalArgumentException("date pattern '" + pattern
                        + "': there is already a template with name " + template.name);
            }
            result.add(template);
        }
        return result.isEmpty() ? defaults : List.copyOf(result);
    }

    private void addDefaults(List<DateTemplate> result, Set<String> names, List<DateTemplate> from,
            Predicate<DateTemplate> filter, String preMatch) {
        boolean ignoreDuplicates = !result.isEmpty();
        for (DateTemplate template : from) {
            if (filter != null && !filter.test(template)) {
                continue;
            }
            if (preMatch != null) {
                template = derived(template, source -> replaceAll(DATE_MARK, preMatch, unbound(source)));
            }
            if (!names.add(template.name)) {
                if (ignoreDuplicates) {
                    continue;
                }
                throw new IllegalArgumentException("date pattern '" + preMatch
                        + "': there is already a template with name " + template.name);
            }
            result.add(template);
        }
    }

    /** fail2ban's {@code _getAnchoredTemplate}: a template from this one's pattern, wrapped. */
    private DateTemplate derived(DateTemplate template, UnaryOperator<String> wrap) {
        if (template.pattern == null) {
            return template(wrap.apply(template.name));
        }
        return template(wrap.apply(template.pattern));
    }

    /** fail2ban's cache key of a date pattern: the pattern, upper-cased unless it has a {@code %}. */
    private static String key(String pattern) {
        return pattern.indexOf('%') >= 0 ? pattern : pythonUpper(pattern);
    }

    private DateTemplate template(String pattern) {
        return template(pattern, key(pattern));
    }

    /** fail2ban's {@code _getPatternTemplate}. */
    private DateTemplate template(String pattern, String key) {
        DateTemplate template = null;
        if (key.contains("EPOCH")) {
            if (EPOCH_MARK.matcher(pattern).find()) {
                template = epochPattern(pattern, key.contains("LEPOCH"));
            } else if (key.equals("EPOCH") || key.equals("{^LN-BEG}EPOCH") || key.equals("^EPOCH")) {
                template = epoch(!key.equals("EPOCH"), false);
            } else if (key.equals("LEPOCH") || key.equals("{^LN-BEG}LEPOCH") || key.equals("^LEPOCH")) {
                template = epoch(!key.equals("LEPOCH"), true);
            }
        }
        if (template == null) {
            if (key.equals("TAI64N") || key.equals("{^LN-BEG}TAI64N") || key.equals("^TAI64N")) {
                template = tai64n(!key.equals("TAI64N"));
            } else {
                template = datePattern(pattern);
            }
        }
        return anchoredKeys.contains(key) ? template.withWeight(100.0) : template;
    }

    /** fail2ban's {@code DatePatternRegex(pattern)}. */
    private DateTemplate datePattern(String pattern) {
        String original = pattern;
        Begin begin = Begin.WORD;
        boolean end = true;
        if (NO_BOUNDS.matcher(pattern).find()) {
            pattern = NO_BOUNDS.matcher(pattern).replaceAll("");
            begin = Begin.NONE;
            end = false;
        }
        if (begin != Begin.NONE && LINE_BOUND_MARK.matcher(pattern).find()) {
            pattern = LINE_BOUND_MARK.matcher(pattern).replaceAll("");
            begin = Begin.LINE;
        }
        TimeDirectives.Expanded expanded = directives.expand(pattern);
        String regex = expanded.regex();
        if (ALPHA_DIRECTIVE.matcher(pattern).find()) {
            regex = "(?iu)" + regex;
        }
        Bounded bounded = bound(regex, begin, end, expanded.name());
        return compile(DateTemplate.Kind.PATTERN, bounded, original, bounded.regex(), 0, "date pattern '" + original + "'");
    }

    /** fail2ban's {@code DateEpoch(pattern=...)}: a pattern around {@code {EPOCH}} or {@code {LEPOCH}}. */
    private DateTemplate epochPattern(String pattern, boolean longForm) {
        String number = longForm ? LONG_EPOCH : EPOCH;
        String regex = "(" + replaceAll(EPOCH_MARK, pattern, "(" + number + ")") + ")";
        Bounded bounded = bound(regex, Begin.WORD, true, pattern);
        return compile(longForm ? DateTemplate.Kind.LONG_EPOCH : DateTemplate.Kind.EPOCH, bounded, null,
                bounded.regex(), 2, "date pattern '" + pattern + "'");
    }

    /**
     * fail2ban's {@code DateEpoch(lineBeginOnly, longFrm)}. Its expressions end in conditional
     * groups that Java lacks; they are left out of the compiled form because they never change a
     * match: in {@code (?:(?(selinux)X)|(?(square)Y))} each branch succeeds empty when its group
     * is unset, so the alternation always succeeds; and in the line-begin form the optional
     * {@code square} group can always be backtracked to unset, and an end that would have met
     * {@code (?=\])} meets the final {@code (?=\b|\W|$)} as well.
     */
    private DateTemplate epoch(boolean lineBeginOnly, boolean longForm) {
        String number = longForm ? LONG_EPOCH : EPOCH;
        String name = longForm ? "LongEpoch" : "Epoch";
        DateTemplate.Kind kind = longForm ? DateTemplate.Kind.LONG_EPOCH : DateTemplate.Kind.EPOCH;
        Bounded bounded;
        String condition;
        if (!lineBeginOnly) {
            String regex = "((?:^|(?P<square>(?<=^\\[))|(?P<selinux>(?<=\\baudit\\()))" + number + ")" + EPOCH_CONDITIONS;
            bounded = bound(regex, Begin.NONE, true, name);
            condition = EPOCH_CONDITIONS;
        } else {
            String regex = "((?P<square>(?<=^\\[))?" + number + ")" + LINE_EPOCH_CONDITION;
            bounded = bound(regex, Begin.LINE, true, name);
            condition = LINE_EPOCH_CONDITION;
        }
        String javaSource = bounded.regex().replace(condition, "");
        return compile(kind, bounded, null, javaSource, 1, name);
    }

    /** fail2ban's {@code DateTai64n(wordBegin)}. */
    private DateTemplate tai64n(boolean lineBegin) {
        Bounded bounded = bound("@[0-9a-f]{24}", lineBegin ? Begin.LINE : Begin.NONE, true, "TAI64N");
        return compile(DateTemplate.Kind.TAI64N, bounded, null, bounded.regex(), 1, "TAI64N");
    }

    private static DateTemplate compile(DateTemplate.Kind kind, Bounded bounded, String pattern, String javaSource,
            int valueGroup, String what) {
        PythonRegex translated;
        try {
            translated = PythonRegex.compile(javaSource, false);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(what + ": regular expression '" + javaSource + "' does not compile: " + e.getDescription()
                    + " at position " + e.getIndex(), e);
        }
        if (translated.hasConditionals()) {
            throw new IllegalArgumentException(what + ": conditional groups (?(...)...) are not supported in a date pattern");
        }
        // without conditionals the Java pattern's groups are Python's
        return new DateTemplate(kind, bounded.name(), pattern, bounded.regex(), translated.unicode(), translated.groupNames(),
                bounded.flags(), 1.0, valueGroup);
    }

    private record Bounded(String regex, int flags, String name) {}

    /** fail2ban's {@code DateTemplate.setRegex}. */
    private static Bounded bound(String regex, Begin begin, boolean end, String name) {
        regex = pythonStrip(regex);
        String globalFlags = null;
        Matcher flags = GLOBAL_FLAGS.matcher(regex);
        if (flags.find()) {
            globalFlags = flags.group(1);
            regex = regex.substring(0, flags.start()) + regex.substring(flags.end());
        }
        boolean boundBegin = begin != Begin.NONE && !NO_WORD_BOUND_BEGIN.matcher(regex).find();
        boolean boundEnd = end && !NO_WORD_BOUND_END.matcher(regex).find();
        if (!GROUPED.matcher(regex).find()) {
            regex = GROUP.matcher(regex).replaceAll("$1($2)$3");
        }
        int templateFlags = 0;
        if (boundBegin) {
            if (begin == Begin.LINE) {
                templateFlags |= DateTemplate.LINE_BEGIN;
                regex = "^(?:\\W{0,2})?" + regex;
                if (!name.startsWith(LINE_BEGIN_MARK)) {
                    name = LINE_BEGIN_MARK + name;
                }
            } else {
                templateFlags |= DateTemplate.WORD_BEGIN;
                regex = "(?=^|\\b|\\W)" + regex;
            }
        }
        if (boundEnd) {
            templateFlags |= DateTemplate.WORD_END;
            regex += "(?=\\b|\\W|$)";
        }
        if ((templateFlags & DateTemplate.LINE_BEGIN) == 0 && LINE_BOUND_BEGIN.matcher(regex).find()) {
            templateFlags |= DateTemplate.LINE_BEGIN;
        }
        if ((templateFlags & DateTemplate.LINE_END) == 0 && LINE_BOUND_END.matcher(regex).find()) {
            templateFlags |= DateTemplate.LINE_END;
        }
        regex = STARS.matcher(regex).replaceAll(match -> Matcher.quoteReplacement(match.group().replace("**", "")));
        if (globalFlags != null) {
            regex = globalFlags + regex;
        }
        return new Bounded(regex, templateFlags, name);
    }

    /** fail2ban's {@code DateTemplate.unboundPattern}. */
    static String unbound(String pattern) {
        String result = NO_BOUNDS.matcher(pattern).replaceAll("");
        result = LINE_BOUND_MARK.matcher(result).replaceAll("");
        result = START_ANCHOR.matcher(result).replaceAll("");
        return END_ANCHOR.matcher(result).replaceAll("");
    }

    private static String replaceAll(Pattern pattern, String text, String replacement) {
        return pattern.matcher(text).replaceAll(Matcher.quoteReplacement(replacement));
    }

    private static Pattern meta(String regex) {
        return Pattern.compile(regex, FLAGS);
    }

    /** Python's {@code str.upper()}, which maps by code point with the full case mappings. */
    static String pythonUpper(String text) {
        return text.toUpperCase(Locale.ROOT);
    }

    /** Python's {@code str.strip()}: whitespace as {@code str.isspace()} sees it. */
    static String pythonStrip(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && isPythonSpace(text.charAt(start))) {
            start++;
        }
        while (end > start && isPythonSpace(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(start, end);
    }

    private static boolean isPythonSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
    }
}
