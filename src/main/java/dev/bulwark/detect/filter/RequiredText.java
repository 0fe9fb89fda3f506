package dev.bulwark.detect.filter;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Pieces of literal text that every match of a regular expression contains, worked out from the
 * Python pattern: runs of plain characters in its top-level sequence, through groups that must
 * match once and have no alternatives. A line that lacks one of them cannot match, so the regex
 * need not run; most lines of a log lack the text of most failregexes. Conservative: flags,
 * classes, optional parts and alternatives end a run or give none.
 */
final class RequiredText {
    private static final int SHORTEST = 3;
    private static final int MOST = 3;

    private RequiredText() {
    }

    /**
     * What every match contains: each element a set of texts of which at least one appears (one
     * text for a plain run, one per branch for a group of alternatives); the longest few first,
     * empty when nothing is known.
     */
    static List<String[]> of(String regex) {
        if (regex.contains("(?i") || regex.contains("(?x") || regex.contains("(?u") || regex.contains("(?a") || regex.contains("(?L")) {
            return List.of();
        }
        List<String[]> found = new ArrayList<>();
        try {
            StringBuilder run = new StringBuilder();
            scan(regex, 0, regex.length(), run, found);
            flush(run, found);
        } catch (RuntimeException e) {
            return List.of();
        }
        found.sort(Comparator.comparingInt(RequiredText::shortest).reversed());
        return List.copyOf(found.subList(0, Math.min(MOST, found.size())));
    }

    private static int shortest(String[] texts) {
        int shortest = Integer.MAX_VALUE;
        for (String text : texts) {
            shortest = Math.min(shortest, text.length());
        }
        return shortest;
    }

    private static void flush(StringBuilder run, List<String[]> found) {
        if (run.length() >= SHORTEST) {
            found.add(new String[] {run.toString()});
        }
        run.setLength(0);
    }

    /** A group of alternatives that must match once: one text from each branch, if every branch has one. */
    private static void alternatives(String regex, int from, int to, List<String[]> found) {
        List<String> texts = new ArrayList<>();
        int start = from;
        List<Integer> bars = RegexText.bars(regex, from, to);
        bars.add(to);
        for (int bar : bars) {
            List<String[]> branch = new ArrayList<>();
            StringBuilder run = new StringBuilder();
            scan(regex, start, bar, run, branch);
            flush(run, branch);
            String best = null;
            for (String[] requirement : branch) {
                if (requirement.length == 1 && (best == null || requirement[0].length() > best.length())) {
                    best = requirement[0];
                }
            }
            if (best == null) {
                return;
            }
            texts.add(best);
            start = bar + 1;
        }
        found.add(texts.toArray(String[]::new));
    }

    /** Walks regex[from, to), a sequence without top-level alternatives (the caller checked). */
    private static void scan(String regex, int from, int to, StringBuilder run, List<String[]> runs) {
        if (!RegexText.bars(regex, from, to).isEmpty()) {
            flush(run, runs);
            alternatives(regex, from, to, runs);
            return;
        }
        int at = from;
        while (at < to) {
            char c = regex.charAt(at);
            int end;
            if (c == '(') {
                end = RegexText.closing(regex, at) + 1;
                int quantifierEnd = RegexText.quantifierEnd(regex, end, to);
                boolean once = quantifierEnd == end;
                boolean atLeastOnce = once || regex.charAt(end) == '+' || regex.charAt(end) == '{' && RegexText.braceMinimum(regex, end) >= 1;
                int body = RegexText.groupBody(regex, at);
                if (body < 0 || !atLeastOnce) {
                    flush(run, runs);
                } else {
                    scan(regex, body, end - 1, run, runs);
                    if (!once) {
                        flush(run, runs);
                    }
                }
                at = quantifierEnd;
                continue;
            }
            char literal;
            if (c == '\\') {
                char escaped = regex.charAt(at + 1);
                end = at + 2;
                if (Character.isLetterOrDigit(escaped)) {
                    literal = switch (escaped) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        default -> 0;
                    };
                    if (literal == 0) {
                        flush(run, runs);
                        at = RegexText.quantifierEnd(regex, end, to);
                        continue;
                    }
                } else {
                    literal = escaped;
                }
            } else if (c == '[') {
                end = RegexText.classEnd(regex, at) + 1;
                flush(run, runs);
                at = RegexText.quantifierEnd(regex, end, to);
                continue;
            } else if (".^$".indexOf(c) >= 0) {
                flush(run, runs);
                at = RegexText.quantifierEnd(regex, at + 1, to);
                continue;
            } else {
                literal = c;
                end = at + 1;
            }
            int quantifierEnd = RegexText.quantifierEnd(regex, end, to);
            if (quantifierEnd == end) {
                run.append(literal);
            } else if (regex.charAt(end) == '+' || regex.charAt(end) == '{' && RegexText.braceMinimum(regex, end) >= 1) {
                run.append(literal);
                flush(run, runs);
            } else {
                flush(run, runs);
            }
            at = quantifierEnd;
        }
    }
}
