package dev.bulwark.detect.regex;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A Python {@code re} pattern, translated to {@link java.util.regex.Pattern} with the same
 * meaning: fail2ban's failregexes, prefregexes and date patterns. java.util.regex has nearly
 * all of what they use (lookarounds, lazy
 * quantifiers, inline flags, atomic groups); the differences are rewritten:
 * <ul>
 * <li>{@code (?P<name>…)} and plain groups become named groups {@code p1}, {@code p2}… in
 * Python's numbering, since Java names allow no underscore; {@code (?P=name)} and {@code \1}
 * become {@code \k<pN>}.</li>
 * <li>A conditional {@code (?(name)yes|no)}, which Java lacks, becomes
 * {@code (?:\k<cN>(?:yes)|(?!\k<cN>)(?:no))}, where {@code cN} is an empty group at the end of
 * the group tested: a back-reference to a group that took part matches the empty string, to one
 * that did not, fails.</li>
 * <li>{@code [} inside a class and {@code &&} are literal in Python, a nested class and an
 * intersection in Java; a {@code ]} first in a class is literal; {@code {} that is no quantifier
 * is literal; {@code {,n}} means {@code {0,n}}; {@code \Z} is Java's {@code \z};
 * {@code (?#…)} comments are dropped; the flags {@code a}, {@code u} and {@code L} are dropped.</li>
 * <li>{@code .} and {@code $} see only {@code \n} as a line end ({@link Pattern#UNIX_LINES}).
 * Python's {@code \d \w \s \b} and {@code (?i)} are Unicode-aware for text; the translation is
 * compiled twice, with ASCII classes for the common all-ASCII line (faster; the same result on
 * ASCII text) and with {@link Pattern#UNICODE_CHARACTER_CLASS} for the others.</li>
 * </ul>
 * What Python refuses is refused, with Python's words: a bad escape such as {@code \q}, a
 * reference to a group that does not exist, global flags after the start.
 */
public final class PythonRegex {
    /** Python's group names, in Python's group numbering: index 0 is group 1; null for an unnamed group. */
    private final List<String> groupNames;
    private final Map<String, Integer> groupIndex;
    private final String java;
    private final Pattern ascii;
    private volatile Pattern unicode;
    private final int flags;

    private final boolean conditionals;

    private PythonRegex(String java, List<String> groupNames, int flags, boolean conditionals) {
        this.java = java;
        this.conditionals = conditionals;
        this.groupNames = List.copyOf(groupNames.stream().map(name -> name == null ? "" : name).toList());
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int group = 0; group < groupNames.size(); group++) {
            if (groupNames.get(group) != null) {
                index.put(groupNames.get(group), group + 1);
            }
        }
        this.groupIndex = Map.copyOf(index);
        this.flags = flags;
        this.ascii = Pattern.compile(java, flags);
    }

    /**
     * Translates and compiles {@code python}; {@code multiline} as {@code re.MULTILINE}.
     * Throws {@link PatternSyntaxException} for a pattern neither Python nor Java accepts.
     */
    public static PythonRegex compile(String python, boolean multiline) {
        Translator translator = new Translator(python);
        String java = translator.translate();
        return new PythonRegex(java, translator.names, Pattern.UNIX_LINES | (multiline ? Pattern.MULTILINE : 0), !translator.tested.isEmpty());
    }

    /** The pattern for text that {@link #isAscii} said is (or is not) all ASCII. */
    public Pattern pattern(boolean ascii) {
        return ascii ? this.ascii : unicode();
    }

    public static boolean isAscii(CharSequence text) {
        for (int index = 0, length = text.length(); index < length; index++) {
            if (text.charAt(index) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** The pattern with ASCII classes: for all-ASCII text only. */
    public Pattern ascii() {
        return ascii;
    }

    /** The pattern with Unicode classes, as Python's for any text. */
    public Pattern unicode() {
        Pattern pattern = unicode;
        if (pattern == null) {
            pattern = Pattern.compile(java, flags | Pattern.UNICODE_CHARACTER_CLASS | Pattern.UNICODE_CASE);
            unicode = pattern;
        }
        return pattern;
    }

    /** Python's {@code groupindex}: name to group number (1-based, the same number in the Java pattern's {@code pN}). */
    public Map<String, Integer> groupIndex() {
        return groupIndex;
    }

    /** How many groups Python counts. */
    public int groupCount() {
        return groupNames.size();
    }

    /**
     * Python's group names by group number, index 0 for the whole match; null for it and for a
     * group without a name. Without conditionals ({@link #hasConditionals}) the Java pattern
     * numbers its groups the same way.
     */
    public List<String> groupNames() {
        List<String> names = new ArrayList<>(groupNames.size() + 1);
        names.add(null);
        for (String name : groupNames) {
            names.add(name.isEmpty() ? null : name);
        }
        return names;
    }

    /** Whether the pattern has conditionals {@code (?(g)…)}: their marker groups number among the Java pattern's. */
    public boolean hasConditionals() {
        return conditionals;
    }

    /** The Java group name that holds Python's group {@code number}. */
    public static String javaName(int number) {
        return "p" + number;
    }

    /** Only global flag groups: what may come before another. */
    private static final Pattern LEADING_FLAGS = Pattern.compile("(?:\\(\\?[aiLmsux]+\\))*");

    /** One pass to find the groups and the conditionals' references, one pass to write Java. */
    private static final class Translator {
        private final String source;
        final List<String> names = new ArrayList<>();
        final Set<Integer> tested = new HashSet<>();
        private final Map<String, Integer> numbers = new HashMap<>();
        private int opened;

        Translator(String source) {
            this.source = source;
        }

        String translate() {
            scanGroups();
            StringBuilder out = new StringBuilder(source.length() + 32);
            int end = translate(0, out, false);
            if (end < source.length()) {
                throw error("unbalanced parenthesis", end);
            }
            return out.toString();
        }

        /** Numbers the capturing groups and notes which ones a conditional tests. */
        private void scanGroups() {
            List<String> conditions = new ArrayList<>();
            boolean inClass = false;
            for (int index = 0; index < source.length(); index++) {
                char c = source.charAt(index);
                if (c == '\\') {
                    index++;
                    continue;
                }
                if (inClass) {
                    if (c == ']') {
                        inClass = false;
                    }
                    continue;
                }
                if (c == '[') {
                    inClass = true;
                    index = skipClassStart(index + 1) - 1;
                    continue;
                }
                if (c != '(') {
                    continue;
                }
                if (source.startsWith("(?P<", index)) {
                    int close = source.indexOf('>', index);
                    if (close < 0) {
                        throw error("missing > after (?P<", index);
                    }
                    String name = source.substring(index + 4, close);
                    if (numbers.containsKey(name)) {
                        throw error("redefinition of group name '" + name + "'", index);
                    }
                    names.add(name);
                    numbers.put(name, names.size());
                } else if (source.startsWith("(?(", index)) {
                    int close = source.indexOf(')', index + 3);
                    if (close < 0) {
                        throw error("missing ) after (?(", index);
                    }
                    conditions.add(source.substring(index + 3, close));
                    index = close;
                } else if (!source.startsWith("(?", index)) {
                    names.add(null);
                }
            }
            for (String condition : conditions) {
                tested.add(groupNumber(condition, 0));
            }
        }

        /** After a class's {@code [} (and {@code ^}), a first {@code ]} is a literal. */
        private int skipClassStart(int index) {
            if (index < source.length() && source.charAt(index) == '^') {
                index++;
            }
            if (index < source.length() && source.charAt(index) == ']') {
                index++;
            }
            return index;
        }

        private int groupNumber(String reference, int at) {
            Integer number = numbers.get(reference);
            if (number != null) {
                return number;
            }
            if (!reference.isEmpty() && reference.chars().allMatch(Character::isDigit)) {
                int value = Integer.parseInt(reference);
                if (value >= 1 && value <= names.size()) {
                    return value;
                }
                throw error("invalid group reference " + value, at);
            }
            throw error("unknown group name '" + reference + "'", at);
        }

        private PatternSyntaxException error(String message, int at) {
            return new PatternSyntaxException(message, source, at);
        }

        /**
         * Writes from {@code index} until the {@code )} that closes the current group (its index
         * is returned, not consumed) or the end. {@code stopAtBar}: also stop at a top-level
         * {@code |} (a conditional's branches).
         */
        private int translate(int index, StringBuilder out, boolean stopAtBar) {
            int length = source.length();
            while (index < length) {
                char c = source.charAt(index);
                switch (c) {
                    case '\\' -> index = escape(index, out, false);
                    case '[' -> index = characterClass(index, out);
                    case ')' -> {
                        return index;
                    }
                    case '|' -> {
                        if (stopAtBar) {
                            return index;
                        }
                        out.append('|');
                        index++;
                    }
                    case '(' -> index = group(index, out);
                    case '{' -> index = brace(index, out);
                    case '}' -> {
                        out.append("\\}");
                        index++;
                    }
                    default -> {
                        out.append(c);
                        index++;
                    }
                }
            }
            return index;
        }

        private int group(int index, StringBuilder out) {
            int length = source.length();
            if (source.startsWith("(?P<", index)) {
                int close = source.indexOf('>', index);
                return capture(close + 1, out);
            }
            if (source.startsWith("(?P=", index)) {
                int close = source.indexOf(')', index);
                if (close < 0) {
                    throw error("missing ) after (?P=", index);
                }
                out.append("\\k<").append(javaName(groupNumber(source.substring(index + 4, close), index))).append('>');
                return close + 1;
            }
            if (source.startsWith("(?#", index)) {
                int close = source.indexOf(')', index);
                if (close < 0) {
                    throw error("missing ) after comment", index);
                }
                return close + 1;
            }
            if (source.startsWith("(?(", index)) {
                return conditional(index, out);
            }
            if (source.startsWith("(?", index)) {
                int at = index + 2;
                if (at < length && isFlag(source.charAt(at)) || at < length && source.charAt(at) == '-') {
                    return flags(index, out);
                }
                // (?: (?= (?! (?<= (?<! (?> : the same in Java
                int body = at;
                if (source.startsWith("<=", at) || source.startsWith("<!", at)) {
                    body = at + 2;
                } else if (at < length) {
                    body = at + 1;
                }
                out.append(source, index, body);
                int end = translate(body, out, false);
                return closeGroup(end, out, index);
            }
            return capture(index + 1, out);
        }

        /** A capturing group; groups are numbered as they open, in the same order as {@link #scanGroups}. */
        private int capture(int body, StringBuilder out) {
            int number = ++opened;
            out.append("(?<").append(javaName(number)).append('>');
            int end = translate(body, out, false);
            if (tested.contains(number)) {
                out.append("(?<c").append(number).append(">)");
            }
            return closeGroup(end, out, body);
        }

        private int closeGroup(int end, StringBuilder out, int openedAt) {
            if (end >= source.length() || source.charAt(end) != ')') {
                throw error("missing ), unterminated subpattern", openedAt);
            }
            out.append(')');
            return end + 1;
        }

        private int conditional(int index, StringBuilder out) {
            int close = source.indexOf(')', index + 3);
            int number = groupNumber(source.substring(index + 3, close), index);
            String marker = "\\k<c" + number + ">";
            out.append("(?:").append(marker).append("(?:");
            int end = translate(close + 1, out, true);
            out.append(")|(?!").append(marker).append(")(?:");
            if (end < source.length() && source.charAt(end) == '|') {
                end = translate(end + 1, out, true);
                if (end < source.length() && source.charAt(end) == '|') {
                    throw error("conditional backref with more than two branches", end);
                }
            }
            out.append(')');
            return closeGroup(end, out, index);
        }

        private static boolean isFlag(char c) {
            return "aiLmsux".indexOf(c) >= 0;
        }

        /** {@code (?flags)}, {@code (?flags:…)}, {@code (?-flags:…)}. */
        private int flags(int index, StringBuilder out) {
            int at = index + 2;
            StringBuilder kept = new StringBuilder();
            while (at < source.length() && (isFlag(source.charAt(at)) || source.charAt(at) == '-')) {
                char flag = source.charAt(at);
                if (flag != 'a' && flag != 'u' && flag != 'L') {
                    kept.append(flag);
                }
                at++;
            }
            if (at >= source.length()) {
                throw error("missing -, : or )", index);
            }
            char next = source.charAt(at);
            String flagText = kept.toString();
            boolean empty = flagText.isEmpty() || flagText.equals("-");
            if (next == ')' && !LEADING_FLAGS.matcher(source).region(0, index).matches()) {
                throw error("global flags not at the start of the expression", index);
            }
            if (next == ')') {
                if (!empty) {
                    out.append("(?").append(flagText).append(')');
                }
                return at + 1;
            }
            if (next != ':') {
                throw error("unknown flag", at);
            }
            out.append(empty ? "(?:" : "(?" + flagText + ":");
            int end = translate(at + 1, out, false);
            return closeGroup(end, out, index);
        }

        /** A quantifier {@code {m}}, {@code {m,}}, {@code {,n}}, {@code {m,n}}; otherwise a literal brace. */
        private int brace(int index, StringBuilder out) {
            int at = index + 1;
            int minStart = at;
            while (at < source.length() && Character.isDigit(source.charAt(at))) {
                at++;
            }
            String min = source.substring(minStart, at);
            String max = null;
            if (at < source.length() && source.charAt(at) == ',') {
                at++;
                int maxStart = at;
                while (at < source.length() && Character.isDigit(source.charAt(at))) {
                    at++;
                }
                max = source.substring(maxStart, at);
            }
            boolean quantifier = at < source.length() && source.charAt(at) == '}' && (!min.isEmpty() || max != null && !max.isEmpty());
            if (!quantifier) {
                out.append("\\{");
                return index + 1;
            }
            out.append('{').append(min.isEmpty() ? "0" : min);
            if (max != null) {
                out.append(',').append(max);
            }
            out.append('}');
            return at + 1;
        }

        private int characterClass(int index, StringBuilder out) {
            out.append('[');
            int at = index + 1;
            if (at < source.length() && source.charAt(at) == '^') {
                out.append('^');
                at++;
            }
            if (at < source.length() && source.charAt(at) == ']') {
                out.append("\\]");
                at++;
            }
            while (at < source.length()) {
                char c = source.charAt(at);
                if (c == ']') {
                    out.append(']');
                    return at + 1;
                }
                if (c == '\\') {
                    at = escape(at, out, true);
                    continue;
                }
                if (c == '[' || c == '&' || c == '~' || c == '|') {
                    out.append('\\').append(c);
                } else {
                    out.append(c);
                }
                at++;
            }
            throw error("unterminated character set", index);
        }

        /** A backslash escape at {@code index}; returns the index after it. */
        private int escape(int index, StringBuilder out, boolean inClass) {
            if (index + 1 >= source.length()) {
                throw error("bad escape (end of pattern)", index);
            }
            char c = source.charAt(index + 1);
            switch (c) {
                case 'Z' -> {
                    out.append("\\z");
                    return index + 2;
                }
                case 'v' -> {
                    out.append("\\x0B");
                    return index + 2;
                }
                case 'b' -> {
                    out.append(inClass ? "\\x08" : "\\b");
                    return index + 2;
                }
                case 'N' -> {
                    // \N{name}: the braces would be read as a literal brace; Java is given the code point
                    int close = source.indexOf('}', index);
                    if (index + 2 >= source.length() || source.charAt(index + 2) != '{' || close < 0) {
                        throw error("missing {...} after \\N", index);
                    }
                    String name = source.substring(index + 3, close);
                    int codePoint;
                    try {
                        codePoint = Character.codePointOf(name);
                    } catch (IllegalArgumentException e) {
                        throw error("undefined character name '" + name + "'", index);
                    }
                    out.append("\\x{").append(Integer.toHexString(codePoint)).append('}');
                    return close + 1;
                }
                case 'U' -> {
                    String hex = source.substring(index + 2, Math.min(source.length(), index + 10));
                    out.append("\\x{").append(Integer.toHexString(Integer.parseInt(hex, 16))).append('}');
                    return index + 10;
                }
                case '0' -> {
                    int at = index + 2;
                    int value = 0;
                    while (at < source.length() && at < index + 4 && source.charAt(at) >= '0' && source.charAt(at) <= '7') {
                        value = value * 8 + source.charAt(at) - '0';
                        at++;
                    }
                    out.append("\\x{").append(Integer.toHexString(value)).append('}');
                    return at;
                }
                default -> {
                }
            }
            if (c >= '1' && c <= '9') {
                int at = index + 1;
                int end = at + 1;
                if (end < source.length() && Character.isDigit(source.charAt(end))) {
                    end++;
                }
                // three octal digits are an octal escape in Python
                if (end < source.length() && end - at == 2 && isOctal(source.charAt(at)) && isOctal(source.charAt(at + 1))
                        && isOctal(source.charAt(end))) {
                    int value = Integer.parseInt(source.substring(at, end + 1), 8);
                    out.append("\\x{").append(Integer.toHexString(value)).append('}');
                    return end + 1;
                }
                if (inClass) {
                    throw error("bad escape \\" + source.substring(at, end) + " in a character class", index);
                }
                out.append("\\k<").append(javaName(groupNumber(source.substring(at, end), index))).append('>');
                return end;
            }
            if ((c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') && KNOWN_ESCAPES.indexOf(c) < 0) {
                throw error("bad escape \\" + c, index);
            }
            out.append('\\').append(c);
            return index + 2;
        }

        /** The letters Python knows after a backslash (in a class {@code \\b} is handled before). */
        private static final String KNOWN_ESCAPES = "dDsSwWbBAZafnrtvxuUN";

        private static boolean isOctal(char c) {
            return c >= '0' && c <= '7';
        }
    }
}
