package dev.bulwark.detect.filter;

/**
 * The characters a match of an anchored regular expression can start with, worked out from the
 * Python pattern, so that a line whose first character is not among them is turned away with
 * one bit test instead of a regex run. Conservative: whatever the analysis does not understand
 * (case-insensitive flags, back-references, conditionals, negated classes) makes it {@link #ANY}.
 */
final class FirstChars {
    static final FirstChars ANY = new FirstChars(-1L, -1L, true);

    private final long low;
    private final long high;
    private final boolean nonAscii;

    private FirstChars(long low, long high, boolean nonAscii) {
        this.low = low;
        this.high = high;
        this.nonAscii = nonAscii;
    }

    boolean mayStartWith(char c) {
        if (c < 64) {
            return (low & 1L << c) != 0;
        }
        if (c < 128) {
            return (high & 1L << (c - 64)) != 0;
        }
        return nonAscii;
    }

    /** For a pattern that starts with {@code ^} and has no top-level alternative. */
    static FirstChars of(String regex) {
        if (!regex.startsWith("^") || regex.contains("(?i") || regex.contains("(?x") || regex.contains("(?a")
                || regex.contains("(?u") || regex.contains("(?L")) {
            return ANY;
        }
        try {
            Analysis analysis = new Analysis(regex);
            Set set = analysis.sequence(1, regex.length());
            if (set == null || set.nullable) {
                return ANY;
            }
            return new FirstChars(set.low, set.high, set.nonAscii);
        } catch (RuntimeException e) {
            return ANY;
        }
    }

    /** A set of first characters, and whether the part can match nothing at all. */
    private static final class Set {
        long low;
        long high;
        boolean nonAscii;
        boolean nullable;

        void add(int c) {
            if (c < 64) {
                low |= 1L << c;
            } else if (c < 128) {
                high |= 1L << (c - 64);
            } else {
                nonAscii = true;
            }
        }

        void addRange(int from, int to) {
            for (int c = from; c <= to && c < 128; c++) {
                add(c);
            }
            if (to >= 128) {
                nonAscii = true;
            }
        }

        void addAll(Set other) {
            low |= other.low;
            high |= other.high;
            nonAscii |= other.nonAscii;
        }
    }

    /** A recursive descent over the Python syntax; null means "could be anything". */
    private static final class Analysis {
        private final String regex;

        Analysis(String regex) {
            this.regex = regex;
        }

        /** The first set of regex[from, to), a sequence that may hold top-level alternatives. */
        Set sequence(int from, int to) {
            Set result = new Set();
            result.nullable = false;
            int start = from;
            boolean any = false;
            for (int bar : RegexText.bars(regex, from, to)) {
                Set alternative = concatenation(start, bar);
                if (alternative == null) {
                    return null;
                }
                result.addAll(alternative);
                result.nullable |= alternative.nullable;
                start = bar + 1;
                any = true;
            }
            Set last = concatenation(start, to);
            if (last == null) {
                return null;
            }
            result.addAll(last);
            result.nullable = any ? result.nullable || last.nullable : last.nullable;
            return result;
        }

        /** items one after another: the first set of the first that cannot match nothing, and all before it. */
        private Set concatenation(int from, int to) {
            Set result = new Set();
            int at = from;
            while (at < to) {
                int end = itemEnd(at, to);
                Set item = item(at, end);
                if (item == null) {
                    return null;
                }
                int quantifierEnd = RegexText.quantifierEnd(regex, end, to);
                boolean optional = item.nullable || quantifierEnd > end && optionalQuantifier(end);
                result.addAll(item);
                if (!optional) {
                    result.nullable = false;
                    return result;
                }
                at = quantifierEnd;
            }
            result.nullable = true;
            return result;
        }

        private boolean optionalQuantifier(int at) {
            char c = regex.charAt(at);
            if (c == '?' || c == '*') {
                return true;
            }
            if (c == '{') {
                int comma = at + 1;
                return regex.charAt(comma) == ',' || regex.charAt(comma) == '0' && !Character.isDigit(regex.charAt(comma + 1));
            }
            return false;
        }

        private int itemEnd(int at, int to) {
            char c = regex.charAt(at);
            if (c == '\\') {
                return at + 2;
            }
            if (c == '[') {
                return RegexText.classEnd(regex, at) + 1;
            }
            if (c == '(') {
                return RegexText.closing(regex, at) + 1;
            }
            return at + 1;
        }

        private Set item(int at, int end) {
            char c = regex.charAt(at);
            Set set = new Set();
            if (c == '(') {
                return group(at, end - 1);
            }
            if (c == '[') {
                return characterClass(at, end - 1);
            }
            if (c == '.') {
                return null;
            }
            if (c == '^' || c == '$') {
                set.nullable = true;
                return set;
            }
            if (c == '\\') {
                return escape(regex.charAt(at + 1), set);
            }
            set.add(c);
            return set;
        }

        private Set escape(char c, Set set) {
            switch (c) {
                case 'd' -> {
                    set.addRange('0', '9');
                    set.nonAscii = true;
                }
                case 'w' -> {
                    set.addRange('0', '9');
                    set.addRange('a', 'z');
                    set.addRange('A', 'Z');
                    set.add('_');
                    set.nonAscii = true;
                }
                case 's' -> {
                    set.add(' ');
                    set.addRange('\t', '\r');
                    set.addRange(0x1c, 0x1f);
                    set.nonAscii = true;
                }
                case 'b', 'B', 'A', 'Z' -> set.nullable = true;
                case 'n' -> set.add('\n');
                case 't' -> set.add('\t');
                case 'r' -> set.add('\r');
                default -> {
                    if (Character.isLetterOrDigit(c)) {
                        return null;
                    }
                    set.add(c);
                }
            }
            return set;
        }

        private Set group(int open, int close) {
            if (regex.startsWith("(?=", open) || regex.startsWith("(?!", open) || regex.startsWith("(?<=", open)
                    || regex.startsWith("(?<!", open)) {
                Set set = new Set();
                set.nullable = true;
                return set;
            }
            // an atomic group matches what its body matches, and so starts as it does
            int body = regex.startsWith("(?>", open) ? open + 3 : RegexText.groupBody(regex, open);
            return body < 0 ? null : sequence(body, close);
        }

        private Set characterClass(int open, int close) {
            int at = open + 1;
            if (regex.charAt(at) == '^') {
                return null;
            }
            Set set = new Set();
            boolean first = true;
            while (at < close) {
                char c = regex.charAt(at);
                int value;
                if (c == '\\') {
                    char escaped = regex.charAt(at + 1);
                    if (Character.isLetterOrDigit(escaped)) {
                        if ("dws".indexOf(escaped) >= 0) {
                            Set inner = escape(escaped, new Set());
                            set.addAll(inner);
                            at += 2;
                            first = false;
                            continue;
                        }
                        return null;
                    }
                    value = escaped;
                    at += 2;
                } else {
                    value = c;
                    at++;
                }
                if (at + 1 < close && regex.charAt(at) == '-') {
                    char upper = regex.charAt(at + 1);
                    if (upper == '\\') {
                        return null;
                    }
                    set.addRange(value, upper);
                    at += 2;
                } else {
                    set.add(value);
                }
                first = false;
            }
            return set;
        }
    }
}
