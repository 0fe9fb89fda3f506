package dev.bulwark.detect.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * The hand-written matchers against the regular expressions they stand for: on lines made to be
 * near misses (dates with characters changed, added, removed, cut, around other text, with
 * non-ASCII characters), each search must give the expression's match (same span, same time) or
 * its absence, or say it cannot tell; and a whole detector must give the same results line by
 * line with and without them.
 */
class FastDateTest {
    private static final Instant NOW = DateDetectorTest.NOW;
    private static final List<String> PATTERNS = List.of(
            "^%Y-%m-%d %H:%M:%S", "^[^\\[]*\\[({DATE})", "{UNB}%H:%M:%S", "%H:%M:%S", "^%b %d, %ExY %I:%M:%S %p",
            "^%ExY-%Exm-%Exd %H:%M:%S(?: ?%Exz)?", "^<W>{DATE}", "^L %d/%m/%Y - %H:%M:%S", "^%Y:%m:%d-%H:%M:%S",
            "{^LN-BEG}%ExY(?P<_sep>[-/.])%m(?P=_sep)%d[T ]%H:%M:%S(?:[.,]%f)?(?:\\s*%z)?", "^%B %Exd %I:%ExM:%ExS**",
            "%y %W %w %H:%M");

    private static List<DateTemplate> templates() {
        Set<DateTemplate> all = new LinkedHashSet<>(Templates.forYear(2026).defaults());
        for (String pattern : PATTERNS) {
            all.addAll(Templates.forYear(2026).forPatterns(List.of(pattern)));
        }
        List<DateTemplate> fast = new ArrayList<>();
        for (DateTemplate template : all) {
            if (template.fast != null) {
                fast.add(template);
            }
        }
        return fast;
    }

    @Test
    void mostTemplatesHaveAFastMatcherAndTheCommonOnesAStraightLineOne() {
        List<DateTemplate> defaults = Templates.forYear(2026).defaults();
        int fast = 0;
        for (DateTemplate template : defaults) {
            fast += template.fast != null ? 1 : 0;
        }
        // all but the epoch, TAI64N and zone-prefixed ones
        assertThat(fast).isEqualTo(23);
        assertThat(defaults.get(0).fast).isNotNull(); // ISO 8601, line start
        assertThat(defaults.get(1).fast).isNotNull(); // syslog, line start
        assertThat(defaults.get(4).fast).isNotNull(); // access log, line start
    }

    @Test
    void searchesGiveTheExpressionsMatchOrNone() {
        Random random = new Random(20050814);
        Strptime fromFast = new Strptime(new LocalZone(DateDetectorTest.ZONE), null);
        Strptime fromRegex = new Strptime(new LocalZone(DateDetectorTest.ZONE), null);
        List<DateTemplate> templates = templates();
        long compared = 0;
        long matches = 0;
        long straightLine = 0;
        long unknown = 0;
        long asciiUnknown = 0;
        List<String> differences = new ArrayList<>();
        for (int round = 0; round < 30_000; round++) {
            String line = round % 2 == 0 ? nearMiss(random) : plausible(random);
            int end = random.nextInt(4) == 0 ? random.nextInt(line.length() + 1) : line.length();
            int start = random.nextInt(4) == 0 ? random.nextInt(end + 1) : 0;
            String text = line.substring(0, end);
            for (DateTemplate template : templates) {
                FastMatch fast = new FastMatch(template.fast.groupCount, template.fast.steps());
                int found = template.fast.search(text, start, end, fast);
                Matcher regex = template.compiled.matcher(text);
                regex.useTransparentBounds(true).useAnchoringBounds(false).region(start, end);
                boolean regexFound = regex.find();
                compared++;
                if (found == FastDate.UNKNOWN) {
                    unknown++;
                    if (isAscii(text)) {
                        asciiUnknown++;
                    }
                    continue;
                }
                String what = template.name + " on '" + text + "' from " + start;
                if (found == FastDate.NO_MATCH) {
                    if (regexFound && differences.size() < 20) {
                        differences.add(what + ": fast found none, the expression " + regex.start(1) + ".." + regex.end(1));
                    }
                    continue;
                }
                matches++;
                straightLine += fast.parsed ? 1 : 0;
                if (!regexFound) {
                    differences.add(what + ": fast found " + fast.start(1) + ".." + fast.end(1) + ", the expression none");
                    continue;
                }
                if (fast.start() != regex.start() || fast.end() != regex.end() || fast.start(1) != regex.start(1)
                        || fast.end(1) != regex.end(1)) {
                    differences.add(what + ": fast " + fast.start() + "/" + fast.start(1) + ".." + fast.end()
                            + ", the expression " + regex.start() + "/" + regex.start(1) + ".." + regex.end());
                    continue;
                }
                if (template.kind == DateTemplate.Kind.PATTERN) {
                    int fastOutcome = fromFast.convert(text, fast, template, NOW.getEpochSecond());
                    int regexOutcome = fromRegex.convert(text, regex, template, NOW.getEpochSecond());
                    if (fastOutcome != regexOutcome
                            || (fastOutcome == Strptime.TIME && fromFast.epochSecond != fromRegex.epochSecond)) {
                        differences.add(what + ": fast time " + fastOutcome + "/" + fromFast.epochSecond
                                + ", the expression's " + regexOutcome + "/" + fromRegex.epochSecond);
                    }
                }
            }
        }
        System.out.printf("FastDateTest: %d searches, %d matches (%d by a straight-line parser), %d undecided"
                + " (%d on ASCII text)%n", compared, matches, straightLine, unknown, asciiUnknown);
        assertThat(differences).isEmpty();
        assertThat(matches).isGreaterThan(20_000);
        assertThat(straightLine).isGreaterThan(3_000);
        assertThat(asciiUnknown).as("undecided searches on ASCII text").isZero();
    }

