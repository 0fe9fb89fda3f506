package dev.bulwark.detect.filter;

import dev.bulwark.detect.regex.Pcre;
import dev.bulwark.detect.regex.PythonRegex;
import dev.bulwark.detect.regex.SpanMatch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One of a filter's regular expressions ({@code prefregex}, a {@code failregex} or an
 * {@code ignoreregex}) with fail2ban's tags resolved as its {@code Regex._resolveHostTag} does:
 * {@code <HOST>} (IPv4, IPv6 or a DNS name), {@code <ADDR>}, {@code <IP4>}, {@code <IP6>},
 * {@code <DNS>}, {@code <CIDR>}, {@code <SUBNET>}, {@code <F-ID/>}, {@code <F-PORT/>},
 * {@code <SKIPLINES>}, and {@code <F-NAME>…</F-NAME>} as the group {@code name} (the values
 * a failure carries: {@code user}, {@code mlfid}, {@code nofail}, {@code content}…), with
 * {@code alt_} groups merged and {@code tuple_} groups combined as fail2ban does.
 */
final class TaggedRegex {
    static final String IP4 = "(?:\\d{1,3}\\.){3}\\d{1,3}";
    static final String IP6 = "(?:[0-9a-fA-F]{1,4}::?|::){1,7}(?:[0-9a-fA-F]{1,4}|(?<=:):)";
    private static final String HOST_IP4 = "(?:::f{4,6}:)?(?P<ip4>" + IP4 + ")";
    private static final String HOST_IP6 = "(?P<ip6>" + IP6 + ")";
    private static final String HOST_DNS = "(?P<dns>[\\w\\-.^_]*\\w)";
    private static final String HOST_ADDR = "\\[?(?:" + HOST_IP4 + "|" + HOST_IP6 + ")\\]?";
    private static final String HOST_ANY = "(?:" + HOST_ADDR + "|" + HOST_DNS + ")";
    private static final String HOST_CIDR = "(?P<cidr>\\d+)";
    private static final String HOST_SUBNET = "\\[?(?:" + HOST_IP4 + "|" + HOST_IP6 + ")(?:/" + HOST_CIDR + ")?\\]?";
    private static final Map<String, String> STATIC_TAGS = Map.ofEntries(
            Map.entry("IP4", HOST_IP4), Map.entry("F-IP4/", HOST_IP4),
            Map.entry("IP6", HOST_IP6), Map.entry("F-IP6/", HOST_IP6),
            Map.entry("ADDR", HOST_ADDR), Map.entry("F-ADDR/", HOST_ADDR),
            Map.entry("CIDR", HOST_CIDR), Map.entry("F-CIDR/", HOST_CIDR),
            Map.entry("SUBNET", HOST_SUBNET), Map.entry("F-SUBNET/", HOST_SUBNET),
            Map.entry("DNS", HOST_DNS), Map.entry("F-DNS/", HOST_DNS),
            Map.entry("F-ID/", "(?P<fid>\\S+)"),
            Map.entry("F-PORT/", "(?P<fport>\\w+)"));
    private static final Map<String, String> GROUP_ALIASES = Map.of("id", "fid", "port", "fport");
    private static final Pattern TAG = Pattern.compile("</?[\\w\\-]+/?>");
    private static final Pattern CUSTOM_TAG = Pattern.compile("^(/?)F-([A-Z0-9_\\-]+)$");
    private static final Pattern GLOBAL_FLAGS = Pattern.compile("(?<!\\\\)\\((?:\\?:)?(\\(\\?[a-z]+)\\)");
    private static final Pattern COMPLEX_NAME = Pattern.compile("^(alt_|tuple_)(.*?)(?:_\\d+)?$");
    /** The groups that identify a failure, in the order fail2ban looks for one. */
    static final List<String> FAILURE_ID_GROUPS = List.of("fid", "ip4", "ip6", "dns");

    private final String regex;
    private final PythonRegex compiled;
    private final boolean anchored;
    /** Python group number to Java group number, index 0 unused. */
    private final int[] javaGroup;
    private final String[] names;
    private final int[] numbers;
    private final List<String[]> alternatives;
    private final List<String[]> tuples;
    private final int[] skipLines;
    private final Map<String, Integer> index;
    private final String literalPrefix;
    private final FirstChars firstChars;
    private final String[][] required;
    /** The ASCII characters every match contains (those of its required texts), as two 64-bit masks. */
    private final long requiredLow;
    private final long requiredHigh;
    private Matcher asciiMatcher;
    private Matcher unicodeMatcher;
    /** PCRE2's code for all-ASCII text, or null: java.util.regex then matches everything. */
    private final Pcre.Code pcre;
    private final Pcre.Text text;
    private final SpanMatch pcreMatch;

