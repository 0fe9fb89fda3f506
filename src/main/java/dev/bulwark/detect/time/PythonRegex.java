package dev.bulwark.detect.time;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A regular expression written for Python's {@code re} module (as fail2ban's date patterns are),
 * translated to a {@link Pattern} that matches the same text at the same places.
 *
 * <p>What differs and how it is bridged: named groups {@code (?P<name>...)} become plain groups
 * (Java's names cannot hold {@code _}), with the names kept here by group number; {@code (?P=name)}
 * and {@code \N} become numbered back references; a {@code {} that is no quantifier is a literal
 * in Python and is escaped; {@code {,n}} becomes {@code {0,n}}; {@code \Z} is Java's {@code \z};
 * {@code \v} and {@code \b} in a class mean the single characters they mean in Python; a {@code [}
 * or {@code &} inside a class is a literal in Python and is escaped; {@code (?#...)} is dropped.
 * The pattern is compiled with {@code UNICODE_CHARACTER_CLASS} (Python's {@code \d \w \s \b} are
 * Unicode-aware for text) and {@code UNIX_LINES} (Python's {@code . ^ $} know only {@code \n}).
 * Conditional groups {@code (?(1)...)} have no Java equivalent and are refused.
 */
final class PythonRegex {
    static final int FLAGS = Pattern.UNIX_LINES | Pattern.UNICODE_CHARACTER_CLASS;

    private final String source;
    private final StringBuilder out;
    private final List<String> groupNames = new ArrayList<>();
    private final Map<String, Integer> groupNumbers = new HashMap<>();
    private int position;
    private boolean onlyFlagsSoFar = true;

    private PythonRegex(String source) {
        this.source = source;
        this.out = new StringBuilder(source.length() + 16);
        groupNames.add(null); // group 0
    }

    /** The result: the Java pattern and, by group number, the Python name of each group (or null). */
    record Translated(Pattern pattern, List<String> groupNames) {
        Translated {
            groupNames = Collections.unmodifiableList(new ArrayList<>(groupNames));
        }

        /** The number of the group Python calls {@code name}, or -1. */
        int group(String name) {
            return groupNames.indexOf(name);
        }
    }

    /**
     * Translates and compiles {@code pythonRegex}.
     *
     * @throws IllegalArgumentException naming the problem and where it is, when Python would not
     *     compile the expression either, or when it uses what Java cannot express
     */
    static Translated compile(String pythonRegex) {
        var translator = new PythonRegex(pythonRegex);
        String java = translator.translate();
        try {
            return new Translated(Pattern.compile(java, FLAGS), translator.groupNames);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(
                    "regular expression " + quote(pythonRegex) + " does not compile: " + e.getDescription(), e);
        }
    }

    /** The Java source of the translation, for tests and messages. */
    static String translateToJava(String pythonRegex) {
        return new PythonRegex(pythonRegex).translate();
    }

    private String translate() {
        int length = source.length();
        while (position < length) {
            char c = source.charAt(position);
            boolean neutral = false;
            switch (c) {
                case '\\' -> escape();
                case '[' -> characterClass();
                case '(' -> neutral = group();
                case '{' -> brace();
                case '}' -> {
                    out.append("\\}");
                    position++;
                }
                default -> {
                    out.append(c);
                    position++;
                }
            }
            if (!neutral) {
                onlyFlagsSoFar = false;
            }
        }
        return out.toString();
    }

    private void escape() {
        int start = position;
        position++;
        if (position >= source.length()) {
            throw error("bad escape (end of pattern)", start);
        }
        char c = source.charAt(position++);
        switch (c) {
            case 'd', 'D', 's', 'S', 'w', 'W', 'b', 'B', 'A', 'f', 'n', 'r', 't' -> out.append('\\').append(c);
            case 'Z' -> out.append("\\z");
            case 'a' -> appendCodePoint(0x07);
            case 'v' -> appendCodePoint(0x0B);
            case 'x' -> appendCodePoint(hex(2, start));
            case 'u' -> appendCodePoint(hex(4, start));
            case 'U' -> appendCodePoint(hex(8, start));
            case 'N' -> appendCodePoint(namedCharacter(start));
            case '0' -> appendCodePoint(octal(0, 2));
            case '1', '2', '3', '4', '5', '6', '7', '8', '9' -> numberedEscape(c, start);
            default -> {
                if (isAsciiLetter(c)) {
                    throw error("bad escape \\" + c, start);
                }
                appendLiteral(c);
            }
        }
    }

    /** {@code \1} to {@code \99}: a back reference; three octal digits: a character. */
    private void numberedEscape(char first, int start) {
        int length = source.length();
        if (position < length && isDigit(source.charAt(position))) {
            char second = source.charAt(position);
            if (isOctal(first) && isOctal(second) && position + 1 < length && isOctal(source.charAt(position + 1))) {
                int value = (first - '0') * 64 + (second - '0') * 8 + (source.charAt(position + 1) - '0');
                if (value > 0377) {
                    throw error("octal escape value \\" + source.substring(start + 1, position + 2)
                            + " outside of range 0-0o377", start);
                }
                position += 2;
                appendCodePoint(value);
                return;
            }
            position++;
            backReference((first - '0') * 10 + (second - '0'), start);
            return;
        }
        backReference(first - '0', start);
    }

    private void backReference(int group, int start) {
        if (group >= groupNames.size()) {
            throw error("invalid group reference " + group, start);
        }
        out.append("(?:\\").append(group).append(')');
    }

    private int namedCharacter(int start) {
        if (position >= source.length() || source.charAt(position) != '{') {
            throw error("missing {", start);
        }
        int close = source.indexOf('}', position);
        if (close < 0) {
            throw error("missing }, unterminated name", start);
        }
        String name = source.substring(position + 1, close);
        int codePoint;
        try {
            codePoint = Character.codePointOf(name);
        } catch (IllegalArgumentException e) {
            throw error("undefined character name '" + name + "'", start);
        }
        position = close + 1;
        return codePoint;
    }

    private int hex(int digits, int start) {
        if (position + digits > source.length()) {
            throw error("incomplete escape " + source.substring(start), start);
        }
        int value = 0;
        for (int i = 0; i < digits; i++) {
            char c = source.charAt(position + i);
            int digit = c < 0x80 ? Character.digit(c, 16) : -1;
            if (digit < 0) {
                throw error("incomplete escape " + source.substring(start, position + i + 1), start);
            }
            value = value * 16 + digit;
        }
        if (value > Character.MAX_CODE_POINT || value < 0) {
            throw error("bad escape " + source.substring(start, position + digits), start);
        }
        position += digits;
        return value;
    }

    /** Up to {@code more} further octal digits after a first digit {@code first}. */
    private int octal(int first, int more) {
        int value = first;
        for (int i = 0; i < more && position < source.length() && isOctal(source.charAt(position)); i++) {
            value = value * 8 + (source.charAt(position++) - '0');
        }
        return value;
    }

    private void characterClass() {
        int start = position;
        out.append('[');
        position++;
        int length = source.length();
        if (position < length && source.charAt(position) == '^') {
            out.append('^');
            position++;
        }
        boolean first = true;
        while (true) {
            if (position >= length) {
                throw error("unterminated character set", start);
            }
            char c = source.charAt(position);
            if (c == ']' && !first) {
                position++;
                break;
            }
            first = false;
            int low = classItem(start);
            if (position + 1 < length && source.charAt(position) == '-' && source.charAt(position + 1) != ']') {
                position++;
                int high = classItem(start);
                if (low < 0 || high < 0) {
                    throw error("bad character range", start);
                }
                if (high < low) {
                    throw error("bad character range " + source.substring(start, position), start);
                }
                appendClassCodePoint(low);
                out.append('-');
                appendClassCodePoint(high);
            } else if (low >= 0) {
                appendClassCodePoint(low);
            } else {
                out.append(classEscape);
            }
        }
        out.append(']');
    }

    /** The class escape ({@code \d} and the like) that {@link #classItem} last read. */
    private String classEscape;

    /**
     * Reads one item of a class: returns its code point, or -1 for a class escape such as
     * {@code \d} (left in {@link #classEscape}; it cannot end a range).
     */
    private int classItem(int classStart) {
        char c = source.charAt(position);
        if (c != '\\') {
            int codePoint = source.codePointAt(position);
            position += Character.charCount(codePoint);
            return codePoint;
        }
        int start = position;
        position++;
        if (position >= source.length()) {
            throw error("unterminated character set", classStart);
        }
        char e = source.charAt(position++);
        return switch (e) {
            case 'd', 'D', 's', 'S', 'w', 'W' -> {
                classEscape = "\\" + e;
                yield -1;
            }
            case 'a' -> 0x07;
            case 'b' -> 0x08;
            case 'f' -> 0x0C;
            case 'n' -> 0x0A;
            case 'r' -> 0x0D;
            case 't' -> 0x09;
            case 'v' -> 0x0B;
            case 'x' -> hex(2, start);
            case 'u' -> hex(4, start);
            case 'U' -> hex(8, start);
            case 'N' -> namedCharacter(start);
            case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                int value = octal(e - '0', 2);
                if (value > 0377) {
                    throw error("octal escape value outside of range 0-0o377", start);
                }
                yield value;
            }
            default -> {
                if (isAsciiLetter(e) || isDigit(e)) {
                    throw error("bad escape \\" + e, start);
                }
                yield (int) e;
            }
        };
    }

    /** Translates a group's opening; true if it added nothing to match (global flags, a comment). */
    private boolean group() {
        int start = position;
        int length = source.length();
        if (position + 1 >= length || source.charAt(position + 1) != '?') {
            position++;
            openGroup(null);
            return false;
        }
        if (position + 2 >= length) {
            throw error("unexpected end of pattern", start);
        }
        char kind = source.charAt(position + 2);
        switch (kind) {
            case 'P' -> {
                pythonGroup(start);
                return false;
            }
            case ':', '=', '!', '>' -> {
                out.append("(?").append(kind);
                position += 3;
                return false;
            }
            case '<' -> {
                if (position + 3 < length && (source.charAt(position + 3) == '=' || source.charAt(position + 3) == '!')) {
                    out.append("(?<").append(source.charAt(position + 3));
                    position += 4;
                    return false;
                }
                throw error("unknown extension ?<" + (position + 3 < length ? source.charAt(position + 3) : ""), start);
            }
            case '#' -> {
                int close = source.indexOf(')', position);
                if (close < 0) {
                    throw error("missing ), unterminated comment", start);
                }
                position = close + 1;
                return true;
            }
            case '(' -> throw error("conditional groups (?(...)...) are not supported", start);
            default -> {
                return flags(start);
            }
        }
    }

    private void pythonGroup(int start) {
        int length = source.length();
        if (position + 3 >= length) {
            throw error("unexpected end of pattern", start);
        }
        char kind = source.charAt(position + 3);
        if (kind == '<') {
            int close = source.indexOf('>', position + 4);
            if (close < 0) {
                throw error("missing >, unterminated name", start);
            }
            String name = source.substring(position + 4, close);
            if (!isIdentifier(name)) {
                throw error("bad character in group name '" + name + "'", start);
            }
            if (groupNumbers.containsKey(name)) {
                throw error("redefinition of group name '" + name + "' as group " + groupNames.size()
                        + "; was group " + groupNumbers.get(name), start);
            }
            position = close + 1;
            openGroup(name);
            return;
        }
        if (kind == '=') {
            int close = source.indexOf(')', position + 4);
            if (close < 0) {
                throw error("missing ), unterminated name", start);
            }
            String name = source.substring(position + 4, close);
            Integer group = groupNumbers.get(name);
            if (group == null) {
                throw error("unknown group name '" + name + "'", start);
            }
            position = close + 1;
            out.append("(?:\\").append(group).append(')');
            return;
        }
        throw error("unknown extension ?P" + kind, start);
    }

    private void openGroup(String name) {
        int number = groupNames.size();
        groupNames.add(name);
        if (name != null) {
            groupNumbers.put(name, number);
        }
        out.append('(');
    }

    /** {@code (?aiLmsux)} at the start (returns true), or {@code (?flags-flags:...)} anywhere. */
    private boolean flags(int start) {
        int length = source.length();
        int i = position + 2;
        StringBuilder on = new StringBuilder();
        StringBuilder off = new StringBuilder();
        StringBuilder current = on;
        while (i < length) {
            char c = source.charAt(i);
            if (c == ')' || c == ':') {
                break;
            }
            if (c == '-' && current == on) {
                current = off;
                i++;
                continue;
            }
            switch (c) {
                case 'i', 'm', 's', 'x' -> current.append(c);
                case 'u' -> {
                    if (current == off) {
                        throw error("bad inline flags: cannot turn off flags 'a', 'u' and 'L'", start);
                    }
                    current.append("uU");
                }
                case 'a' -> {
                    if (current == off) {
                        throw error("bad inline flags: cannot turn off flags 'a', 'u' and 'L'", start);
                    }
                    off.append('U');
                }
                case 'L' -> throw error("bad inline flags: cannot use 'L' flag with a str pattern", start);
                default -> throw error("unknown flag", start);
            }
            i++;
        }
        if (i >= length) {
            throw error("missing -, : or )", start);
        }
        boolean scoped = source.charAt(i) == ':';
        if (!scoped) {
            if (current == off) {
                throw error("missing :", start);
            }
            if (!onlyFlagsSoFar) {
                throw error("global flags not at the start of the expression", start);
            }
        }
        out.append("(?").append(on);
        if (!off.isEmpty()) {
            out.append('-').append(off);
        }
        out.append(scoped ? ':' : ')');
        position = i + 1;
        return !scoped;
    }

    private void brace() {
        int length = source.length();
        int i = position + 1;
        if (i < length && source.charAt(i) == '}') {
            out.append("\\{");
            position++;
            return;
        }
        int lowStart = i;
        while (i < length && isDigit(source.charAt(i))) {
            i++;
        }
        String low = source.substring(lowStart, i);
        String high;
        boolean comma = i < length && source.charAt(i) == ',';
        if (comma) {
            i++;
            int highStart = i;
            while (i < length && isDigit(source.charAt(i))) {
                i++;
            }
            high = source.substring(highStart, i);
        } else {
            high = low;
        }
        if (i >= length || source.charAt(i) != '}') {
            out.append("\\{");
            position++;
            return;
        }
        if (!low.isEmpty() && !high.isEmpty() && Long.parseLong(high) < Long.parseLong(low)) {
            throw error("min repeat greater than max repeat", position);
        }
        out.append('{').append(low.isEmpty() ? "0" : low);
        if (comma) {
            out.append(',').append(high);
        }
        out.append('}');
        position = i + 1;
    }

    private void appendLiteral(char c) {
        if (c < 0x80 && !Character.isLetterOrDigit(c)) {
            out.append('\\').append(c);
        } else {
            out.append(c);
        }
    }

    private void appendCodePoint(int codePoint) {
        out.append("\\x{").append(Integer.toHexString(codePoint)).append('}');
    }

    private void appendClassCodePoint(int codePoint) {
        if (codePoint < 0x80 && Character.isLetterOrDigit(codePoint)) {
            out.append((char) codePoint);
        } else {
            appendCodePoint(codePoint);
        }
    }

    private IllegalArgumentException error(String message, int at) {
        return new IllegalArgumentException(
                "regular expression " + quote(source) + ": " + message + " at position " + at);
    }

    private static String quote(String text) {
        return "'" + text + "'";
    }

    private static boolean isIdentifier(String name) {
        if (name.isEmpty()) {
            return false;
        }
        int first = name.codePointAt(0);
        if (!(Character.isLetter(first) || first == '_')) {
            return false;
        }
        for (int i = Character.charCount(first); i < name.length(); ) {
            int c = name.codePointAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '_')) {
                return false;
            }
            i += Character.charCount(c);
        }
        return true;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isOctal(char c) {
        return c >= '0' && c <= '7';
    }
}
