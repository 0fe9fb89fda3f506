package dev.bulwark.detect.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * fail2ban's own date detector tests (fail2ban/tests/datedetectortestcase.py, 1.0.2), case by
 * case, under its test conditions: the zone CET/CEST and now 2005-08-14T10:00:00Z.
 */
class DateDetectorTest {
    /** fail2ban's test zone (CET-01CEST-02,M3.5.0,M10.5.0). */
    static final ZoneId ZONE = Fail2banTestZone.zone();
    static final Instant NOW = Instant.ofEpochSecond(1124013600);
    static final DateSettings SETTINGS = new DateSettings(ZONE, null, 2026);
    /** 2005-01-23T21:59:59 in CET, the time of most of fail2ban's samples. */
    static final long DATE_UNIX = 1106513999L;

    static DateDetector detector(String... patterns) {
        return DateDetector.of(List.of(patterns), SETTINGS);
    }

    static DateDetector defaults() {
        return DateDetector.of(List.of(), SETTINGS);
    }

    static String text(String line, DateMatch match) {
        return line.substring(match.start(), match.end());
    }

    static long epochOf(DateMatch match) {
        assertThat(match).isNotNull();
        assertThat(match.outcome()).isEqualTo(DateMatch.Outcome.TIME);
        return match.time().getEpochSecond();
    }

    static long local(int year, int month, int day, int hour, int minute, int second) {
        return LocalDateTime.of(year, month, day, hour, minute, second).atZone(ZONE).toEpochSecond();
    }

    static long utc(int year, int month, int day, int hour, int minute, int second) {
        return LocalDateTime.of(year, month, day, hour, minute, second).toEpochSecond(ZoneOffset.UTC);
    }

    @Test
    void epochWithItsVariantsBracketsAndSelinuxAudit() {
        DateDetector detector = detector("EPOCH");
        for (long dateUnix : new long[] {1138049999L, 32535244799L}) {
            for (String form : new String[] {"%s", "[%s]", "[%s.555]", "audit(%s.555:101)"}) {
                String date = form.replace("%s", Long.toString(dateUnix));
                String line = date + " [sshd] error: PAM: Authentication failure";
                DateMatch match = detector.match(line, NOW);
                assertThat(match).as(line).isNotNull();
                assertThat(match.time().getEpochSecond()).isEqualTo(dateUnix);
                assertThat(text(line, match)).isIn(Long.toString(dateUnix), dateUnix + ".555");
            }
        }
        for (String notEpoch : new String[] {"123456789", "9999999999999999", "1138049999A", "A1138049999"}) {
            for (String form : new String[] {"%s", "[%s]", "[%s.555]", "audit(%s.555:101)"}) {
                String line = form.replace("%s", notEpoch) + " [sshd] error: PAM: Authentication failure";
                assertThat(detector.match(line, NOW)).as(line).isNull();
            }
        }
    }

    @Test
    void epochFractionIsKeptToTheMicrosecond() {
        DateMatch match = detector("EPOCH").match("[1138049999.555] x", NOW);
        assertThat(match.time()).isEqualTo(Instant.ofEpochSecond(1138049999L, 555_000_000));
        match = detector("EPOCH").match("1138049999.123456 x", NOW);
        assertThat(match.time()).isEqualTo(Instant.ofEpochSecond(1138049999L, 123_456_000));
    }

    @Test
    void longEpochInSecondsMillisecondsAndMicroseconds() {
        DateDetector detector = detector("LEPOCH");
        for (long factor : new long[] {1, 1000, 1_000_000}) {
            for (long dateUnix : new long[] {1138049999L, 32535244799L}) {
                for (String form : new String[] {"%s", "[%s]", "audit(%s:101)"}) {
                    String date = Long.toString(dateUnix * factor);
                    String line = form.replace("%s", date) + " [sshd] error: PAM: Authentication failure";
                    DateMatch match = detector.match(line, NOW);
                    assertThat(match).as(line).isNotNull();
                    assertThat(match.time().getEpochSecond()).isEqualTo(dateUnix);
                    assertThat(text(line, match)).isEqualTo(date);
                }
            }
        }
        for (String notEpoch : new String[] {"123456789", "999999999999999999", "1138049999A", "A1138049999"}) {
            for (String form : new String[] {"%s", "[%s]", "[%s.555]", "audit(%s.555:101)"}) {
                String line = form.replace("%s", notEpoch) + " [sshd] error: PAM: Authentication failure";
                assertThat(detector.match(line, NOW)).as(line).isNull();
            }
        }
        assertThat(detector("LEPOCH").match("1138049999123 x", NOW).time())
                .isEqualTo(Instant.ofEpochSecond(1138049999L, 123_000_000));
        assertThat(detector("LEPOCH").match("1138049999123456 x", NOW).time())
                .isEqualTo(Instant.ofEpochSecond(1138049999L, 123_456_000));
    }