    private TaggedRegex(String regex, boolean multiline, Pcre.Text text) {
        this.regex = regex;
        try {
            this.compiled = PythonRegex.compile(regex, multiline);
        } catch (PatternSyntaxException e) {
            throw new FilterException("cannot compile the regular expression " + regex + ": " + e.getDescription()
                    + " near index " + e.getIndex(), e);
        }
        Map<String, Integer> groups = compiled.groupIndex();
        this.index = groups;
        Map<String, Integer> javaNames = compiled.ascii().namedGroups();
        this.javaGroup = new int[compiled.groupCount() + 1];
        for (int group = 1; group <= compiled.groupCount(); group++) {
            javaGroup[group] = javaNames.get(PythonRegex.javaName(group));
        }
        this.names = groups.keySet().toArray(String[]::new);
        this.numbers = new int[names.length];
        for (int name = 0; name < names.length; name++) {
            numbers[name] = javaGroup[groups.get(names[name])];
        }
        List<String[]> alternatives = new ArrayList<>();
        List<String[]> tuples = new ArrayList<>();
        for (String name : names) {
            if (name.length() <= 4) {
                continue;
            }
            Matcher complex = COMPLEX_NAME.matcher(name);
            if (complex.matches()) {
                String[] pair = {name, alias(complex.group(2))};
                (complex.group(1).equals("alt_") ? alternatives : tuples).add(pair);
            }
        }
        alternatives.sort((left, right) -> compare(left, right));
        tuples.sort((left, right) -> compare(left, right));
        this.alternatives = List.copyOf(alternatives);
        this.tuples = List.copyOf(tuples);
        List<Integer> skip = new ArrayList<>();
        for (int line = 0; groups.containsKey("skiplines" + line); line++) {
            skip.add(javaGroup[groups.get("skiplines" + line)]);
        }
        this.skipLines = skip.stream().mapToInt(Integer::intValue).toArray();
        this.anchored = !multiline && startsAnchored(regex);
        this.literalPrefix = anchored ? literalPrefix(regex) : "";
        this.firstChars = anchored ? FirstChars.of(regex) : FirstChars.ANY;
        this.required = multiline ? new String[0][] : RequiredText.of(regex).toArray(String[][]::new);
        long low = 0;
        long high = 0;
        for (String[] texts : required) {
            if (texts.length != 1) {
                continue;
            }
            for (int index = 0; index < texts[0].length(); index++) {
                char c = texts[0].charAt(index);
                if (c < 64) {
                    low |= 1L << c;
                } else if (c < 128) {
                    high |= 1L << (c - 64);
                }
            }
        }
        this.requiredLow = low;
        this.requiredHigh = high;
        Pcre.Engine engine = Pcre.engine();
        String java = compiled.ascii().pattern();
        int groupCount = compiled.ascii().matcher("").groupCount();
        this.pcre = engine == null || !Pcre.accepts(java) ? null : engine.compile(java, multiline, groupCount);
        this.text = pcre == null ? null : text != null ? text : engine.newText();
        this.pcreMatch = pcre == null ? null : new SpanMatch(groupCount);
    }

    private static int compare(String[] left, String[] right) {
        int first = left[0].compareTo(right[0]);
        return first != 0 ? first : left[1].compareTo(right[1]);
    }

    /** Resolves the tags in {@code value} and compiles it; {@code useDns} "no" makes {@code <HOST>} an address only. */
    static TaggedRegex of(String value, boolean multiline, String useDns) {
        return of(value, multiline, useDns, null);
    }

    /**
     * {@link #of(String, boolean, String)}, with the native copy of the text shared by the
     * regexes of one filter (one thread), so that a line is copied once for all of them.
     */
    static TaggedRegex of(String value, boolean multiline, String useDns, Pcre.Text text) {
        return new TaggedRegex(prepare(value, useDns), multiline, text);
    }

    /** The Python regex that {@code value} stands for: its tags resolved, global flags in a group of their own. */
    static String prepare(String value, String useDns) {
        String resolved = resolveTags(value, useDns);
        if (resolved.strip().isEmpty()) {
            throw new FilterException("an empty regular expression");
        }
        return GLOBAL_FLAGS.matcher(resolved).replaceAll("$1:");
    }

    static String resolveTags(String regex, String useDns) {
        Map<String, Boolean> open = new HashMap<>();
        int[] skipLines = {0};
        return TAG.matcher(regex).replaceAll(match -> Matcher.quoteReplacement(tag(match.group(), useDns, open, skipLines)));
    }

