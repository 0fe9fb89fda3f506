package dev.bulwark.detect.time;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fail2ban's {@code %} directives (server/strptime.py's {@code timeRE}, on top of Python's
 * {@code _strptime.TimeRE} in the C locale): the regular expression each one stands for, and the
 * name each one gives a template's name.
 *
 * <p>{@code %ExY} is the one that moves: fail2ban builds it when it starts, from the real date,
 * to accept the years of the centuries' decades from 2000 up to three years ahead ({@code
 * 20[012]\d} from 2021 to 2026). Hence the year it is built for.
 */
final class TimeDirectives {
    /** fail2ban's {@code getTimePatternRE()}: the keys in the order its alternation tries them. */
    static final Pattern DIRECTIVE = Pattern.compile(
            "%(%|ExZ|Exz|Exd|Exm|ExH|Exk|Exl|ExM|ExS|ExY|Exy|[dfHIGjmMSUwuVyYzAaBbpZ%WcxXkl])");

    private static final String TZ_ABBREVIATION = "[A-Z](?:[A-Z]{2,4})?";

    private static final Map<String, String> FIXED = Map.ofEntries(
            Map.entry("%", "%"),
            Map.entry("A", "(?P<A>wednesday|thursday|saturday|tuesday|monday|friday|sunday)"),
            Map.entry("B", "(?P<B>september|february|november|december|january|october|august|march|april|june|july|may)"),
            Map.entry("ExH", "(?P<H>[0-1]\\d|2[0-3])"),
            Map.entry("ExM", "(?P<M>[0-5]\\d)"),
            Map.entry("ExS", "(?P<S>[0-5]\\d|6[0-1])"),
            Map.entry("ExZ", "(?P<Z>" + TZ_ABBREVIATION + ")"),
            Map.entry("Exd", "(?P<d>[1-2]\\d|0[1-9]|3[0-1])"),
            Map.entry("Exk", " ?(?P<H>[0-1]?\\d|2[0-3])"),
            Map.entry("Exl", " ?(?P<I>1[0-2]|\\d)"),
            Map.entry("Exm", "(?P<m>0[1-9]|1[0-2])"),
            Map.entry("Exy", "(?P<y>\\d{2})"),
            Map.entry("Exz", "(?P<z>(?:" + TZ_ABBREVIATION + ")?[+-][01]\\d(?::?\\d{2})?|" + TZ_ABBREVIATION + ")"),
            Map.entry("G", "(?P<G>\\d\\d\\d\\d)"),
            Map.entry("H", "(?P<H>[0-1]?\\d|2[0-3])"),
            Map.entry("I", "(?P<I>1[0-2]|0[1-9]|[1-9])"),
            Map.entry("M", "(?P<M>[0-5]?\\d)"),
            Map.entry("S", "(?P<S>[0-5]?\\d|6[0-1])"),
            Map.entry("U", "(?P<U>5[0-3]|[0-4]\\d|\\d)"),
            Map.entry("V", "(?P<V>5[0-3]|0[1-9]|[1-4]\\d|\\d)"),
            Map.entry("W", "(?P<W>5[0-3]|[0-4]\\d|\\d)"),
            Map.entry("X", "(?P<H>2[0-3]|[0-1]\\d|\\d):(?P<M>[0-5]\\d|\\d):(?P<S>6[0-1]|[0-5]\\d|\\d)"),
            Map.entry("Y", "(?P<Y>\\d{4})"),
            Map.entry("Z", "(?P<Z>Z|[A-Z]{3,5})"),
            Map.entry("a", "(?P<a>mon|tue|wed|thu|fri|sat|sun)"),
            Map.entry("b", "(?P<b>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"),
            Map.entry("c", "(?P<a>mon|tue|wed|thu|fri|sat|sun)\\s+(?P<b>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
                    + "\\s+(?P<d>3[0-1]|[1-2]\\d|0[1-9]|[1-9]| [1-9])\\s+(?P<H>2[0-3]|[0-1]\\d|\\d):(?P<M>[0-5]\\d|\\d)"
                    + ":(?P<S>6[0-1]|[0-5]\\d|\\d)\\s+(?P<Y>\\d\\d\\d\\d)"),
            Map.entry("d", "(?P<d>[1-2]\\d|[0 ]?[1-9]|3[0-1])"),
            Map.entry("f", "(?P<f>[0-9]{1,6})"),
            Map.entry("j", "(?P<j>36[0-6]|3[0-5]\\d|[1-2]\\d\\d|0[1-9]\\d|00[1-9]|[1-9]\\d|0[1-9]|[1-9])"),
            Map.entry("k", " ?(?P<H>[0-2]?\\d)"),
            Map.entry("l", " ?(?P<I>1?\\d)"),
            Map.entry("m", "(?P<m>0?[1-9]|1[0-2])"),
            Map.entry("p", "(?P<p>am|pm)"),
            Map.entry("u", "(?P<u>[1-7])"),
            Map.entry("w", "(?P<w>[0-6])"),
            Map.entry("x", "(?P<m>1[0-2]|0[1-9]|[1-9])/(?P<d>3[0-1]|[1-2]\\d|0[1-9]|[1-9]| [1-9])/(?P<y>\\d\\d)"),
            Map.entry("y", "(?P<y>\\d\\d)"),
            Map.entry("z", "(?P<z>Z|UTC|GMT|[+-][01]\\d(?::?\\d{2})?)"));