    @Test
    void epochInsideAPattern() {
        DateDetector detector = detector("(?<=\\|\\s){LEPOCH}(?=\\s\\|)");
        String date = null;
        for (long factor : new long[] {1, 1000, 1_000_000}) {
            for (long dateUnix : new long[] {1138049999L, 32535244799L}) {
                date = Long.toString(dateUnix * factor);
                String line = "auth-error | " + date + " | invalid password";
                DateMatch match = detector.match(line, NOW);
                assertThat(match).as(line).isNotNull();
                assertThat(match.time().getEpochSecond()).isEqualTo(dateUnix);
                assertThat(text(line, match)).isEqualTo(date);
            }
        }
        for (String form : new String[] {"test%s123", "test-right | %stest", "test%s | test-left"}) {
            String line = form.replace("%s", date);
            assertThat(detector.match(line, NOW)).as(line).isNull();
        }
    }

    @Test
    void syslogDateWithoutYearIsThisYearsOrLastYears() {
        String line = "Jan 23 21:59:59 [sshd] error: PAM: Authentication failure";
        DateMatch match = defaults().match(line, NOW);
        assertThat(epochOf(match)).isEqualTo(DATE_UNIX);
        assertThat(text(line, match)).isEqualTo("Jan 23 21:59:59");
        // More than a day ahead of now (2005-08-14): last year's.
        assertThat(epochOf(defaults().match("Aug 16 11:59:58 host sshd", NOW))).isEqualTo(local(2004, 8, 16, 11, 59, 58));
        // Less than a day ahead: this year's.
        assertThat(epochOf(defaults().match("Aug 15 11:59:58 host sshd", NOW))).isEqualTo(local(2005, 8, 15, 11, 59, 58));
    }