    private static String tag(String tag, String useDns, Map<String, Boolean> open, int[] skipLines) {
        String name = tag.substring(1, tag.length() - 1);
        if (name.equals("HOST")) {
            return "no".equals(useDns) ? HOST_ADDR : HOST_ANY;
        }
        if (name.equals("SKIPLINES")) {
            return "\\n(?P<skiplines" + skipLines[0]++ + ">(?:(?:.*\\n)*?))";
        }
        String fixed = STATIC_TAGS.get(name);
        if (fixed != null) {
            return fixed;
        }
        Matcher custom = CUSTOM_TAG.matcher(name);
        if (!custom.matches()) {
            return tag;
        }
        String group = custom.group(2);
        if (!custom.group(1).isEmpty()) {
            return open.containsKey(group) ? ")" : tag;
        }
        open.put(group, true);
        return "(?P<" + alias(group) + ">";
    }

    private static String alias(String tag) {
        String lower = tag.toLowerCase(Locale.ROOT);
        return GROUP_ALIASES.getOrDefault(lower, lower);
    }

    /** Starts with {@code ^} and has no top-level alternative: a match can only start at 0. */
    private static boolean startsAnchored(String regex) {
        return regex.startsWith("^") && RegexText.bars(regex, 0, regex.length()).isEmpty();
    }

    /** The expression after tag resolution, as fail2ban's {@code getRegex()} gives it. */
    String regex() {
        return regex;
    }

    /** Where the group {@code name} starts in {@code match}; -1 when it took no part or does not exist. */
    int start(MatchResult match, String name) {
        Integer number = index.get(name);
        return number == null ? -1 : match.start(javaGroup[number]);
    }

    /** Where the group {@code name} ends in {@code match}; -1 when it took no part or does not exist. */
    int end(MatchResult match, String name) {
        Integer number = index.get(name);
        return number == null ? -1 : match.end(javaGroup[number]);
    }

    boolean hasGroup(String name) {
        return index.containsKey(name);
    }

    /** Python's {@code search}: the match or null. */
    MatchResult search(String buffer) {
        return search(buffer, 0, PythonRegex.isAscii(buffer));
    }

    /**
     * Python's {@code search} on {@code buffer.substring(from)}, without the copy: the match
     * (valid until the next search with this regex) or null. Positions in the match are
     * positions in {@code buffer}.
     */
    MatchResult search(String buffer, int from, boolean ascii) {
        if (!mayMatch(buffer, from)) {
            return null;
        }
        return searchPossible(buffer, from, ascii);
    }

    /** {@link #search}, when {@link #mayMatch} already said the buffer holds the text every match contains. */
    MatchResult searchPossible(String buffer, int from, boolean ascii) {
        if (anchored) {
            if (from < buffer.length() && !firstChars.mayStartWith(buffer.charAt(from))) {
                return null;
            }
            if (!buffer.startsWith(literalPrefix, from)) {
                return null;
            }
        }
        if (ascii && pcre != null) {
            text.load(buffer);
            int found = pcre.match(text, from, pcreMatch.spans());
            if (found == Pcre.NO_MATCH) {
                return null;
            }
            if (found > 0) {
                return pcreMatch.of(buffer);
            }
            // PCRE2 stopped at a limit: java.util.regex decides
        }
        Matcher matcher = matcher(buffer, ascii);
        if (from > 0) {
            matcher.region(from, buffer.length());
        }
        boolean found = anchored ? matcher.lookingAt() : matcher.find();
        return found ? matcher : null;
    }

    /**
     * {@link #mayMatch(String, int)}, first ruled out by the characters of the whole buffer (as
     * two masks of the ASCII characters it holds, {@code low} for 0-63 and {@code high} for 64-127)
     * when it lacks one that the required texts hold.
     */
    boolean mayMatch(String buffer, int from, long low, long high) {
        if ((requiredLow & ~low) != 0 || (requiredHigh & ~high) != 0) {
            return false;
        }
        return mayMatch(buffer, from);
    }

    /** Whether {@code buffer[from..]} holds the text every match contains: false means no match, true means maybe. */
    boolean mayMatch(String buffer, int from) {
        for (String[] texts : required) {
            if (!containsAny(buffer, from, texts)) {
                return false;
            }
        }
        return true;
    }

