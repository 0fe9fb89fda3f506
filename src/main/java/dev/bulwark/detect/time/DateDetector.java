package dev.bulwark.detect.time;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;

/**
 * Finds the date in a log line the way fail2ban 1.0.2 does (server/datedetector.py,
 * datetemplate.py, strptime.py): the same templates in the same order, the same search for the
 * template that fits, the same reordering by hits, the same span cut out of the line and the
 * same time.
 *
 * <p>A detector is <b>stateful</b>: like fail2ban's, it remembers the template that matched the
 * last line and where, tries that one first, and moves templates that keep matching towards the
 * front. Lines must be given in log order, and the result for a line can depend on the lines
 * before it (only where several templates could match it). It is <b>not thread-safe</b>: use one
 * per filter per thread; {@link #fresh()} gives another with the same compiled templates and no
 * history, cheaply.
 *
 * <p>Call it as fail2ban's filter calls {@code matchTime} and then {@code getTime}: once per line,
 * in order, with the time the line is read. That "now" decides the year of a date without one
 * and the day of a time without a date (fail2ban's {@code MyTime.now()}), and is the time a
 * template was last used for the reordering (fail2ban's {@code time.time()}: a template unused
 * for five minutes may be displaced).
 *
 * <p>Where fail2ban keeps state per process, a detector keeps it for itself: a template's "has
 * ever matched" (fail2ban counts it on templates its cache shares between all filters) and glibc's
 * guess for local times the fall-back hour repeats (see {@link LocalZone}). So a detector behaves
 * as fail2ban does with that filter alone in its process.
 */
public final class DateDetector {
    /** fail2ban's {@code __unusedTime}: a template unused this long may be displaced. */
    private static final double UNUSED_SECONDS = 300;
    private static final int NOWHERE = 0x7fffffff;

    private final List<DateTemplate> templates;
    private final DateSettings settings;
    /** Whether templates use their hand-written matchers (off only to test them against the expressions). */
    private final boolean fastMatchers;
    private final Slot[] slots;
    private final Strptime strptime;

    private int lastIndex = NOWHERE;
    private int firstUnused;
    // fail2ban's __lastPos and __lastEndPos: where the last date was and the characters around
    // it (-1 for none).
    private int lastStart = 1;
    private int lastBefore = -1;
    private int lastAt = -1;
    private int lastEnd = NOWHERE;
    private int lastEndChar = -1;
    private int lastAfterEnd = -1;

    /** One template in this detector's order, with its counts (fail2ban's DateDetectorTemplate). */
    private static final class Slot {
        final DateTemplate template;
        final Matcher matcher;
        /** The hand-written matcher's result, for templates that have one. */
        final FastMatch fastMatch;
        int hits;
        double lastUsed;
        int distance = NOWHERE;
        /** fail2ban's {@code template.hits}: the template's expression has matched at all. */
        boolean matchedEver;

        /** The hand-written matcher, or null. */
        final FastDate fast;

        Slot(DateTemplate template, boolean fastMatchers) {
            this.template = template;
            this.matcher = template.compiled.matcher("");
            matcher.useTransparentBounds(true);
            matcher.useAnchoringBounds(false);
            fast = fastMatchers ? template.fast : null;
            fastMatch = fast == null ? null : new FastMatch(fast.groupCount, fast.steps());
        }

        double weight() {
            return hits * template.weight / Math.max(1, distance);
        }
    }

    private DateDetector(List<DateTemplate> templates, DateSettings settings, boolean fastMatchers) {
        this.templates = templates;
        this.settings = settings;
        this.fastMatchers = fastMatchers;
        this.slots = new Slot[templates.size()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot(templates.get(i), fastMatchers);
        }
        Integer defaultOffset = settings.logTimeZone() == null ? null : settings.logTimeZone().getTotalSeconds() / 60;
        this.strptime = new Strptime(new LocalZone(settings.localZone()), defaultOffset);
    }