    /** The names {@code getTimePatternRE()} gives; a key without one is named {@code %key}. */
    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("a", "DAY"), Map.entry("A", "DAYNAME"), Map.entry("b", "MON"), Map.entry("B", "MONTH"),
            Map.entry("d", "Day"), Map.entry("H", "24hour"), Map.entry("I", "12hour"), Map.entry("j", "Yearday"),
            Map.entry("m", "Month"), Map.entry("M", "Minute"), Map.entry("p", "AMPM"), Map.entry("S", "Second"),
            Map.entry("U", "Yearweek"), Map.entry("w", "Weekday"), Map.entry("W", "Yearweek"),
            Map.entry("y", "Year2"), Map.entry("Y", "Year"), Map.entry("%", "%"), Map.entry("z", "Zone offset"),
            Map.entry("f", "Microseconds"), Map.entry("Z", "Zone name"),
            Map.entry("ExZ", "ExZone name"), Map.entry("ExH", "Ex24hour"), Map.entry("ExM", "ExMinute"),
            Map.entry("Exm", "ExMonth"), Map.entry("Exd", "ExDay"), Map.entry("Exy", "ExYear2"),
            Map.entry("ExY", "ExYear"), Map.entry("ExS", "ExSecond"), Map.entry("Exl", "Ex%l"),
            Map.entry("Exz", "ExZone offset"));

    private final String yearExact;

    /** The directives as fail2ban builds them when started in {@code currentYear}. */
    TimeDirectives(int currentYear) {
        this.yearExact = "(?P<Y>" + centuries(currentYear) + "\\d)";
    }

    /** A date pattern with its directives replaced: the regular expression and the template's name. */
    record Expanded(String regex, String name) {}

    /**
     * Replaces each directive of {@code pattern} by its expression (and, for the name, by its name),
     * as fail2ban's {@code fmt % timeRE}; any other {@code %} fails there, and here.
     */
    Expanded expand(String pattern) {
        StringBuilder regex = new StringBuilder(pattern.length() * 4);
        StringBuilder name = new StringBuilder(pattern.length() * 2);
        Matcher directive = DIRECTIVE.matcher(pattern);
        int literalStart = 0;
        while (directive.find()) {
            appendLiteral(pattern, literalStart, directive.start(), regex, name);
            String key = directive.group(1);
            regex.append(regexOf(key));
            name.append(NAMES.getOrDefault(key, "%" + key));
            literalStart = directive.end();
        }
        appendLiteral(pattern, literalStart, pattern.length(), regex, name);
        return new Expanded(regex.toString(), name.toString());
    }

    private static void appendLiteral(String pattern, int from, int to, StringBuilder regex, StringBuilder name) {
        int percent = pattern.indexOf('%', from);
        if (percent >= 0 && percent < to) {
            throw new IllegalArgumentException("Failed to set datepattern '" + pattern
                    + "' (may be an invalid format or unescaped percent char): no directive %"
                    + pattern.substring(percent + 1, Math.min(percent + 2, pattern.length()))
                    + " at position " + percent + "; a literal percent sign is %%");
        }
        regex.append(pattern, from, to);
        name.append(pattern, from, to);
    }

    private String regexOf(String key) {
        return key.equals("ExY") ? yearExact : FIXED.get(key);
    }

    /**
     * fail2ban's {@code _getYearCentRE}: the first three digits of the years from a year before
     * now to three years ahead, and of every third year from 2000 (the test suite's alternate now,
     * 2001, less one) up to now, folded into one expression.
     */
    static String centuries(int currentYear) {
        TreeSet<String> prefixes = new TreeSet<>();
        prefixes.add(prefix(currentYear - 1));
        prefixes.add(prefix(currentYear + 3));
        int alternate = 2001;
        for (int offset = -1; offset < currentYear - alternate + 1; offset += 3) {
            prefixes.add(prefix(alternate + offset));
        }
        return group(new ArrayList<>(prefixes));
    }

    private static String prefix(int year) {
        String text = Integer.toString(year);
        return text.substring(0, Math.min(3, text.length()));
    }

    /** fail2ban's {@code grp}: factors out the longest common prefix, recursively. */
    private static String group(List<String> expressions) {
        if (expressions.size() > 1) {
            String common = null;
            for (String expression : expressions) {
                String head = expression.substring(0, Math.max(0, expression.length() - 1));
                if (common == null || head.equals(common)) {
                    common = head;
                } else {
                    common = null;
                    break;
                }
            }
            if (common == null || common.isEmpty()) {
                common = null;
                for (String expression : expressions) {
                    String head = expression.isEmpty() ? "" : expression.substring(0, 1);
                    if (common == null || head.equals(common)) {
                        common = head;
                    } else {
                        common = null;
                        break;
                    }
                }
            }
            if (common != null && !common.isEmpty()) {
                List<String> rest = new ArrayList<>(expressions.size());
                for (String expression : expressions) {
                    rest.add(expression.substring(common.length()));
                }
                return common + group(rest);
            }
        }
        if (expressions.size() > 1) {
            return expressions.get(0).length() > 1
                    ? "(?:" + String.join("|", expressions) + ")"
                    : "[" + String.join("", expressions) + "]";
        }
        return String.join("", expressions);
    }
}