    @Test
    void aDetectorGivesTheSameResultsWithAndWithoutFastMatchers() {
        Random random = new Random(14);
        List<List<String>> sets = new ArrayList<>();
        sets.add(List.of());
        sets.add(List.of("{^LN-BEG}"));
        sets.add(List.of("^[^\\[]*\\[({DATE})", "{^LN-BEG}"));
        sets.add(List.of("%H:%M:%S"));
        for (List<String> patterns : sets) {
            DateDetector fast = DateDetector.of(patterns, DateDetectorTest.SETTINGS);
            DateDetector slow = fast.withRegularExpressionsOnly();
            for (int i = 0; i < 6_000; i++) {
                String line = random.nextInt(3) == 0 ? nearMiss(random) : plausible(random);
                assertThat(fast.match(line, NOW)).as("%s on '%s'", patterns, line).isEqualTo(slow.match(line, NOW));
            }
        }
    }

    /** A log line of one of the common shapes, with a date that may be a little wrong. */
    static String plausible(Random random) {
        String[] shapes = {
            "%s host sshd[%d]: Failed password for root from 192.0.2.%d port 22 ssh2",
            "192.0.%d.%d - - [%s] \"GET / HTTP/1.1\" 404 209",
            "%s fail2ban.actions [%d]: NOTICE [sshd] Ban 192.0.2.%d",
            "[%s] [error] [client 192.0.2.%d] File does not exist",
            "server mysqld[%d]: %s [Warning] Access denied",
        };
        String shape = shapes[random.nextInt(shapes.length)];
        String date = date(random);
        return shape.replaceFirst("%s", date).replaceAll("%d", Integer.toString(random.nextInt(300)));
    }

    static String date(Random random) {
        String[] months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "aug",
            "AUG", "Aux"};
        String month = months[random.nextInt(months.length)];
        int year = new int[] {2004, 2005, 2019, 2026, 2031, 1999}[random.nextInt(6)];
        int monthNumber = 1 + random.nextInt(13);
        int day = random.nextInt(33);
        int hour = random.nextInt(26);
        int minute = random.nextInt(61);
        int second = random.nextInt(63);
        String fraction = new String[] {"", "", ".5", ".123", ",456", ".1234567"}[random.nextInt(6)];
        String zone = new String[] {"", "", " +0200", "+02:00", "Z", " UTC", " utc", " -05", " CEST", "  +0100",
            "\t-0700", " z", " +2300", "+20", " -9", "+01:3", " GMX"}[random.nextInt(17)];
        return switch (random.nextInt(8)) {
            case 0 -> String.format("%s %2d %02d:%02d:%02d%s", month, day, hour, minute, second, fraction);
            case 1 -> String.format("%s %s %d %d:%02d:%d %d", new String[] {"Sun", "Mon", "sat"}[random.nextInt(3)],
                    month, day, hour, minute, second, year);
            case 2 -> String.format("%d-%02d-%02d%s%02d:%02d:%02d%s%s", year, monthNumber, day,
                    new String[] {"T", " ", "  ", "t"}[random.nextInt(4)], hour, minute, second, fraction, zone);
            case 3 -> String.format("%d/%d/%d %d:%d:%d", year, monthNumber, day, hour, minute, second);
            case 4 -> String.format("%02d/%s/%d:%02d:%02d:%02d%s", day, month, year, hour, minute, second, zone);
            case 5 -> String.format("%02d-%s-%d %02d:%02d:%02d%s", day, month, year, hour, minute, second, fraction);
            case 6 -> String.format("%02d:%02d:%02d", hour, minute, second);
            default -> String.format("%02d%02d%02d %2d:%02d:%02d", year % 100, monthNumber, day, hour, minute, second);
        };
    }

    /** A date with a few characters changed, added or removed, in some text. */
    static String nearMiss(Random random) {
        String alphabet = "0123456789012345 :-/.,+TZUGMCtzugmpa[]()<>@_x\t\u00e4\u0660\u017f\u212a\u00a0";
        StringBuilder line = new StringBuilder(date(random));
        int edits = random.nextInt(4);
        for (int e = 0; e < edits && line.length() > 0; e++) {
            int at = random.nextInt(line.length());
            char c = alphabet.charAt(random.nextInt(alphabet.length()));
            switch (random.nextInt(3)) {
                case 0 -> line.setCharAt(at, c);
                case 1 -> line.insert(at, c);
                default -> line.deleteCharAt(at);
            }
        }
        String[] around = {"", "", " ", "[", "<", "x", "##", "host: ", "a1 ", "\u00e4 ", "(", "2005-08-14 "};
        return around[random.nextInt(around.length)] + line + around[random.nextInt(around.length)];
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