    /**
     * fail2ban's default templates (a filter without {@code datepattern}), lines without a zone
     * in {@code zone}. {@code %ExY}'s years are those of the system clock's year.
     */
    public static DateDetector defaults(ZoneId zone) {
        return of(List.of(), DateSettings.of(zone, Clock.systemUTC()));
    }

    /**
     * The templates of a filter's {@code datepattern} lines (see {@link #splitDatePattern}), lines
     * without a zone in {@code zone}; no lines: the default templates.
     *
     * @throws IllegalArgumentException naming the pattern, for one that fail2ban would refuse
     */
    public static DateDetector of(List<String> datePatterns, ZoneId zone) {
        return of(datePatterns, DateSettings.of(zone, Clock.systemUTC()));
    }

    /**
     * The templates of a filter's {@code datepattern} lines with explicit settings.
     *
     * @throws IllegalArgumentException naming the pattern, for one that fail2ban would refuse
     */
    public static DateDetector of(List<String> datePatterns, DateSettings settings) {
        requireNonNull(datePatterns, "datePatterns is null");
        requireNonNull(settings, "settings is null");
        List<String> patterns = new ArrayList<>(datePatterns.size());
        for (String pattern : datePatterns) {
            requireNonNull(pattern, "a date pattern is null");
            patterns.add(pattern);
        }
        return new DateDetector(Templates.forYear(settings.currentYear()).forPatterns(patterns), settings, true);
    }

    /** The same detector without the hand-written matchers: for tests that hold them to the expressions. */
    DateDetector withRegularExpressionsOnly() {
        return new DateDetector(templates, settings, false);
    }

    /**
     * A {@code datepattern} option's value as fail2ban's {@code setDatePattern} splits it: one
     * pattern a line, stripped, empty lines dropped.
     */
    public static List<String> splitDatePattern(String value) {
        List<String> patterns = new ArrayList<>();
        for (String line : value.split("\n+")) {
            String pattern = Templates.pythonStrip(line);
            if (!pattern.isEmpty()) {
                patterns.add(pattern);
            }
        }
        return patterns;
    }

    /** Another detector with the same templates and settings, as this one was before any line. */
    public DateDetector fresh() {
        return new DateDetector(templates, settings, fastMatchers);
    }

    /** The names of the templates (fail2ban's), in the order they are tried now. */
    public List<String> templateNames() {
        List<String> names = new ArrayList<>(slots.length);
        for (Slot slot : slots) {
            names.add(slot.template.name);
        }
        return names;
    }

    /**
     * The date of {@code line}, read at {@code now}: null when no template matches (the line has
     * no date); else where the date is and what it gave.
     */
    public DateMatch match(String line, Instant now) {
        MatchResult match = matchTime(line, now);
        if (match == null) {
            return null;
        }
        int start = match.start(1);
        int end = match.end(1);
        if (failedIndex) {
            return new DateMatch(start, end, null, DateMatch.Outcome.FAILED);
        }
        if (start == end) {
            return new DateMatch(start, end, null, DateMatch.Outcome.EMPTY);
        }
        return convert(line, match, winner, now);
    }

    /** Set by {@link #matchTime} with its result: the template that won. */
    private DateTemplate winner;
    /** Set by {@link #matchTime}: fail2ban raised an IndexError after choosing the template. */
    private boolean failedIndex;

