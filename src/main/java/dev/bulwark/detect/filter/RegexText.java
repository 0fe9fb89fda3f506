package dev.bulwark.detect.filter;

import java.util.ArrayList;
import java.util.List;

/**
 * Finding one's way in a Python pattern's text, for the analyses that rule lines out before a
 * regex runs ({@link FirstChars}, {@link RequiredText}, {@link TaggedRegex}'s literal prefix):
 * where a class or a group ends and where its body starts, where a quantifier ends, where the
 * top-level alternatives are. Escapes and classes are
 * stepped over as Python reads them (a {@code ]} first in a class is literal). Malformed text
 * throws IllegalArgumentException; the callers then know nothing and rule nothing out.
 */
final class RegexText {
    private RegexText() {
    }

    /** The index of the {@code ]} that closes the class opened at {@code open}. */
    static int classEnd(String regex, int open) {
        int at = open + 1;
        if (at < regex.length() && regex.charAt(at) == '^') {
            at++;
        }
        if (at < regex.length() && regex.charAt(at) == ']') {
            at++;
        }
        while (at < regex.length()) {
            char c = regex.charAt(at);
            if (c == '\\') {
                at += 2;
                continue;
            }
            if (c == ']') {
                return at;
            }
            at++;
        }
        throw new IllegalArgumentException("unterminated class");
    }

    /** The index of the {@code )} that closes the group opened at {@code open}. */
    static int closing(String regex, int open) {
        int depth = 0;
        for (int at = open; at < regex.length(); at++) {
            char c = regex.charAt(at);
            if (c == '\\') {
                at++;
            } else if (c == '[') {
                at = classEnd(regex, at);
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return at;
            }
        }
        throw new IllegalArgumentException("unbalanced");
    }

    /** The indexes of the {@code |} at the top level of regex[from, to). */
    static List<Integer> bars(String regex, int from, int to) {
        List<Integer> bars = new ArrayList<>();
        int depth = 0;
        for (int at = from; at < to; at++) {
            char c = regex.charAt(at);
            if (c == '\\') {
                at++;
            } else if (c == '[') {
                at = classEnd(regex, at);
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == '|' && depth == 0) {
                bars.add(at);
            }
        }
        return bars;
    }

    /** Where a capturing or non-capturing group's body starts; -1 for lookarounds, conditionals, flags and the rest. */
    static int groupBody(String regex, int open) {
        if (!regex.startsWith("(?", open)) {
            return open + 1;
        }
        if (regex.startsWith("(?:", open)) {
            return open + 3;
        }
        if (regex.startsWith("(?P<", open)) {
            int close = regex.indexOf('>', open);
            return close < 0 ? -1 : close + 1;
        }
        return -1;
    }

    /** The end of the quantifier at {@code at} in regex[.., to) (lazy and possessive marks included), or {@code at} for none. */
    static int quantifierEnd(String regex, int at, int to) {
        if (at >= to) {
            return at;
        }
        char c = regex.charAt(at);
        int end;
        if (c == '?' || c == '*' || c == '+') {
            end = at + 1;
        } else if (c == '{' && braceMinimum(regex, at) >= 0) {
            end = regex.indexOf('}', at) + 1;
        } else {
            return at;
        }
        if (end < to && (regex.charAt(end) == '?' || regex.charAt(end) == '+')) {
            end++;
        }
        return end;
    }

    /** The minimum of a {m,n} quantifier at {@code at}; -1 when the brace is no quantifier (Python reads it as a literal). */
    static int braceMinimum(String regex, int at) {
        int close = regex.indexOf('}', at);
        if (close < 0) {
            return -1;
        }
        String body = regex.substring(at + 1, close);
        if (body.isEmpty() || body.equals(",") || !body.matches("\\d*,?\\d*")) {
            return -1;
        }
        String minimum = body.contains(",") ? body.substring(0, body.indexOf(',')) : body;
        return minimum.isEmpty() ? 0 : Integer.parseInt(minimum);
    }
}