    private static boolean containsAny(String buffer, int from, String[] texts) {
        for (String text : texts) {
            if (buffer.indexOf(text, from) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** The matcher for {@code buffer}, reused from search to search: a regex serves one filter, on one thread. */
    private Matcher matcher(String buffer, boolean ascii) {
        Pattern pattern = compiled.pattern(ascii);
        if (pattern == compiled.ascii()) {
            if (asciiMatcher == null) {
                asciiMatcher = pattern.matcher(buffer);
                return asciiMatcher;
            }
            return asciiMatcher.reset(buffer);
        }
        if (unicodeMatcher == null) {
            unicodeMatcher = pattern.matcher(buffer);
            return unicodeMatcher;
        }
        return unicodeMatcher.reset(buffer);
    }

    /**
     * The text every match of an anchored regex starts with, so that most lines are turned away
     * without running the regex: the literal characters after {@code ^}, through groups that
     * must match once and have no alternatives, up to the first thing that is not a plain
     * character. Empty when in doubt (flags, a class, an optional part).
     */
    static String literalPrefix(String regex) {
        if (!regex.startsWith("^") || regex.contains("(?i") || regex.contains("(?x") || regex.contains("(?u")
                || regex.contains("(?a") || regex.contains("(?L")) {
            return "";
        }
        StringBuilder prefix = new StringBuilder();
        int at = 1;
        while (at < regex.length()) {
            char c = regex.charAt(at);
            if (c == '(') {
                int body = RegexText.groupBody(regex, at);
                int close;
                try {
                    close = RegexText.closing(regex, at);
                } catch (IllegalArgumentException unbalanced) {
                    break;
                }
                if (body < 0 || !RegexText.bars(regex, body, close).isEmpty()) {
                    break;
                }
                char after = close + 1 < regex.length() ? regex.charAt(close + 1) : 0;
                if (after == '?' || after == '*' || after == '{' || after == '+') {
                    break;
                }
                at = body;
                continue;
            }
            if (c == ')') {
                char after = at + 1 < regex.length() ? regex.charAt(at + 1) : 0;
                if (after == '?' || after == '*' || after == '{' || after == '+') {
                    break;
                }
                at++;
                continue;
            }
            char literal;
            int next;
            if (c == '\\') {
                if (at + 1 >= regex.length() || Character.isLetterOrDigit(regex.charAt(at + 1))) {
                    break;
                }
                literal = regex.charAt(at + 1);
                next = at + 2;
            } else if (".^$*+?{}[]|".indexOf(c) >= 0) {
                break;
            } else {
                literal = c;
                next = at + 1;
            }
            char after = next < regex.length() ? regex.charAt(next) : 0;
            if (after == '?' || after == '*' || after == '{') {
                break;
            }
            prefix.append(literal);
            if (after == '+') {
                break;
            }
            at = next;
        }
        return prefix.toString();
    }

    /** Python's {@code groupdict()} with fail2ban's alt_ and tuple_ handling: every named group, null when it took no part. */
    Map<String, Object> groups(MatchResult match) {
        Map<String, Object> groups = new LinkedHashMap<>();
        for (int name = 0; name < names.length; name++) {
            groups.put(names[name], match.group(numbers[name]));
        }
        for (String[] alternative : alternatives) {
            Object value = groups.get(alternative[0]);
            Object current = groups.get(alternative[1]);
            if (value != null && !((String) value).isEmpty() && (current == null || current.toString().isEmpty())) {
                groups.put(alternative[1], value);
            }
        }
        for (String[] tuple : tuples) {
            Object value = groups.get(tuple[0]);
            Object current = groups.get(tuple[1]);
            List<Object> combined = new ArrayList<>();
            if (current instanceof Tuple existing) {
                combined.addAll(existing.values());
            } else {
                combined.add(current);
            }
            combined.add(value);
            groups.put(tuple[1], new Tuple(combined));
        }
        return groups;
    }

    /** The text of the lines {@code <SKIPLINES>} skipped, split into lines. */
    List<String> skippedLines(MatchResult match) {
        StringBuilder skipped = new StringBuilder();
        for (int group : skipLines) {
            String value = match.group(group);
            if (value != null) {
                skipped.append(value);
            }
        }
        if (skipped.isEmpty()) {
            return List.of();
        }
        List<String> lines = new ArrayList<>(List.of(skipped.toString().split("\n", -1)));
        if (lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    /** fail2ban's {@code getFailID}: the first of {@code groups} that matched, or null. */
    String failureId(MatchResult match, List<String> groups) {
        for (String group : groups) {
            Integer number = index.get(group);
            if (number == null) {
                continue;
            }
            String value = match.group(javaGroup[number]);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return regex;
    }

    /** A tuple_ value: fail2ban combines such groups into a Python tuple. */
    record Tuple(List<Object> values) {
        @Override
        public String toString() {
            StringBuilder out = new StringBuilder("(");
            for (int value = 0; value < values.size(); value++) {
                out.append(value == 0 ? "" : ", ").append(values.get(value) == null ? "None" : "'" + values.get(value) + "'");
            }
            return out.append(values.size() == 1 ? ",)" : ")").toString();
        }
    }
}