    /** fail2ban's {@code DateDetector.matchTime}. */
    private MatchResult matchTime(String line, Instant now) {
        int length = line.length();
        int count = slots.length;
        failedIndex = false;
        MatchResult match = null;
        Slot slot = null;
        MatchResult found = null;
        int foundDistance = NOWHERE;
        int foundIndex = -1;
        int ignoreBySearch = NOWHERE;
        int i = lastIndex;
        if (i < count) {
            slot = slots[i];
            if (slot.template.anchored()) {
                match = search(slot, line, 0, length);
                ignoreBySearch = i;
            } else if ((charAt(line, lastStart - 1) == lastBefore
                            || (charAt(line, lastStart) == lastAt && !isAlphanumeric(lastAt)))
                    && (charAt(line, lastEnd) == lastAfterEnd
                            || (charAt(line, lastEnd - 1) == lastEndChar && !isAlphanumeric(lastEndChar)))) {
                match = search(slot, line, lastStart, lastEnd);
            } else {
                match = search(slot, line, 0, length);
                ignoreBySearch = i;
            }
            if (match != null && !(count == 1 || slot.template.anchored()
                    || (match.start() == lastStart && match.end() == lastEnd))) {
                // The last template matched elsewhere: keep it as the best so far and search.
                found = snapshot(match);
                foundDistance = found.start();
                foundIndex = i;
                match = null;
            }
        }
        if (match == null) {
            for (i = 0; i < count; i++) {
                if (i == ignoreBySearch) {
                    continue;
                }
                slot = slots[i];
                match = search(slot, line, 0, length);
                if (match == null) {
                    continue;
                }
                int distance = match.start();
                if (i + 1 >= count || slot.template.anchored()) {
                    break;
                }
                if (distance == 0 && slot.hits > 0 && !slots[i + 1].matchedEver) {
                    break;
                }
                if (distance > slot.distance || distance > lastStart) {
                    // Maybe a date in the message's body: keep the nearest, search further.
                    if (distance < foundDistance) {
                        found = snapshot(match);
                        foundDistance = distance;
                        foundIndex = i;
                    }
                    match = null;
                    continue;
                }
                break;
            }
            if (match == null && found != null) {
                match = found;
                i = foundIndex;
                slot = slots[i];
            }
        }
        if (match == null) {
            return null;
        }
        int distance = match.start();
        int end = match.end();
        slot.hits++;
        slot.lastUsed = now.getEpochSecond() + now.getNano() / 1e9;
        slot.distance = distance;
        if (firstUnused == i) {
            firstUnused++;
        }
        winner = slot.template;
        if (distance >= length) {
            // fail2ban reads line[distance] here and fails with an IndexError (an empty date at
            // the end of the line, or any date on an empty line), before it records the position.
            failedIndex = true;
            return match;
        }
        lastStart = distance;
        lastBefore = charAt(line, distance - 1);
        lastAt = line.charAt(distance);
        lastEnd = end;
        lastEndChar = end == 0 ? line.charAt(length - 1) : line.charAt(end - 1);
        lastAfterEnd = charAt(line, end);
        if (i != 0 && i != lastIndex) {
            i = reorder(i);
        }
        lastIndex = i;
        return match;
    }

    /**
     * fail2ban's {@code template.matchDate(line, pos, endpos)}: Python's {@code search} from
     * {@code start}, in the line as if it ended at {@code end}; lookbehinds and {@code \b} see the
     * characters before {@code start}, {@code ^} does not match there.
     */
    private static MatchResult search(Slot slot, String line, int start, int end) {
        int length = line.length();
        if (end > length) {
            end = length;
        }
        if (start > end) {
            return null;
        }
        FastDate fast = slot.fast;
        if (fast != null) {
            int found = fast.search(line, start, end, slot.fastMatch);
            if (found == FastDate.MATCH) {
                slot.matchedEver = true;
                return slot.fastMatch;
            }
            if (found == FastDate.NO_MATCH) {
                return null;
            }
        }
        Matcher matcher = slot.matcher;
        matcher.reset(end == length ? line : line.substring(0, end));
        if (start > 0) {
            matcher.region(start, end);
        }
        if (!matcher.find()) {
            return null;
        }
        slot.matchedEver = true;
        return matcher;
    }

    private static MatchResult snapshot(MatchResult match) {
        if (match instanceof FastMatch fast) {
            return fast.copy();
        }
        return match instanceof Matcher matcher ? matcher.toMatchResult() : match;
    }

    /** fail2ban's {@code _reorderTemplate}: moves a template that keeps matching towards the front. */
    private int reorder(int index) {
        Slot slot = slots[index];
        double unused = slot.lastUsed - UNUSED_SECONDS;
        double weight = slot.weight();
        int position = firstUnused < index ? firstUnused : index / 2;
        if (!movable(position, weight, unused)) {
            if (position == index - 1) {
                return index;
            }
            position = index - 1;
            if (!movable(position, weight, unused)) {
                return index;
            }
        }
        System.arraycopy(slots, position, slots, position + 1, index - position);
        slots[position] = slot;
        while (firstUnused < slots.length && slots[firstUnused].hits > 0) {
            firstUnused++;
        }
        return position;
    }

