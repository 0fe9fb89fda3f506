package dev.bulwark.detect.time;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A hand-written matcher for a template whose expression is made only of fail2ban's date
 * pieces (the {@code %} directives' expressions, fractions, zones, separators, literal
 * characters) behind one of the usual prefixes: it gives exactly the match
 * {@link java.util.regex.Matcher#find()} gives, for text of ASCII characters, at about half its
 * cost; and for the three commonest dates, through {@link CommonDates}, at about a tenth.
 *
 * <p>Why: java.util.regex spends about 0.8 µs on fail2ban's syslog template, against a budget
 * of 0.3 µs for the whole of date detection (the filter must reach about a million lines a
 * second). The expression is rebuilt here as a list of steps, each offering the lengths it can
 * match in the order the regular expression would try them, with backtracking over them; so
 * the first full match found is the one the regular expression finds.
 *
 * <p>Where a character it must judge is not ASCII (a Unicode digit, space or letter could
 * match {@code \d}, {@code \s} or a case-insensitive letter), it answers {@link #UNKNOWN} and
 * the caller runs the regular expression. Immutable; the per-call state is in a
 * {@link FastMatch}.
 */
final class FastDate {
    /** {@link #search} found no match, with certainty. */
    static final int NO_MATCH = 0;
    /** {@link #search} found the match the expression finds; its groups are in the {@link FastMatch}. */
    static final int MATCH = 1;
    /** {@link #search} cannot tell without the regular expression. */
    static final int UNKNOWN = -1;

    private static final int BODY_NONE = -1;
    private static final int BODY_UNKNOWN = -2;

    private enum Prefix {
        /** {@code ^(?:\W{0,2})?(}: fail2ban's {@code {^LN-BEG}}. */
        LINE_START("^(?:\\W{0,2})?("),
        /** {@code (?=^|\b|\W)(}: a word boundary, anywhere. */
        WORD("(?=^|\\b|\\W)("),
        /** {@code ^[^\[]*\[(}: after the first {@code [} (the apache and nginx filters). */
        FIRST_BRACKET("^[^\\[]*\\[("),
        /** {@code ^(}: at the start. */
        START("^("),
        /** {@code (}: anywhere ({@code {UNB}}). */
        ANYWHERE("(");

        final String text;

        Prefix(String text) {
            this.text = text;
        }
    }

    private static final String WORD_END = "(?=\\b|\\W|$)";
    private static final String IGNORE_CASE = "(?iu)";

    private final Prefix prefix;
    private final boolean wordEnd;
    private final Step[] steps;
    /** The straight-line parser of {@link CommonDates} for this body, or {@link CommonDates#NONE}. */
    private final int common;
    /** {@code %ExY}'s characters, for the straight-line parser. */
    private final YearTest year;
    /** The number of groups of the expression (group 1 is the date). */
    final int groupCount;

    private FastDate(Prefix prefix, boolean wordEnd, Step[] steps, int groupCount, int common, YearTest year) {
        this.prefix = prefix;
        this.wordEnd = wordEnd;
        this.steps = steps;
        this.groupCount = groupCount;
        this.common = common;
        this.year = year;
    }

    /** The four characters of a year field such as {@code (?P<Y>20[012]\d)}. */
    static final class YearTest {
        private final CharTest[] tests;

        private YearTest(CharTest[] tests) {
            this.tests = tests;
        }

        /** 1, 0, or -1 (cannot tell) for character {@code c} at the year's {@code index}. */
        int test(int index, int c) {
            return tests[index].test(c);
        }

        /** The year at {@code q}, or -1 if there is none, or -2 if a character cannot be judged. */
        int read(FastMatch match, int q) {
            int value = 0;
            for (int i = 0; i < 4; i++) {
                int c = match.charAt(q + i);
                int result = tests[i].test(c);
                if (result < 0) {
                    return -2;
                }
                if (result == 0) {
                    return -1;
                }
                value = value * 10 + (c - '0');
            }
            return value;
        }
    }

    private static final java.util.regex.Pattern EXACT_YEAR =
            java.util.regex.Pattern.compile("\\(\\?P<Y>[0-9]+\\[[0-9]+\\]\\\\d\\)");

    /** The Y field's four tests, if the steps have one made of ASCII digits; else null. */
    private static YearTest yearOf(Step[] steps, List<String> groupNames) {
        int group = groupNames.indexOf("Y");
        for (Step step : steps) {
            Step field = step.kind == FIELD ? step : step.kind == OPTIONAL_SPACE_FIELD ? step.choices[0] : null;
            if (field != null && field.group == group && group > 0 && field.alternatives.length == 1
                    && field.alternatives[0].length == 4) {
                for (CharTest test : field.alternatives[0]) {
                    if (test.optional || test.high != 0 || (test.low & ~0x03FF000000000000L) != 0) {
                        return null;
                    }
                }
                return new YearTest(field.alternatives[0]);
            }
        }
        return null;
    }

    int steps() {
        return steps.length;
    }

    /** A fast matcher for {@code regex} (fail2ban's Python form), or null if it has parts this one does not know. */
    static FastDate of(String regex, List<String> groupNames) {
        boolean ignoreCase = regex.startsWith(IGNORE_CASE);
        String rest = ignoreCase ? regex.substring(IGNORE_CASE.length()) : regex;
        Prefix prefix = null;
        for (Prefix candidate : Prefix.values()) {
            if (rest.startsWith(candidate.text)) {
                prefix = candidate;
                break;
            }
        }
        if (prefix == null || (prefix == Prefix.ANYWHERE && rest.startsWith("(?"))) {
            return null;
        }
        rest = rest.substring(prefix.text.length());
        boolean wordEnd = rest.endsWith(")" + WORD_END);
        String body;
        if (wordEnd) {
            body = rest.substring(0, rest.length() - 1 - WORD_END.length());
        } else if (rest.endsWith(")")) {
            body = rest.substring(0, rest.length() - 1);
        } else {
            return null;
        }
        Step[] steps = new Parser(body, ignoreCase, groupNames).parse();
        if (steps == null || steps.length == 0) {
            return null;
        }
        for (int i = 0; i < steps.length; i++) {
            steps[i].prepared();
            if (steps[i].choices != null) {
                for (Step choice : steps[i].choices) {
                    choice.prepared();
                }
            }
            if (i + 1 < steps.length) {
                steps[i].followedBy = steps[i + 1].requiredCharacter();
            }
        }
        YearTest year = yearOf(steps, groupNames);
        int common = CommonDates.NONE;
        if (year != null && wordEnd && !body.contains("EXY")) {
            common = CommonDates.forBody(EXACT_YEAR.matcher(body).replaceAll("(?P<Y>EXY)"));
            if ((common == CommonDates.ISO) == ignoreCase) {
                common = CommonDates.NONE; // the ISO body has no names, the others are case-insensitive
            }
        }
        return new FastDate(prefix, wordEnd, steps, groupNames.size() - 1, common, year);
    }

    /**
     * {@code Matcher.find()} from {@code start} over {@code line[0, end)}, with transparent
     * bounds and without anchoring bounds (as the detector searches).
     */
    int search(String line, int start, int end, FastMatch match) {
        match.begin(line, end);
        switch (prefix) {
            case LINE_START -> {
                if (start > 0) {
                    return NO_MATCH;
                }
                int nonWord = 0;
                while (nonWord < 2 && nonWord < end) {
                    int kind = wordKind(line.charAt(nonWord));
                    if (kind == UNKNOWN_KIND) {
                        return UNKNOWN;
                    }
                    if (kind == WORD_KIND) {
                        break;
                    }
                    nonWord++;
                }
                for (int skip = nonWord; skip >= 0; skip--) {
                    int result = body(match, 0, skip);
                    if (result != NO_MATCH) {
                        return result;
                    }
                }
                return NO_MATCH;
            }
            case START -> {
                return start > 0 ? NO_MATCH : body(match, 0, 0);
            }
            case FIRST_BRACKET -> {
                if (start > 0) {
                    return NO_MATCH;
                }
                int bracket = line.indexOf('[');
                return bracket < 0 || bracket >= end ? NO_MATCH : body(match, 0, bracket + 1);
            }
            case WORD, ANYWHERE -> {
                for (int position = start; position <= end; position++) {
                    int result = body(match, position, position);
                    if (result == NO_MATCH) {
                        continue;
                    }
                    if (prefix == Prefix.WORD) {
                        int boundary = wordStart(line, position, end);
                        if (boundary == UNKNOWN_KIND) {
                            return UNKNOWN;
                        }
                        if (boundary == 0) {
                            continue;
                        }
                    }
                    return result;
                }
                return NO_MATCH;
            }
        }
        throw new AssertionError(prefix);
    }

    /** The body from {@code dateStart}; the whole match from {@code matchStart}. */
    private int body(FastMatch match, int matchStart, int dateStart) {
        if (common != CommonDates.NONE) {
            int end = CommonDates.parse(common, match, dateStart, year);
            if (end >= 0) {
                match.parsed = true;
                match.set(0, matchStart, end);
                match.set(1, dateStart, end);
                return MATCH;
            }
            if (end == CommonDates.NO) {
                return NO_MATCH;
            }
        }
        match.parsed = false;
        int end = firstPath(match, dateStart);
        if (end == BODY_RETRY) {
            end = run(0, dateStart, match);
        }
        if (end == BODY_NONE) {
            return NO_MATCH;
        }
        if (end == BODY_UNKNOWN) {
            return UNKNOWN;
        }
        match.set(0, matchStart, end);
        match.set(1, dateStart, end);
        return MATCH;
    }

    /** {@link #firstPath} failed where another candidate was left: backtracking decides. */
    private static final int BODY_RETRY = -3;

    /**
     * The common case without backtracking: each step's first candidate that the next step's
     * required character does not rule out. If that path matches, it is the expression's match
     * (every candidate before it fails at once). If it fails where no step had a second
     * candidate, nothing matches here.
     */
    private int firstPath(FastMatch match, int position) {
        boolean onlyPath = true;
        for (int index = 0; index < steps.length; index++) {
            Step step = steps[index];
            int[] candidates = match.candidates[index];
            int count = step.candidates(match, position, candidates);
            if (count < 0) {
                return BODY_UNKNOWN;
            }
            int follow = step.followedBy;
            int chosen = -1;
            for (int c = 0; c < count; c++) {
                if (follow < 0 || match.charAt(position + (candidates[c] & 0xFFFF)) == follow) {
                    if (chosen < 0) {
                        chosen = c;
                    } else {
                        onlyPath = false;
                        break;
                    }
                }
            }
            if (chosen < 0) {
                return onlyPath ? BODY_NONE : BODY_RETRY;
            }
            int candidate = candidates[chosen];
            step.record(match, position, candidate);
            position += candidate & 0xFFFF;
        }
        if (!wordEnd) {
            return position;
        }
        int end = wordEnd(match.line, position, match.end);
        return end == BODY_NONE && !onlyPath ? BODY_RETRY : end;
    }

    private int run(int index, int position, FastMatch match) {
        if (index == steps.length) {
            return wordEnd ? wordEnd(match.line, position, match.end) : position;
        }
        Step step = steps[index];
        int[] candidates = match.candidates[index];
        int count = step.candidates(match, position, candidates);
        if (count < 0) {
            return BODY_UNKNOWN;
        }
        for (int c = 0; c < count; c++) {
            int candidate = candidates[c];
            step.record(match, position, candidate);
            int result = run(index + 1, position + (candidate & 0xFFFF), match);
            if (result != BODY_NONE) {
                return result;
            }
        }
        return BODY_NONE;
    }

    // ---- character classes of the regular expression, for ASCII; UNKNOWN_KIND beyond ----

    private static final int NON_WORD_KIND = 0;
    private static final int WORD_KIND = 1;
    private static final int UNKNOWN_KIND = -1;

    private static int wordKind(int c) {
        if (c >= 0x80) {
            return UNKNOWN_KIND;
        }
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
                ? WORD_KIND : NON_WORD_KIND;
    }

    /** {@code (?=\b|\W|$)} at {@code position}: the position, BODY_NONE or BODY_UNKNOWN. */
    private static int wordEnd(String line, int position, int end) {
        if (position >= end) {
            return position; // $
        }
        int after = wordKind(line.charAt(position));
        if (after == UNKNOWN_KIND) {
            return BODY_UNKNOWN;
        }
        if (after == NON_WORD_KIND) {
            return position; // \W
        }
        if (position == 0) {
            return position; // \b before a word character at the start
        }
        int before = wordKind(line.charAt(position - 1));
        if (before == UNKNOWN_KIND) {
            return BODY_UNKNOWN;
        }
        return before == NON_WORD_KIND ? position : BODY_NONE;
    }

    /** {@code (?=^|\b|\W)} at {@code position}: 1 if it holds, 0 if not, UNKNOWN_KIND. */
    private static int wordStart(String line, int position, int end) {
        if (position == 0) {
            return 1;
        }
        int before = wordKind(line.charAt(position - 1));
        if (position >= end) {
            return before == UNKNOWN_KIND ? UNKNOWN_KIND : before == WORD_KIND ? 1 : 0; // \b at the end
        }
        int after = wordKind(line.charAt(position));
        if (after == NON_WORD_KIND) {
            return 1; // \W
        }
        if (before == UNKNOWN_KIND || after == UNKNOWN_KIND) {
            return UNKNOWN_KIND;
        }
        return before != after ? 1 : 0;
    }

    // ---- steps ----

    private static final int FIELD = 0;
    private static final int NAMES = 1;
    private static final int OPTIONAL_NAMES_SPACE = 2;
    private static final int OPTIONAL_SPACE_FIELD = 3;
    private static final int FRACTION = 4;
    private static final int ZONE = 5;
    private static final int SEPARATOR = 6;
    private static final int BACK_REFERENCE = 7;
    private static final int CHARACTERS = 8;
    private static final int FIELD_CHOICE = 9;

    private static final String[] ZONE_NAMES = {"Z", "UTC", "GMT"};

    /**
     * One piece of the expression, and the lengths it can match at a position, in the order the
     * expression tries them. One class with a switch rather than a class a kind: the matcher's
     * loop then makes no megamorphic calls.
     */
    private static final class Step {
        final int kind;
        /** The group the step sets ({@code _sep} for a back reference), or -1. */
        final int group;
        /** FIELD, CHARACTERS: alternatives of character sequences. */
        final CharTest[][] alternatives;
        /** NAMES, OPTIONAL_NAMES_SPACE: the words. */
        final String[] names;
        /** NAMES, ZONE: letters match either case. FRACTION: a comma may lead. ZONE: any spaces before. */
        final boolean flag;
        final boolean ignoreCase;
        /** FIELD_CHOICE: the fields, one of which is taken. */
        final Step[] choices;
        /** The character the next step requires first, or -1: a candidate not followed by it fails at once. */
        int followedBy = -1;
        /**
         * FIELD of alternatives at most two characters long: the candidates for each pair of
         * character classes, packed (see {@link #packed}); null otherwise.
         */
        private int[] pairs;
        /** The class of each ASCII character for {@link #pairs}; classes NON_ASCII and END follow. */
        private byte[] classes;
        private int classCount;
        /** NAMES: for each lower-case ASCII letter, the names that start with it (bits by index). */
        private int[] namesByFirst;

        Step(int kind, int group, CharTest[][] alternatives, String[] names, boolean flag, boolean ignoreCase,
                Step[] choices) {
            this.kind = kind;
            this.group = group;
            this.alternatives = alternatives;
            this.names = names;
            this.flag = flag;
            this.ignoreCase = ignoreCase;
            this.choices = choices;
        }

        /** Precomputes what makes the step cheap per line (tables for short fields, names by letter). */
        Step prepared() {
            if (kind == NAMES || kind == OPTIONAL_NAMES_SPACE) {
                namesByFirst = new int[128];
                for (int i = 0; i < names.length; i++) {
                    char first = names[i].charAt(0);
                    if (first >= 0x80) {
                        namesByFirst = null;
                        return this;
                    }
                    namesByFirst[first] |= 1 << i;
                    if (ignoreCase && isAsciiLetter(first)) {
                        namesByFirst[first ^ 0x20] |= 1 << i;
                    }
                }
            }
            if (kind == FIELD) {
                preparePairs();
            }
            return this;
        }

        private void preparePairs() {
            List<CharTest> tests = new ArrayList<>();
            for (CharTest[] alternative : alternatives) {
                if (alternative.length > 2) {
                    return;
                }
                for (CharTest test : alternative) {
                    tests.add(test);
                }
            }
            // Characters that every test treats alike share a class.
            byte[] classOf = new byte[128];
            List<Long> signatures = new ArrayList<>();
            List<Integer> representatives = new ArrayList<>();
            for (int c = 0; c < 128; c++) {
                long signature = 0;
                for (int t = 0; t < tests.size(); t++) {
                    if (tests.get(t).test(c) == 1) {
                        signature |= 1L << t;
                    }
                }
                int index = signatures.indexOf(signature);
                if (index < 0) {
                    index = signatures.size();
                    signatures.add(signature);
                    representatives.add(c);
                }
                classOf[c] = (byte) index;
            }
            int nonAscii = signatures.size();
            int end = nonAscii + 1;
            representatives.add(0x100);
            representatives.add(-1);
            int count = end + 1;
            int[] table = new int[count * count];
            FastMatch probe = new FastMatch(0, 0);
            int[] out = new int[16];
            for (int first = 0; first < count; first++) {
                for (int second = 0; second < count; second++) {
                    int c0 = representatives.get(first);
                    int c1 = representatives.get(second);
                    String text = (c0 < 0 ? "" : String.valueOf((char) c0)) + (c0 < 0 || c1 < 0 ? "" : String.valueOf((char) c1));
                    probe.begin(text, text.length());
                    int found = 0;
                    for (CharTest[] alternative : alternatives) {
                        found = sequence(alternative, probe, 0, 0, 0, out, found);
                        if (found < 0) {
                            break;
                        }
                    }
                    table[first * count + second] = found < 0 ? -1 : pack(out, found);
                    if (found > 13) {
                        return;
                    }
                }
            }
            classes = classOf;
            classCount = count;
            pairs = table;
        }

        private static int pack(int[] lengths, int count) {
            int packed = count;
            for (int i = 0; i < count; i++) {
                packed |= lengths[i] << (4 + 2 * i);
            }
            return packed;
        }

        private int classOf(int c) {
            if (c < 0) {
                return classCount - 1;
            }
            return c < 128 ? classes[c] : classCount - 2;
        }

        /** The single character this step requires, or -1. */
        int requiredCharacter() {
            if (kind == CHARACTERS && alternatives.length == 1 && alternatives[0].length >= 1
                    && !alternatives[0][0].optional) {
                return alternatives[0][0].single();
            }
            return -1;
        }

        /**
         * Writes the candidates (a length, with a variant in the bits above 16 where the step
         * needs one) and answers their count, or -1 if a character cannot be judged.
         */
        int candidates(FastMatch match, int position, int[] out) {
            switch (kind) {
                case FIELD, CHARACTERS -> {
                    if (pairs != null) {
                        int packed = pairs[classOf(match.charAt(position)) * classCount
                                + classOf(match.charAt(position + 1))];
                        if (packed < 0) {
                            return -1;
                        }
                        int count = packed & 15;
                        for (int i = 0; i < count; i++) {
                            out[i] = (packed >>> (4 + 2 * i)) & 3;
                        }
                        return count;
                    }
                    int count = 0;
                    for (CharTest[] alternative : alternatives) {
                        count = sequence(alternative, match, position, 0, 0, out, count);
                        if (count < 0) {
                            return -1;
                        }
                    }
                    return count;
                }
                case NAMES -> {
                    return names(match, position, out);
                }
                case OPTIONAL_NAMES_SPACE -> {
                    int count = names(match, position, out);
                    if (count < 0) {
                        return -1;
                    }
                    int kept = 0;
                    for (int c = 0; c < count; c++) {
                        if (match.charAt(position + out[c]) == ' ') {
                            out[kept++] = out[c] + 1;
                        }
                    }
                    out[kept++] = 0;
                    return kept;
                }
                case OPTIONAL_SPACE_FIELD -> {
                    int count = 0;
                    if (match.charAt(position) == ' ') {
                        count = choices[0].candidates(match, position + 1, out);
                        if (count < 0) {
                            return -1;
                        }
                        for (int c = 0; c < count; c++) {
                            out[c] += 1;
                        }
                    }
                    out[count++] = 0;
                    return count;
                }
                case FRACTION -> {
                    int count = 0;
                    int lead = match.charAt(position);
                    if (lead == '.' || (flag && lead == ',')) {
                        int digits = 0;
                        while (digits < 6 && isAsciiDigit(match.charAt(position + 1 + digits))) {
                            digits++;
                        }
                        for (int d = digits; d >= 1; d--) {
                            out[count++] = 1 + d;
                        }
                    }
                    out[count++] = 0;
                    return count;
                }
                case ZONE -> {
                    return zone(match, position, out);
                }
                case SEPARATOR -> {
                    int result = alternatives[0][0].test(match.charAt(position));
                    if (result <= 0) {
                        return result;
                    }
                    out[0] = 1;
                    return 1;
                }
                case BACK_REFERENCE -> {
                    int separator = match.start(group);
                    if (separator < 0 || match.charAt(position) != match.charAt(separator)) {
                        return 0;
                    }
                    out[0] = 1;
                    return 1;
                }
                case FIELD_CHOICE -> {
                    int count = 0;
                    int[] one = match.spare;
                    for (int f = 0; f < choices.length; f++) {
                        int found = choices[f].candidates(match, position, one);
                        if (found < 0) {
                            return -1;
                        }
                        for (int c = 0; c < found; c++) {
                            out[count++] = one[c] | (f << 16);
                        }
                    }
                    return count;
                }
                default -> throw new AssertionError(kind);
            }
        }

        /** Records the groups the candidate sets (all of the step's groups, set or unset). */
        void record(FastMatch match, int position, int candidate) {
            switch (kind) {
                case FIELD, NAMES -> {
                    if (group > 0) {
                        match.set(group, position, position + candidate);
                    }
                }
                case OPTIONAL_NAMES_SPACE -> {
                    if (candidate == 0) {
                        match.unset(group);
                    } else {
                        match.set(group, position, position + candidate - 1);
                    }
                }
                case OPTIONAL_SPACE_FIELD, FRACTION -> {
                    if (candidate == 0) {
                        match.unset(group);
                    } else {
                        match.set(group, position + 1, position + candidate);
                    }
                }
                case ZONE -> {
                    if (candidate == 0) {
                        match.unset(group);
                    } else {
                        match.set(group, position + spaces(match, position), position + candidate);
                    }
                }
                case SEPARATOR -> match.set(group, position, position + 1);
                case FIELD_CHOICE -> {
                    int chosen = candidate >>> 16;
                    for (int f = 0; f < choices.length; f++) {
                        if (f == chosen) {
                            match.set(choices[f].group, position, position + (candidate & 0xFFFF));
                        } else {
                            match.unset(choices[f].group);
                        }
                    }
                }
                default -> {
                    // CHARACTERS, BACK_REFERENCE: no group
                }
            }
        }

        private int names(FastMatch match, int position, int[] out) {
            int bits = (1 << names.length) - 1;
            if (namesByFirst != null) {
                int first = match.charAt(position);
                if (first < 0) {
                    return 0;
                }
                if (first >= 0x80) {
                    return ignoreCase ? -1 : 0;
                }
                bits = namesByFirst[first];
            }
            int count = 0;
            for (; bits != 0; bits &= bits - 1) {
                String name = names[Integer.numberOfTrailingZeros(bits)];
                int result = word(match, position, name, ignoreCase);
                if (result < 0) {
                    return -1;
                }
                if (result == 1) {
                    out[count++] = name.length();
                }
            }
            return count;
        }

        /** The spaces before a zone, or -1 if one cannot be judged, or -2 if the group cannot start. */
        private int spaces(FastMatch match, int position) {
            if (!flag) {
                return match.charAt(position) == ' ' ? 1 : -2;
            }
            int count = 0;
            while (true) {
                int c = match.charAt(position + count);
                if (c == ' ' || (c >= '\t' && c <= '\r')) {
                    count++;
                } else if (c >= 0x80) {
                    return -1;
                } else {
                    return count;
                }
            }
        }

        /** {@code (?:\s*(?P<z>Z|UTC|GMT|[+-][01]\d(?::?\d{2})?))?} (one space for \s* unless {@code flag}). */
        private int zone(FastMatch match, int position, int[] out) {
            int count = 0;
            int spaces = spaces(match, position);
            if (spaces == -1) {
                return -1;
            }
            if (spaces >= 0) {
                int zone = position + spaces;
                for (String name : ZONE_NAMES) {
                    int result = word(match, zone, name, ignoreCase);
                    if (result < 0) {
                        return -1;
                    }
                    if (result == 1) {
                        out[count++] = spaces + name.length();
                    }
                }
                int sign = match.charAt(zone);
                if ((sign == '+' || sign == '-') && (match.charAt(zone + 1) == '0' || match.charAt(zone + 1) == '1')) {
                    int digit = digit(match.charAt(zone + 2));
                    if (digit < 0) {
                        return -1;
                    }
                    if (digit == 1) {
                        if (match.charAt(zone + 3) == ':') {
                            int two = twoDigits(match, zone + 4);
                            if (two < 0) {
                                return -1;
                            }
                            if (two == 1) {
                                out[count++] = spaces + 6;
                            }
                        }
                        int two = twoDigits(match, zone + 3);
                        if (two < 0) {
                            return -1;
                        }
                        if (two == 1) {
                            out[count++] = spaces + 5;
                        }
                        out[count++] = spaces + 3;
                    }
                }
            }
            out[count++] = 0;
            return count;
        }
    }

    static Step field(CharTest[][] alternatives, int group) {
        return new Step(FIELD, group, alternatives, null, false, false, null);
    }

    /** One character of a set (ASCII, as a bit mask), and whether a non-ASCII one may match. */
    private static final class CharTest {
        long low;
        long high;
        /** {@code \d}, or a letter under ignore-case: a non-ASCII character may match. */
        boolean nonAsciiUnknown;
        boolean optional;

        void add(int c) {
            if (c < 64) {
                low |= 1L << c;
            } else {
                high |= 1L << (c - 64);
            }
        }

        /** 1: matches, 0: does not, -1: cannot tell. */
        int test(int c) {
            if (c < 0) {
                return 0;
            }
            if (c < 64) {
                return (int) ((low >>> c) & 1);
            }
            if (c < 128) {
                return (int) ((high >>> (c - 64)) & 1);
            }
            return nonAsciiUnknown ? -1 : 0;
        }

        /** The one character this test accepts, or -1. */
        int single() {
            if (nonAsciiUnknown || Long.bitCount(low) + Long.bitCount(high) != 1) {
                return -1;
            }
            return low != 0 ? Long.numberOfTrailingZeros(low) : 64 + Long.numberOfTrailingZeros(high);
        }
    }

    /**
     * A sequence of single characters, some optional (greedy), as in {@code [0 ]?[1-9]} or
     * {@code 20[012]\d}: its lengths in the order the expression tries them.
     */
    private static int sequence(CharTest[] tests, FastMatch match, int position, int index, int length, int[] out,
            int count) {
        if (index == tests.length) {
            out[count] = length;
            return count + 1;
        }
        CharTest test = tests[index];
        int result = test.test(match.charAt(position));
        if (result < 0) {
            return -1;
        }
        if (result == 1) {
            count = sequence(tests, match, position + 1, index + 1, length + 1, out, count);
            if (count < 0) {
                return -1;
            }
        }
        if (test.optional) {
            count = sequence(tests, match, position, index + 1, length, out, count);
        }
        return count;
    }

    /** 1 if {@code word} is at {@code position}, 0 if not, -1 if a non-ASCII character may be it. */
    private static int word(FastMatch match, int position, String word, boolean ignoreCase) {
        for (int i = 0; i < word.length(); i++) {
            int c = match.charAt(position + i);
            char expected = word.charAt(i);
            if (c == expected) {
                continue;
            }
            if (!ignoreCase || c < 0 || !isAsciiLetter(expected)) {
                return 0;
            }
            if (c >= 0x80) {
                return -1;
            }
            if ((c | 0x20) != (expected | 0x20) || !isAsciiLetter(c)) {
                return 0;
            }
        }
        return 1;
    }

    private static int digit(int c) {
        if (c >= '0' && c <= '9') {
            return 1;
        }
        return c >= 0x80 ? -1 : 0;
    }

    private static int twoDigits(FastMatch match, int position) {
        int first = digit(match.charAt(position));
        if (first <= 0) {
            return first;
        }
        return digit(match.charAt(position + 1));
    }

    private static boolean isAsciiDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAsciiLetter(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    // ---- parsing fail2ban's expression into steps ----

    /** Reads a body made of known pieces; null at the first piece it does not know. */
    private static final class Parser {
        private static final String ZONE_GROUP = "(?P<z>Z|UTC|GMT|[+-][01]\\d(?::?\\d{2})?)";

        private final String body;
        private final boolean ignoreCase;
        private final List<String> groupNames;
        private final BitSet owned = new BitSet();
        private int position;

        Parser(String body, boolean ignoreCase, List<String> groupNames) {
            this.body = body;
            this.ignoreCase = ignoreCase;
            this.groupNames = groupNames;
        }

        Step[] parse() {
            List<Step> steps = new ArrayList<>();
            owned.set(0);
            owned.set(1);
            while (position < body.length()) {
                Step step = next();
                if (step == null) {
                    return null;
                }
                steps.add(step);
            }
            // Every group of the expression must be one the steps set.
            for (int group = 0; group < groupNames.size(); group++) {
                if (!owned.get(group)) {
                    return null;
                }
            }
            return steps.toArray(new Step[0]);
        }

        private Step next() {
            if (take("(?:\\s*" + ZONE_GROUP + ")?")) {
                return new Step(ZONE, group("z"), null, null, true, ignoreCase, null);
            }
            if (take("(?: " + ZONE_GROUP + ")?")) {
                return new Step(ZONE, group("z"), null, null, false, ignoreCase, null);
            }
            if (take("(?:\\.(?P<f>[0-9]{1,6}))?")) {
                return new Step(FRACTION, group("f"), null, null, false, false, null);
            }
            if (take("(?:[.,](?P<f>[0-9]{1,6}))?")) {
                return new Step(FRACTION, group("f"), null, null, true, false, null);
            }
            if (take("(?:T|  ?)")) {
                return new Step(CHARACTERS, -1, new CharTest[][] {tests("T"), tests("  ?")}, null, false, false, null);
            }
            if (take("(?P=_sep)")) {
                int group = groupNames.indexOf("_sep");
                return group > 0 ? new Step(BACK_REFERENCE, group, null, null, false, false, null) : null;
            }
            if (body.startsWith("(?P<_sep>", position)) {
                int close = body.indexOf(')', position);
                CharTest[] tests = close < 0 ? null : tests(body.substring(position + "(?P<_sep>".length(), close));
                if (tests == null || tests.length != 1 || tests[0].optional) {
                    return null;
                }
                position = close + 1;
                return new Step(SEPARATOR, group("_sep"), new CharTest[][] {tests}, null, false, false, null);
            }
            if (body.startsWith("(?:(?P<", position) && body.startsWith(") )?", closing(position + 3))) {
                int close = closing(position + 3);
                Step inner = namedGroup(position + 3, close + 1);
                if (inner == null || inner.kind != NAMES) {
                    return null;
                }
                position = close + ") )?".length();
                return new Step(OPTIONAL_NAMES_SPACE, inner.group, null, inner.names, false, ignoreCase, null);
            }
            if (body.startsWith("(?: (?P<", position)) {
                int close = closing(position + 4);
                if (close < 0 || !body.startsWith("))?", close)) {
                    return null;
                }
                Step inner = namedGroup(position + 4, close + 1);
                if (inner == null || inner.kind != FIELD) {
                    return null;
                }
                position = close + "))?".length();
                return new Step(OPTIONAL_SPACE_FIELD, inner.group, null, null, false, false, new Step[] {inner});
            }
            if (body.startsWith("(?:(?P<", position)) {
                // (?:(?P<Y>...)|(?P<y>...)): a choice of fields
                List<Step> fields = new ArrayList<>();
                int at = position + 3;
                while (true) {
                    int close = closing(at);
                    if (close < 0) {
                        return null;
                    }
                    Step inner = namedGroup(at, close + 1);
                    if (inner == null || inner.kind != FIELD) {
                        return null;
                    }
                    fields.add(inner);
                    at = close + 1;
                    if (body.startsWith("|(?P<", at)) {
                        at++;
                        continue;
                    }
                    if (body.startsWith(")", at)) {
                        position = at + 1;
                        return new Step(FIELD_CHOICE, -1, null, null, false, false, fields.toArray(new Step[0]));
                    }
                    return null;
                }
            }
            if (body.startsWith("(?P<", position)) {
                int close = closing(position);
                if (close < 0) {
                    return null;
                }
                Step step = namedGroup(position, close + 1);
                position = close + 1;
                return step;
            }
            // Literal characters and classes, each optionally followed by ?.
            int start = position;
            CharTest test = literal();
            if (test == null) {
                return null;
            }
            if (position < body.length() && body.charAt(position) == '?') {
                test.optional = true;
                position++;
            }
            if (position < body.length() && "*+{".indexOf(body.charAt(position)) >= 0) {
                position = start;
                return null;
            }
            return new Step(CHARACTERS, -1, new CharTest[][] {{test}}, null, false, false, null);
        }

        /** {@code (?P<name>inner)} from {@code start} to {@code end} (after the closing parenthesis). */
        private Step namedGroup(int start, int end) {
            int nameEnd = body.indexOf('>', start);
            if (!body.startsWith("(?P<", start) || nameEnd < 0 || nameEnd >= end) {
                return null;
            }
            String name = body.substring(start + 4, nameEnd);
            String inner = body.substring(nameEnd + 1, end - 1);
            int group = group(name);
            if (group < 0) {
                return null;
            }
            if (inner.matches("[a-z]+(\\|[a-z]+)*")) {
                if (inner.split("\\|").length > 16) {
                    return null;
                }
                return new Step(NAMES, group, null, inner.split("\\|"), false, ignoreCase, null);
            }
            String[] alternatives = inner.split("\\|", -1);
            CharTest[][] tests = new CharTest[alternatives.length][];
            for (int a = 0; a < alternatives.length; a++) {
                tests[a] = tests(alternatives[a]);
                if (tests[a] == null || tests[a].length == 0) {
                    return null;
                }
            }
            return field(tests, group);
        }

        /** The index of the parenthesis that closes the group opening at {@code open} (no nesting). */
        private int closing(int open) {
            int close = body.indexOf(')', open);
            int nested = body.indexOf('(', open + 1);
            return nested >= 0 && nested < close ? -1 : close;
        }

        private int group(String name) {
            int group = groupNames.indexOf(name);
            if (group > 0) {
                owned.set(group);
            }
            return group;
        }

        private boolean take(String piece) {
            if (body.startsWith(piece, position)) {
                position += piece.length();
                return true;
            }
            return false;
        }

        /** A sequence of single-character tests such as {@code [0 ]?[1-9]}, {@code 20[012]\d}, {@code \d{2}}. */
        private CharTest[] tests(String text) {
            Parser sub = new Parser(text, ignoreCase, groupNames);
            List<CharTest> tests = new ArrayList<>();
            while (sub.position < text.length()) {
                CharTest test = sub.literal();
                if (test == null) {
                    return null;
                }
                int repeat = 1;
                if (sub.position < text.length()) {
                    char quantifier = text.charAt(sub.position);
                    if (quantifier == '?') {
                        test.optional = true;
                        sub.position++;
                    } else if (quantifier == '{') {
                        int close = text.indexOf('}', sub.position);
                        String count = close < 0 ? "" : text.substring(sub.position + 1, close);
                        if (!count.matches("[1-9]")) {
                            return null;
                        }
                        repeat = Integer.parseInt(count);
                        sub.position = close + 1;
                    } else if (quantifier == '*' || quantifier == '+') {
                        return null;
                    }
                }
                for (int r = 0; r < repeat; r++) {
                    tests.add(test);
                }
            }
            return tests.toArray(new CharTest[0]);
        }

        /** One literal character, escape or class, as a test; null if it is something else. */
        private CharTest literal() {
            char c = body.charAt(position);
            CharTest test = new CharTest();
            if (c == '\\') {
                if (position + 1 >= body.length()) {
                    return null;
                }
                char escaped = body.charAt(position + 1);
                position += 2;
                switch (escaped) {
                    case 'd' -> {
                        for (char digit = '0'; digit <= '9'; digit++) {
                            test.add(digit);
                        }
                        test.nonAsciiUnknown = true;
                    }
                    case '.', '[', ']', '-', '/', ':', '(', ')', '*', '+', '?', '|', '{', '}', '$', '^', '\\', ' ',
                            '@', '<', '>', '=', ',', '#' -> addLiteral(test, escaped);
                    default -> {
                        return null;
                    }
                }
                return test;
            }
            if (c == '[') {
                int close = body.indexOf(']', position + 2);
                if (close < 0 || body.charAt(position + 1) == '^') {
                    return null;
                }
                String members = body.substring(position + 1, close);
                for (int i = 0; i < members.length(); i++) {
                    char member = members.charAt(i);
                    if (member == '\\' || member == '[') {
                        return null;
                    }
                    if (i + 2 < members.length() && members.charAt(i + 1) == '-') {
                        char high = members.charAt(i + 2);
                        if (high < member || high >= 0x80) {
                            return null;
                        }
                        for (char range = member; range <= high; range++) {
                            addLiteral(test, range);
                        }
                        i += 2;
                    } else {
                        addLiteral(test, member);
                    }
                }
                position = close + 1;
                return test;
            }
            if (c >= 0x80 || "()[]{}.*+?|^$\\".indexOf(c) >= 0) {
                return null;
            }
            position++;
            addLiteral(test, c);
            return test;
        }

        private void addLiteral(CharTest test, char c) {
            if (c >= 0x80) {
                test.nonAsciiUnknown = true;
                return;
            }
            test.add(c);
            if (ignoreCase && isAsciiLetter(c)) {
                test.add(c ^ 0x20);
                test.nonAsciiUnknown = true; // a non-ASCII letter may fold to it (Kelvin sign, long s, ...)
            }
        }
    }
}