    @Test
    void defaultTimeZoneAppliesToLinesWithoutOneAndTheLinesZoneWins() {
        String date = "2017-01-23 15:00:00";
        Object[][] cases = {
            {"UTC+0300", date, utc(2017, 1, 23, 12, 0, 0)},
            {"UTC", date, utc(2017, 1, 23, 15, 0, 0)},
            {"UTC-0430", date, utc(2017, 1, 23, 19, 30, 0)},
            {"GMT+12", date, utc(2017, 1, 23, 3, 0, 0)},
            {null, date, utc(2017, 1, 23, 14, 0, 0)},
            {"CET", date, utc(2017, 1, 23, 14, 0, 0)},
            {"+0100", date, utc(2017, 1, 23, 14, 0, 0)},
            {"CEST-01", date, utc(2017, 1, 23, 14, 0, 0)},
            {"CEST", date, utc(2017, 1, 23, 13, 0, 0)},
            {"+0200", date, utc(2017, 1, 23, 13, 0, 0)},
            {"CET+01", date, utc(2017, 1, 23, 13, 0, 0)},
            {"CET+0100", date, utc(2017, 1, 23, 13, 0, 0)},
            {"CET+0130", date, utc(2017, 1, 23, 12, 30, 0)},
            {"UTC+0300", date + " GMT", utc(2017, 1, 23, 15, 0, 0)},
            {"UTC", date + " GMT", utc(2017, 1, 23, 15, 0, 0)},
            {"UTC-0430", date + " GMT", utc(2017, 1, 23, 15, 0, 0)},
            {null, date + " GMT", utc(2017, 1, 23, 15, 0, 0)},
            {"UTC", date + " -1045", utc(2017, 1, 24, 1, 45, 0)},
            {null, date + " -10:45", utc(2017, 1, 24, 1, 45, 0)},
            {"UTC", date + " +0945", utc(2017, 1, 23, 5, 15, 0)},
            {null, date + " +09:45", utc(2017, 1, 23, 5, 15, 0)},
            {"UTC+0300", date + " Z", utc(2017, 1, 23, 15, 0, 0)},
            {"GMT+12", date + " CET", utc(2017, 1, 23, 14, 0, 0)},
            {"GMT+12", date + " CEST", utc(2017, 1, 23, 13, 0, 0)},
            {"GMT+12", date + " CET+0130", utc(2017, 1, 23, 12, 30, 0)},
        };
        for (Object[] row : cases) {
            String zone = (String) row[0];
            String line = (String) row[1];
            DateSettings settings = zone == null ? SETTINGS : SETTINGS.withLogTimeZone(LogTimeZone.parse(zone));
            DateDetector detector = DateDetector.of(List.of("^%ExY-%Exm-%Exd %H:%M:%S(?: ?%Exz)?"), settings);
            assertThat(epochOf(detector.match(line, NOW))).as("%s with default zone %s", line, zone)
                    .isEqualTo((long) row[2]);
        }
        assertThatThrownBy(() -> LogTimeZone.parse("WRONG-TZ"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("WRONG-TZ");
    }

    @Test
    void variousCommonFormatsWithAndWithoutPrefixAndWordBoundary() {
        // anchored: the template is anchored (a prefix stops it); bound: the word-boundary
        // test applies; rdate: the matched text where it is not the whole date.
        Object[][] cases = {
            {false, true, "Jan 23 21:59:59", null},
            {false, false, "Sun Jan 23 21:59:59 2005", null},
            {false, false, "Sun Jan 23 21:59:59", null},
            {false, false, "Sun Jan 23 2005 21:59:59", null},
            {false, true, "2005/01/23 21:59:59", null},
            {false, true, "2005.01.23 21:59:59", null},
            {false, true, "23/01/2005 21:59:59", null},
            {false, true, "23/01/05 21:59:59", null},
            {false, true, "23/Jan/2005:21:59:59", null},
            {false, true, "23/Jan/2005:21:59:59 +0100", null},
            {false, true, "01/23/2005:21:59:59", null},
            {false, true, "2005-01-23 21:59:59", null},
            {false, true, "2005-01-23 21:59:59,000", null},
            {false, true, "23-Jan-2005 21:59:59", null},
            {false, true, "23-Jan-2005 21:59:59.02", null},
            {false, true, "23-Jan-2005 21:59:59 +0100", null},
            {false, true, "23-01-2005 21:59:59", null},
            {true, true, "1106513999", null},
            {false, true, "01-23-2005 21:59:59.252", null},
            {false, false, "@4000000041f4104f00000000", null},
            {false, true, "2005-01-23T20:59:59.252Z", null},
            {false, true, "2005-01-23T15:59:59-05:00", null},
            {false, true, "2005-01-23 21:59:59", null},
            {false, true, "20050123T215959", null},
            {false, true, "20050123 215959", null},
            {true, true, "<01/23/05@21:59:59>", null},
            {false, true, "050123 21:59:59", null},
            {true, true, "Jan-23-05 21:59:59", null},
            {false, true, "Jan 23, 2005 9:59:59 PM", null},
            {true, true, "1106513999", null},
            {true, true, "1106513999.000", null},
            {true, true, "[1106513999.000]", "1106513999.000"},
            {false, true, "audit(1106513999.000:987)", "1106513999.000"},
            {true, true, "no date line", null},
        };
        DateDetector detector = defaults();
        for (Object[] row : cases) {
            boolean anchored = (boolean) row[0];
            boolean bound = (boolean) row[1];
            String date = (String) row[2];
            String expected = row[3] != null ? (String) row[3] : date.equals("no date line") ? null : date;
            Object[][] variants = {{expected != null, ""}, {!anchored, "bogus-prefix "}, {false, "word-boundary"}};
            for (Object[] variant : variants) {
                boolean shouldMatch = (boolean) variant[0];
                String prefix = (String) variant[1];
                if (!bound && prefix.equals("word-boundary")) {
                    continue;
                }
                String line = prefix + date + "[sshd] error: PAM: Authentication failure";
                // fail2ban's test asks twice (getTime, then matchTime with getTime): both count.
                for (int call = 0; call < 2; call++) {
                    DateMatch match = detector.match(line, NOW);
                    if (shouldMatch) {
                        assertThat(match).as(line).isNotNull();
                        assertThat(epochOf(match)).as(line).isEqualTo(DATE_UNIX);
                        assertThat(text(line, match)).as(line).isEqualTo(expected);
                    } else {
                        assertThat(match == null || !match.hasTime()).as("%s gave %s", line, match).isTrue();
                    }
                }
            }
        }
    }

    @Test
    void templateNamesAreUnique() {
        assertThatThrownBy(() -> detector("%H:%M:%S", "%H:%M:%S"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("there is already a template with name 24hour:Minute:Second");
    }

    @Test
    void fullYearMatchIsNotConfusedByAYearAtTheEnd() {
        DateDetector detector = defaults();
        long expected = local(2012, 10, 11, 2, 37, 17);
        String line = "2012/10/11 02:37:17 [error] 18434#0";
        DateMatch match = detector.match(line, NOW);
        assertThat(epochOf(match)).isEqualTo(expected);
        assertThat(text(line, match)).isEqualTo("2012/10/11 02:37:17");
        for (int i = 0; i < 10; i++) {
            String other = "11/10/2012 02:37:17 [error] 18434#0";
            match = detector.match(other, NOW);
            assertThat(epochOf(match)).isEqualTo(expected);
            assertThat(text(other, match)).isEqualTo("11/10/2012 02:37:17");
        }
        match = detector.match(line, NOW);
        assertThat(epochOf(match)).isEqualTo(expected);
        assertThat(text(line, match)).isEqualTo("2012/10/11 02:37:17");
    }

    @Test
    void rawRegexTemplateGetsAGroupAndNoWordBoundsWhereAnchored() {
        DateTemplate template = templateOf("^a{3,5}b?c*$");
        assertThat(template.regex).isEqualTo("^(a{3,5}b?c*)$");
        DateMatch match = detector("^a{3,5}b?c*$").match("aaaac", NOW);
        assertThat(text("aaaac", match)).isEqualTo("aaaac");
        // No date fields at all: today (in the local zone) at midnight.
        assertThat(epochOf(match)).isEqualTo(local(2005, 8, 14, 0, 0, 0));
    }

    @Test
    void starsRemoveTheWordBoundaries() {
        String pattern = "(?iu)**time:%ExY%Exm%ExdT%ExH%ExM%ExS**";
        assertThat(templateOf(pattern).regex).doesNotContain("**");
        String date = "TIME:20050102T010203";
        assertThat(text("X" + date + "X", detector(pattern).match("X" + date + "X", NOW))).isEqualTo(date);
        assertThat(text(date, detector(pattern).match(date, NOW))).isEqualTo(date);
        assertThat(detector(pattern).match("TIME:50050102T010203", NOW)).isNull();
    }

    @Test
    void lineBeginMarkAllowsUpToTwoNonWordCharactersAndIsCaseSensitive() {
        String pattern = "{^LN-BEG}time:%ExY%Exm%ExdT%ExH%ExM%ExS";
        assertThat(templateOf(pattern).regex).contains("^");
        String date = "time:20050102T010203";
        assertThat(detector(pattern).match("X" + date, NOW)).isNull();
        assertThat(detector(pattern).match(date + "X", NOW)).isNull();
        assertThat(text("##" + date + "...", detector(pattern).match("##" + date + "...", NOW))).isEqualTo(date);
        assertThat(text(date, detector(pattern).match(date, NOW))).isEqualTo(date);
        assertThat(detector(pattern).match("TIME:20050102T010203", NOW)).isNull();
    }

    @Test
    void monthNamesSwitchOnIgnoreCase() {
        String pattern = "^%Y %b %d";
        assertThat(templateOf(pattern).regex).contains("(?iu)");
        for (String date : new String[] {"2005 jun 03", "2005 Jun 03", "2005 JUN 03"}) {
            DateMatch match = detector(pattern).match(date, NOW);
            assertThat(text(date, match)).isEqualTo(date);
            assertThat(epochOf(match)).isEqualTo(local(2005, 6, 3, 0, 0, 0));
        }
    }

    @Test
    void notAnchoredTimeMovingLeftAndRightIsFoundEachTime() {
        for (String pattern : new String[] {"%H:%M:%S", "{UNB}%H:%M:%S"}) {
            DateDetector detector = detector(pattern);
            for (String form : new String[] {"%s test", "%8s test", "test %s", "test %8s"}) {
                for (String time : new String[] {"00:01:02", "00:01:2", "00:1:2", "0:1:2", "00:1:2", "00:01:2",
                    "00:01:02", "0:1:2", "00:01:02"}) {
                    String padded = form.contains("%8s") ? " ".repeat(8 - time.length()) + time : time;
                    String line = form.replace("%8s", padded).replace("%s", padded);
                    DateMatch match = detector.match(line, NOW);
                    assertThat(epochOf(match)).as("%s in '%s'", pattern, line).isEqualTo(1123970462L);
                    assertThat(text(line, match)).isEqualTo(time);
                }
            }
        }
    }

    @Test
    void nearestDateWinsAndDatesInTheMessageAreNotTaken() {
        DateDetector detector = defaults();
        Object[][] cases = {
            {"030324  0:03:59", "some free text 030324  0:03:59 -- 2003-03-07 17:05:01 ...", 1},
            {"2003-03-07 17:05:01", "some free text 2003-03-07 17:05:01 test ...", 15},
            {"030324  0:04:00", "server mysqld[1000]: 030324  0:04:00 [Warning] Access denied ..."
                    + " foreign-input just some free text 2003-03-07 17:05:01 test", 10},
            {"Sep 16 21:30:26", "server mysqld[1020]: Sep 16 21:30:26 server mysqld: 030916 21:30:26 [Warning] Access denied", 15},
            {"2005-10-07 06:09:42", "server mysqld[5906]: 2005-10-07 06:09:42 5907 [Warning] Access denied", 20},
            {"2005-10-08T15:26:18.237955", "server mysqld[5906]: 2005-10-08T15:26:18.237955 6 [Note] Access denied", 20},
            {"051009 10:05:30", "server mysqld[1000]: 051009 10:05:30 [Warning] Access denied ...", 50},
        };
        for (Object[] row : cases) {
            String line = (String) row[1];
            for (int i = 0; i < (int) row[2]; i++) {
                DateMatch match = detector.match(line, NOW);
                assertThat(match).as(line).isNotNull();
                assertThat(text(line, match)).as("line %s, time %d", line, i).isEqualTo(row[0]);
            }
        }
    }

    @Test
    void switchingBetweenTwoFormatsKeepsFindingBoth() {
        DateDetector detector = defaults();
        int i = 0;
        Object[][] cases = {
            {"server mysqld[5906]: 2005-10-07 06:09:%02d 5907 [Warning] Access denied", 2},
            {"server mysqld[5906]: 051007 06:10:%02d 5907 [Warning] Access denied", 5},
            {"server mysqld[5906]: 2005-10-07 06:09:%02d 5907 [Warning] Access denied", 10},
        };
        for (Object[] row : cases) {
            int count = (int) row[1];
            int first = i;
            for (i = first; i < first + count + 1; i++) {
                String line = String.format((String) row[0], i);
                DateMatch match = detector.match(line, NOW);
                assertThat(match).as(line).isNotNull();
                assertThat(text(line, match)).endsWith(String.format(":%02d", i));
            }
            i--;
        }
    }

    @Test
    void wrongTemplateFailsWhenMadeNamingThePattern() {
        assertThatThrownBy(() -> detector("(%ExY%Exm%Exd"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(%ExY%Exm%Exd");
        assertThatThrownBy(() -> detector("%e %H:%M"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("may be an invalid format or unescaped percent char");
        // a conditional would number its marker group among the date's groups: refused, not misread
        assertThatThrownBy(() -> detector("(?P<b>\\[)?%H:%M:%S(?(b)\\])"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("conditional groups (?(...)...) are not supported in a date pattern");
    }

    @Test
    void iso8601WithZones() {
        DateDetector detector = detector("%Y-%m-%d[T ]%H:%M:%S(?:\\.%f)?%z");
        assertThat(epochOf(detector.match("2007-01-25T12:00:00Z", NOW))).isEqualTo(utc(2007, 1, 25, 12, 0, 0));
        assertThat(detector("%Y-%m-%d[T ]%H:%M:%S(?:\\.%f)?%z").match("", NOW)).isNull();
        assertThat(detector("%Y-%m-%d[T ]%H:%M:%S(?:\\.%f)?%z").match("Z", NOW)).isNull();
        assertThat(detector("%Y-%m-%d[T ]%H:%M:%S(?:\\.%f)?%z").match("2007-01-01T120:00:00Z", NOW)).isNull();
        assertThat(detector("%Y-%m-%d[T ]%H:%M:%S(?:\\.%f)?%z").match("2007-13-01T12:00:00Z", NOW)).isNull();
        assertThat(epochOf(detector.match("2007-01-25T12:00:00+0400", NOW))).isEqualTo(utc(2007, 1, 25, 8, 0, 0));
        assertThat(epochOf(detector.match("2007-01-25T12:00:00+04:00", NOW))).isEqualTo(utc(2007, 1, 25, 8, 0, 0));
        assertThat(epochOf(detector.match("2007-01-25T12:00:00-0400", NOW))).isEqualTo(utc(2007, 1, 25, 16, 0, 0));
        assertThat(epochOf(detector.match("2007-01-25T12:00:00-04", NOW))).isEqualTo(utc(2007, 1, 25, 16, 0, 0));
    }

    @Test
    void ambiguousDatePatterns() {
        DateDetector defaults = defaults();
        // {expected text, or expected epoch second, or false: no match, or null: matched, no time},
        // the pattern (null: the default templates), the line.
        Object[][] cases = {
            {"Jan 23 21:59:59", null, "Test failure Jan 23 21:59:59 for 192.0.2.1"},
            {false, null, "Test failure TestJan 23 21:59:59.011 2015 for 192.0.2.1"},
            {false, null, "Test failure Jan 23 21:59:59123456789 for 192.0.2.1"},
            {"Aug 8 11:25:50", null, "Aug 8 11:25:50 20030f2329b8 Authentication failed from 192.0.2.1"},
            {"Aug 8 11:25:50", null, "[Aug 8 11:25:50] 20030f2329b8 Authentication failed from 192.0.2.1"},
            {"Aug 8 11:25:50 2014", null, "Aug 8 11:25:50 2014 20030f2329b8 Authentication failed from 192.0.2.1"},
            {"20:00:00 01.02.2003", "%H:%M:%S %d.%m.%Y$", "192.0.2.1 at 20:00:00 01.02.2003"},
            {"[20:00:00 01.02.2003]", "\\[%H:%M:%S %d.%m.%Y\\]", "192.0.2.1[20:00:00 01.02.2003]"},
            {"[20:00:00 01.02.2003]", "\\[%H:%M:%S %d.%m.%Y\\]", "[20:00:00 01.02.2003]192.0.2.1"},
            {"[20:00:00 01.02.2003]", "\\[%H:%M:%S %d.%m.%Y\\]$", "192.0.2.1[20:00:00 01.02.2003]"},
            {"[20:00:00 01.02.2003]", "^\\[%H:%M:%S %d.%m.%Y\\]", "[20:00:00 01.02.2003]192.0.2.1"},
            {"[17/Jun/2011 17:00:45]", "^\\[%d/%b/%Y %H:%M:%S\\]", "[17/Jun/2011 17:00:45] Attempt, IP address 192.0.2.1"},
            {"[17/Jun/2011 17:00:45]", "\\[%d/%b/%Y %H:%M:%S\\]", "Attempt [17/Jun/2011 17:00:45] IP address 192.0.2.1"},
            {"[17/Jun/2011 17:00:45]", "\\[%d/%b/%Y %H:%M:%S\\]", "Attempt IP address 192.0.2.1, date: [17/Jun/2011 17:00:45]"},
            {false, "%H:%M:%S %d.%m.%Y", "192.0.2.1x20:00:00 01.02.2003"},
            {false, "%H:%M:%S %d.%m.%Y", "20:00:00 01.02.2003x192.0.2.1"},
            {"20:00:00 01.02.2003", "**%H:%M:%S %d.%m.%Y**", "192.0.2.1x20:00:00 01.02.2003"},
            {"20:00:00 01.02.2003", "**%H:%M:%S %d.%m.%Y**", "20:00:00 01.02.2003x192.0.2.1"},
            {"*20:00:00 01.02.2003*", "\\**%H:%M:%S %d.%m.%Y\\**", "test*20:00:00 01.02.2003*test"},
            {"20:00:00 01.02.2003", "%H:%M:%S %d.%m.%Y", "192.0.2.1 20:00:00 01.02.2003"},
            {"20:00:00 01.02.2003", "%H:%M:%S %d.%m.%Y", "20:00:00 01.02.2003 192.0.2.1"},
            {null, "%Y-%Exm-%Exd %ExH:%ExM:%ExS", "0000-12-30 00:00:00 - 2003-12-30 00:00:00"},
            {"2003-12-30 00:00:00", "%ExY-%Exm-%Exd %ExH:%ExM:%ExS", "0000-12-30 00:00:00 - 2003-12-30 00:00:00"},
            {"2003-12-30 00:00:00", null, "0000-12-30 00:00:00 - 2003-12-30 00:00:00"},
            {"200333 010203", "%Y%m%d %H%M%S", "text:200333 010203 | date:20031230 010203"},
            {"20031230 010203", "%ExY%Exm%Exd %ExH%ExM%ExS", "text:200333 010203 | date:20031230 010203"},
            {"20031230 010203", null, "text:200333 010203 | date:20031230 010203"},
            {"20030101 000000", "%ExY%Exm%Exd %ExH%ExM%ExS", "00001230 010203 - 20030101 000000"},
            {false, "{^LN-BEG}%ExY%Exm%Exd %ExH%ExM%ExS", "00001230 010203 - 20030101 000000"},
            {"20031230 010203", "{^LN-BEG}%ExY%Exm%Exd %ExH%ExM%ExS", "20031230 010203 - 20030101 000000"},
            {"20031230010203", "{^LN-BEG}%ExY%Exm%Exd%ExH%ExM%ExS**", "2003123001020320030101000000"},
            {"20031230010203", "{^LN-BEG}%ExY%Exm%Exd%ExH%ExM%ExS**", "#2003123001020320030101000000"},
            {"20031230010203", "{^LN-BEG}%ExY%Exm%Exd%ExH%ExM%ExS**", "##2003123001020320030101000000"},
            {"20031230010203", "{^LN-BEG}%ExY%Exm%Exd%ExH%ExM%ExS", "[20031230010203]20030101000000"},
            {1072746123L - 3600, "{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %z)?", "[2003-12-30 01:02:03] server ..."},
            {1072746123L - 3600, "{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %Z)?", "[2003-12-30 01:02:03] server ..."},
            {1072746123L, "{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %z)?", "[2003-12-30 01:02:03 UTC] server ..."},
            {1072746123L, "{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %Z)?", "[2003-12-30 01:02:03 UTC] server ..."},
            {1072746123L, "{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %z)?", "[2003-12-30 01:02:03 Z] server ..."},
            {1072746123L, "{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %z)?", "[2003-12-30 01:02:03 +0000] server ..."},
            {1072746123L, "{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %Z)?", "[2003-12-30 01:02:03 Z] server ..."},
        };
        for (Object[] row : cases) {
            Object expected = row[0];
            String pattern = (String) row[1];
            String line = (String) row[2];
            DateDetector detector = pattern == null ? defaults : detector(pattern);
            DateMatch match = detector.match(line, NOW);
            if (expected instanceof String date) {
                assertThat(match).as("%s in '%s'", pattern, line).isNotNull();
                assertThat(match.hasTime()).isTrue();
                assertThat(text(line, match)).as("%s in '%s'", pattern, line).isEqualTo(date);
            } else if (expected instanceof Long time) {
                assertThat(epochOf(match)).as("%s in '%s'", pattern, line).isEqualTo(time);
            } else if (expected == null) {
                assertThat(match).as("%s in '%s'", pattern, line).isNotNull();
                assertThat(match.outcome()).isEqualTo(DateMatch.Outcome.INVALID);
            } else {
                assertThat(match).as("%s in '%s'", pattern, line).isNull();
            }
        }
    }

    @Test
    void variousFormatSpecs() {
        Object[][] cases = {
            // %B (full month name) and %I (12 is 0)
            {1106438399L, "^%B %Exd %I:%ExM:%ExS**", "January 23 12:59:59"},
            // %U (week of year from Sunday) and %A (weekday)
            {985208399L, "^%y %U %A %ExH:%ExM:%ExS**", "01 11 Wednesday 21:59:59"},
            // %W (week of year from Monday) and %A
            {984603599L, "^%y %W %A %ExH:%ExM:%ExS**", "01 11 Wednesday 21:59:59"},
            // %W and %w (weekday, 0 is Sunday)
            {984949199L, "^%y %W %w %ExH:%ExM:%ExS**", "01 11 0 21:59:59"},
            // %W and %w, 6 is Saturday
            {984862799L, "^%y %W %w %ExH:%ExM:%ExS**", "01 11 6 21:59:59"},
            // time only, after now (2005-08-14 12:00 local): yesterday
            {1123963199L, "^%ExH:%ExM:%ExS**", "21:59:59"},
            // time only, before now: today
            {1123970401L, "^%ExH:%ExM:%ExS**", "00:00:01"},
            // month and day, more than a day ahead of now: last year
            {1094068799L, "^%m/%d %ExH:%ExM:%ExS**", "09/01 21:59:59"},
            // a date without a time: local midnight
            {1093989600L, "^%Y-%m-%d**", "2004-09-01"},
            {1093996800L, "^%Y-%m-%d%z**", "2004-09-01Z"},
        };
        for (Object[] row : cases) {
            String line = (String) row[2];
            assertThat(epochOf(detector((String) row[1]).match(line, NOW))).as("%s in '%s'", row[1], line)
                    .isEqualTo((long) row[0]);
        }
    }

    // Beyond fail2ban's own tests: each value below is what fail2ban 1.0.2 answers under its test
    // zone and now (run by hand through its DateDetector.matchTime and getTime).

    static DateMatch one(String pattern, String line) {
        return detector(pattern).match(line, NOW);
    }

    @Test
    void missingYearAndDayFollowFail2bansTolerances() {
        assertThat(epochOf(one("%d %b %H:%M", "14 Aug 12:00"))).isEqualTo(1124013600L);
        assertThat(epochOf(one("%d %b %H:%M", "31 Dec 23:59"))).isEqualTo(1104533940L); // last year
        assertThat(epochOf(one("%d %b %H:%M", "15 Aug 09:00"))).isEqualTo(1124089200L); // within a day ahead
        assertThat(epochOf(one("%d %b %H:%M", "16 Aug 11:00"))).isEqualTo(1092646800L); // last year
        assertThat(epochOf(one("%H:%M:%S", "11:59:59"))).isEqualTo(1124013599L); // today
        assertThat(epochOf(one("%H:%M:%S", "12:00:01"))).isEqualTo(1123927201L); // a second ahead: yesterday
        assertThat(epochOf(one("%H:%M:%S", "00:00:00"))).isEqualTo(1123970400L);
        assertThat(epochOf(one("%j %H:%M", "032 10:00"))).isEqualTo(1107248400L); // day 32 of this year
        assertThat(epochOf(one("%y", "99"))).isEqualTo(4090255200L); // fail2ban's years of two digits are 20xx
        assertThat(epochOf(one("%b %d %Y", "Feb 29 2004"))).isEqualTo(1078009200L);
    }

    @Test
    void zoneShiftedDatesKeepFail2bansQuirks() {
        // Compared with now as local time although shifted to UTC: a day ahead of local now is
        // 13:00 UTC-naive, so 12:00 -01:00 is last year's.
        assertThat(epochOf(one("^%b %d %H:%M:%S %z", "Aug 15 11:00:00 -0100"))).isEqualTo(1124107200L);
        assertThat(epochOf(one("^%b %d %H:%M:%S %z", "Aug 15 12:00:00 -0100"))).isEqualTo(1092574800L);
        // Last year's date takes the month and day of the line but the time of the shifted date.
        assertThat(epochOf(one("^%b %d %H:%M:%S %z", "Dec 31 23:30:00 -0100"))).isEqualTo(1104453000L);
        assertThat(epochOf(one("^%b %d %H:%M:%S %z", "Jan 01 00:30:00 +0200"))).isEqualTo(1104532200L);
        DateSettings utc = SETTINGS.withLogTimeZone(ZoneOffset.UTC);
        assertThat(epochOf(DateDetector.of(List.of("^%H:%M:%S"), utc).match("11:30:00", NOW))).isEqualTo(1124019000L);
        assertThat(epochOf(DateDetector.of(List.of("^%b %d %H:%M:%S"), utc).match("Aug 15 11:00:01", NOW)))
                .isEqualTo(1124103601L);
        assertThat(epochOf(one("^%b %d %H:%M:%S", "Aug 15 12:00:01"))).isEqualTo(1092564001L);
        assertThat(epochOf(one("^%H:%M:%S %Z", "10:00:00 CEST"))).isEqualTo(1124006400L);
    }

    @Test
    void aDateThatIsNoValidTimeIsInvalid() {
        for (String[] row : new String[][] {
            {"%b %d %Y", "Feb 30 2004"}, {"%Y-%m-%d %H:%M:%S", "2004-02-29 23:59:60"}, {"%b %d", "Feb 29"},
            {"%Y-%Exm-%Exd", "0000-12-30"}, {"^%b %d %H:%M:%S %Z", "Aug 14 10:00:00 error"},
        }) {
            DateMatch match = one(row[0], row[1]);
            assertThat(match).as("%s on %s", row[0], row[1]).isNotNull();
            assertThat(match.outcome()).as("%s on %s", row[0], row[1]).isEqualTo(DateMatch.Outcome.INVALID);
            assertThat(match.time()).isNull();
            assertThat(match.end()).isGreaterThan(match.start());
        }
    }

    @Test
    void whereFail2banRaisesTheOutcomeIsFailed() {
        // TypeError (a month without a day), AttributeError (%I with %p absent), KeyError (an
        // abbreviation fail2ban's table lacks), IndexError (an empty date on an empty line).
        for (String[] row : new String[][] {
            {"%b %Y", "Aug 2005"}, {"%I:%M(?: %p)?", "11:30"}, {"^%H:%M:%S %Z", "10:00:00 ABC"}, {"{NONE}", ""},
        }) {
            DateMatch match = one(row[0], row[1]);
            assertThat(match).as("%s on '%s'", row[0], row[1]).isNotNull();
            assertThat(match.outcome()).as("%s on '%s'", row[0], row[1]).isEqualTo(DateMatch.Outcome.FAILED);
        }
        assertThat(epochOf(one("%I:%M(?: %p)?", "11:30 PM"))).isEqualTo(1123968600L);
        assertThat(epochOf(one("%I:%M(?: %p)?", "12:30 am"))).isEqualTo(1123972200L);
    }

    @Test
    void noneMatchesAnEmptyDateAndNoMatchIsNull() {
        DateMatch empty = one("{NONE}", "Failed password for root from 192.0.2.1");
        assertThat(empty.outcome()).isEqualTo(DateMatch.Outcome.EMPTY);
        assertThat(empty.start()).isZero();
        assertThat(empty.end()).isZero();
        assertThat(empty.hasTime()).isFalse();
        assertThat(defaults().match("Failed password for root from 192.0.2.1", NOW)).isNull();
        assertThat(defaults().match("", NOW)).isNull();
    }

    @Test
    void datePatternOptionIsSplitAsFail2banSplitsIt() {
        assertThat(DateDetector.splitDatePattern("^[^\\[]*\\[({DATE})\n              {^LN-BEG}\n\n"))
                .containsExactly("^[^\\[]*\\[({DATE})", "{^LN-BEG}");
        assertThat(DateDetector.splitDatePattern("  \n ")).isEmpty();
    }

    @Test
    void defaultTemplatesAreFail2bansInItsOrder() {
        List<String> names = defaults().templateNames();
        assertThat(names).hasSize(31);
        assertThat(names.get(0)).isEqualTo("{^LN-BEG}ExYear(?P<_sep>[-/.])Month(?P=_sep)Day(?:T|  ?)24hour:Minute:Second"
                + "(?:[.,]Microseconds)?(?:\\s*Zone offset)?");
        assertThat(names.get(30)).isEqualTo("TAI64N");
        assertThat(detector("{^LN-BEG}").templateNames()).hasSize(17);
        assertThat(detector("{DEFAULT}").templateNames()).hasSize(31);
        assertThat(detector("%H:%M:%S", "{DEFAULT}").templateNames()).containsExactly("24hour:Minute:Second");
    }

    @Test
    void aTemplateThatKeepsMatchingMovesToTheFrontAndFreshForgetsIt() {
        DateDetector detector = defaults();
        String line = "Aug 14 11:59:58 host sshd[1]: Failed password";
        for (int i = 0; i < 3; i++) {
            detector.match(line, NOW);
        }
        assertThat(detector.templateNames().get(0)).startsWith("{^LN-BEG}(?:DAY )?MON Day %k");
        assertThat(detector.fresh().templateNames().get(0)).startsWith("{^LN-BEG}ExYear");
        assertThat(epochOf(detector.fresh().match(line, NOW))).isEqualTo(local(2005, 8, 14, 11, 59, 58));
    }

    @Test
    void exactYearFollowsTheYearFail2banStartedIn() {
        String line = "2030-01-02 03:04:05 x";
        assertThat(DateDetector.of(List.of(), new DateSettings(ZONE, null, 2026)).match(line, NOW)).isNull();
        DateDetector later = DateDetector.of(List.of(), new DateSettings(ZONE, null, 2027));
        assertThat(epochOf(later.match(line, NOW))).isEqualTo(local(2030, 1, 2, 3, 4, 5));
        assertThat(TimeDirectives.centuries(2026)).isEqualTo("20[012]");
        assertThat(TimeDirectives.centuries(2027)).isEqualTo("20[0123]");
    }

    static DateTemplate templateOf(String pattern) {
        return Templates.forYear(2026).forPatterns(List.of(pattern)).get(0);
    }
}