    private boolean movable(int position, double weight, double unused) {
        Slot other = slots[position];
        return weight > other.weight() || unused > other.lastUsed;
    }

    /** fail2ban's {@code template.getDate(...)} through {@code getTime}. */
    private DateMatch convert(String line, MatchResult match, DateTemplate template, Instant now) {
        int start = match.start(1);
        int end = match.end(1);
        switch (template.kind) {
            case PATTERN -> {
                int outcome = strptime.convert(line, match, template, now.getEpochSecond());
                return switch (outcome) {
                    case Strptime.TIME -> new DateMatch(start, end, Instant.ofEpochSecond(strptime.epochSecond),
                            DateMatch.Outcome.TIME);
                    case Strptime.INVALID -> new DateMatch(start, end, null, DateMatch.Outcome.INVALID);
                    default -> new DateMatch(start, end, null, DateMatch.Outcome.FAILED);
                };
            }
            case EPOCH, LONG_EPOCH -> {
                Instant time = epoch(line, match.start(template.valueGroup), match.end(template.valueGroup),
                        template.kind == DateTemplate.Kind.LONG_EPOCH);
                return time == null ? new DateMatch(start, end, null, DateMatch.Outcome.FAILED)
                        : new DateMatch(start, end, time, DateMatch.Outcome.TIME);
            }
            case TAI64N -> {
                // fail2ban: int(value[2:17], 16), the seconds without the leading 4 of the label.
                long seconds = 0;
                for (int i = start + 2; i < start + 17; i++) {
                    seconds = seconds * 16 + Character.digit(line.charAt(i), 16);
                }
                return new DateMatch(start, end, Instant.ofEpochSecond(seconds), DateMatch.Outcome.TIME);
            }
        }
        throw new AssertionError(template.kind);
    }

    /**
     * fail2ban's epoch value: seconds with an optional fraction; in the long form 13 digits or
     * more are milliseconds (with an optional fraction), 16 or more without a point microseconds.
     */
    private static Instant epoch(String line, int start, int end, boolean longForm) {
        if (start < 0) {
            return null; // fail2ban: float(None), a TypeError
        }
        int point = -1;
        for (int i = start; i < end; i++) {
            if (line.charAt(i) == '.') {
                point = i;
                break;
            }
        }
        int integerEnd = point < 0 ? end : point;
        long integer = 0;
        for (int i = start; i < integerEnd; i++) {
            integer = integer * 10 + Character.digit(line.charAt(i), 10);
        }
        // The fraction's digits as nanoseconds of the unit (at most 6 digits: a whole number of ns).
        long fraction = 0;
        int fractionDigits = 0;
        if (point >= 0) {
            for (int i = point + 1; i < end && fractionDigits < 9; i++, fractionDigits++) {
                fraction = fraction * 10 + Character.digit(line.charAt(i), 10);
            }
            for (int digits = fractionDigits; digits < 9; digits++) {
                fraction *= 10;
            }
        }
        int length = end - start;
        if (longForm && length >= 13) {
            if (length >= 16 && point < 0) {
                return Instant.ofEpochSecond(integer / 1_000_000, (integer % 1_000_000) * 1_000);
            }
            return Instant.ofEpochSecond(integer / 1_000, (integer % 1_000) * 1_000_000 + fraction / 1_000);
        }
        return Instant.ofEpochSecond(integer, fraction);
    }

    private static int charAt(String line, int index) {
        return index >= 0 && index < line.length() ? line.charAt(index) : -1;
    }

    /** Python's {@code str.isalnum()} for one character. */
    private static boolean isAlphanumeric(int c) {
        if (c < 0) {
            return false;
        }
        if (c < 0x80) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        }
        int type = Character.getType(c);
        return Character.isLetter(c) || type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }
}
