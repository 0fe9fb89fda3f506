package dev.bulwark.detect.time;

import java.util.Locale;
import java.util.regex.MatchResult;

/**
 * fail2ban's {@code reGroupDictStrptime} (server/strptime.py): the fields a template's groups
 * captured, turned into an epoch second, with fail2ban's rules for what is missing (this year,
 * stepping back a year when that would be more than a day ahead of now; today, stepping back a
 * day when that would be ahead of now; midnight) and for zones (the line's, else the log's
 * default, else the local zone). Subsecond fields are read by fail2ban and dropped (its
 * {@code msec} is off), and so here.
 *
 * <p>Arithmetic only, on wall-clock seconds; the local zone's offsets come from a
 * {@link LocalZone}. A quirk kept on purpose: fail2ban compares the date, once shifted to UTC
 * by a known offset, with now as local wall-clock time; {@code now} here is likewise the local
 * zone's wall clock. One instance per detector (it keeps scratch fields): not thread-safe.
 */
final class Strptime {
    /** A time was computed: see {@link #epochSecond}. */
    static final int TIME = 0;
    /** fail2ban's ValueError: getTime answers None (the text is no valid date). */
    static final int INVALID = 1;
    /** Any other exception in fail2ban (TypeError, KeyError, AttributeError, OverflowError). */
    static final int ERROR = 2;

    private static final long NONE = Long.MIN_VALUE;
    private static final long NOT_A_NUMBER = Long.MIN_VALUE + 1;
    private static final long SECONDS_PER_DAY = 86_400;
    /** Python's {@code date(1970, 1, 1).toordinal()}. */
    private static final long EPOCH_ORDINAL = 719_163;
    /** Python's {@code date.max.toordinal()}. */
    private static final long MAX_ORDINAL = 3_652_059;

    private static final String[] MONTHS = {"", "january", "february", "march", "april", "may", "june", "july",
        "august", "september", "october", "november", "december"};
    private static final String[] MONTHS_SHORT = {"", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
        "oct", "nov", "dec"};
    private static final String[] WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
        "sunday"};
    private static final String[] WEEKDAYS_SHORT = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

    private final LocalZone local;
    /** The log's default offset in minutes ({@code logtimezone}), or {@link #NONE}. */
    private final long defaultOffset;

    /** The result of the last {@link #convert} that answered {@link #TIME}. */
    long epochSecond;

    // The fields, NONE where absent; filled by the template's groups or by a fast parser.
    long year;
    long month;
    long day;
    long hour;
    long minute;
    long second;
    long offset;
    long weekday;
    long julian;
    long weekOfYear;
    boolean weekStartsMonday;

    Strptime(LocalZone local, Integer defaultOffsetMinutes) {
        this.local = local;
        this.defaultOffset = defaultOffsetMinutes == null ? NONE : defaultOffsetMinutes;
    }

    void clear() {
        year = NONE;
        month = NONE;
        day = NONE;
        hour = 0;
        minute = 0;
        second = 0;
        offset = NONE;
        weekday = NONE;
        julian = NONE;
        weekOfYear = NONE;
        weekStartsMonday = false;
    }

    /** Reads the fields a {@code PATTERN} template captured, in group order, then computes the time. */
    int convert(CharSequence line, MatchResult match, DateTemplate template, long nowEpochSecond) {
        if (match instanceof FastMatch fast && fast.parsed) {
            return convertParsed(line, fast, nowEpochSecond);
        }
        clear();
        int[] keys = template.fieldKeys;
        int[] groups = template.fieldGroups;
        for (int i = 0; i < keys.length; i++) {
            int group = groups[i];
            int start = match.start(group);
            if (start < 0) {
                continue;
            }
            int end = match.end(group);
            int problem = readField(DateTemplate.FIELD_KEYS.charAt(keys[i]), line, start, end, match, template);
            if (problem != TIME) {
                return problem;
            }
        }
        return compute(nowEpochSecond);
    }

    /** The fields {@link CommonDates} read; in group order the zone is the last. */
    private int convertParsed(CharSequence line, FastMatch match, long nowEpochSecond) {
        clear();
        if (match.parsedYear != FastMatch.NO_YEAR) {
            year = match.parsedYear;
        }
        month = match.parsedMonth;
        day = match.parsedDay;
        hour = match.parsedHour;
        minute = match.parsedMinute;
        second = match.parsedSecond;
        if (match.zoneStart >= 0) {
            int minutes = LogTimeZone.minutes(line, match.zoneStart, match.zoneEnd);
            if (minutes == LogTimeZone.UNKNOWN) {
                return INVALID;
            }
            if (minutes == LogTimeZone.NOT_IN_TABLE) {
                return ERROR;
            }
            offset = minutes;
        }
        return compute(nowEpochSecond);
    }

    private int readField(char key, CharSequence line, int start, int end, MatchResult match, DateTemplate template) {
        switch (key) {
            case 'y' -> {
                long value = parseInt(line, start, end);
                if (value == NOT_A_NUMBER) {
                    return INVALID;
                }
                year = value <= 2000 ? value + 2000 : value;
            }
            case 'Y' -> year = parseInt(line, start, end);
            case 'm' -> month = parseInt(line, start, end);
            case 'B' -> month = indexOf(MONTHS, line, start, end);
            case 'b' -> month = indexOf(MONTHS_SHORT, line, start, end);
            case 'd' -> day = parseInt(line, start, end);
            case 'H' -> hour = parseInt(line, start, end);
            case 'I' -> {
                long value = parseInt(line, start, end);
                if (value == NOT_A_NUMBER) {
                    return INVALID;
                }
                int ampm = ampm(line, match, template.ampmGroup);
                if (ampm < 0) {
                    return ERROR; // fail2ban: None.lower(), an AttributeError
                }
                if (ampm == 0 || ampm == 1) {
                    if (value == 12) {
                        value = 0;
                    }
                } else if (ampm == 2) {
                    if (value != 12) {
                        value += 12;
                    }
                }
                hour = value;
            }
            case 'M' -> minute = parseInt(line, start, end);
            case 'S' -> second = parseInt(line, start, end);
            case 'A' -> weekday = indexOf(WEEKDAYS, line, start, end);
            case 'a' -> weekday = indexOf(WEEKDAYS_SHORT, line, start, end);
            case 'w' -> {
                long value = parseInt(line, start, end);
                if (value == NOT_A_NUMBER) {
                    return INVALID;
                }
                weekday = value - 1 < 0 ? 6 : value - 1;
            }
            case 'j' -> julian = parseInt(line, start, end);
            case 'U', 'W' -> {
                weekOfYear = parseInt(line, start, end);
                weekStartsMonday = key == 'W';
            }
            case 'z', 'Z' -> {
                int minutes = LogTimeZone.minutes(line, start, end);
                if (minutes == LogTimeZone.UNKNOWN) {
                    return INVALID;
                }
                if (minutes == LogTimeZone.NOT_IN_TABLE) {
                    return ERROR; // fail2ban: a KeyError from its abbreviation table
                }
                offset = minutes;
            }
            default -> throw new AssertionError(key);
        }
        return year == NOT_A_NUMBER || month == NOT_A_NUMBER || day == NOT_A_NUMBER || hour == NOT_A_NUMBER
                || minute == NOT_A_NUMBER || second == NOT_A_NUMBER || weekday == NOT_A_NUMBER
                || julian == NOT_A_NUMBER || weekOfYear == NOT_A_NUMBER ? INVALID : TIME;
    }

    /** 0: no {@code p} group ({@code ''}), 1: am, 2: pm, 3: something else, -1: the group did not take part. */
    private static int ampm(CharSequence line, MatchResult match, int group) {
        if (group < 0) {
            return 0;
        }
        int start = match.start(group);
        if (start < 0) {
            return -1;
        }
        int end = match.end(group);
        if (end - start == 0) {
            return 0;
        }
        if (end - start != 2 || lower(line.charAt(start + 1)) != 'm') {
            return 3;
        }
        char first = lower(line.charAt(start));
        return first == 'a' ? 1 : first == 'p' ? 2 : 3;
    }

    private static char lower(char c) {
        return c < 0x80 ? (c >= 'A' && c <= 'Z' ? (char) (c + 32) : c) : 0;
    }

    /**
     * The fields to a time, from the second half of {@code reGroupDictStrptime}. The fields must
     * be set ({@link #clear} first).
     */
    int compute(long nowEpochSecond) {
        long nowWall = NONE;
        if (nowEpochSecond == lastNow) {
            nowWall = lastNowWall;
        }
        boolean assumeYear = false;
        if (year == NONE) {
            if (nowWall == NONE) {
                nowWall = wallOf(nowEpochSecond);
            }
            year = lastNowYear;
            assumeYear = true;
        }
        if (month == NONE || day == NONE) {
            if (julian == NONE && weekOfYear != NONE && weekday != NONE) {
                if (!validYear(year)) {
                    return outOfRange(year);
                }
                julian = julianOfWeek(year, weekOfYear, weekday, weekStartsMonday);
            }
            if (julian != NONE) {
                if (!validYear(year)) {
                    return outOfRange(year);
                }
                long ordinal = julian - 1 + daysFromCivil(year, 1, 1) + EPOCH_ORDINAL;
                if (ordinal < 1 || ordinal > MAX_ORDINAL) {
                    return outOfRange(ordinal);
                }
                long date = civilOfDays(ordinal - EPOCH_ORDINAL);
                year = date >> 9;
                month = (date >> 5) & 15;
                day = date & 31;
            }
        }
        boolean assumeToday = false;
        if (month == NONE && day == NONE) {
            if (nowWall == NONE) {
                nowWall = wallOf(nowEpochSecond);
            }
            long today = civilOfDays(Math.floorDiv(nowWall, SECONDS_PER_DAY));
            month = (today >> 5) & 15;
            day = today & 31;
            assumeToday = true;
        }
        if (month == NONE || day == NONE) {
            return ERROR; // fail2ban: datetime(year, None, ...), a TypeError
        }
        int range = checkDateTime(year, month, day, hour, minute, second);
        if (range != TIME) {
            return range;
        }
        long wall = daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;
        long zone = offset != NONE ? offset : defaultOffset;
        if (zone != NONE) {
            wall -= zone * 60;
            if (!inDateTimeRange(wall)) {
                return ERROR; // fail2ban: OverflowError from the datetime arithmetic
            }
        }
        if (assumeToday || assumeYear) {
            if (nowWall == NONE) {
                nowWall = wallOf(nowEpochSecond);
            }
            if (assumeToday && wall > nowWall) {
                wall -= SECONDS_PER_DAY;
                if (!inDateTimeRange(wall)) {
                    return ERROR;
                }
            }
            if (assumeYear && wall > nowWall + SECONDS_PER_DAY) {
                // datetime.replace(year=year-1, month=month, day=day): the time of day of the
                // (possibly shifted) result, on the original month and day of the year before.
                long timeOfDay = Math.floorMod(wall, SECONDS_PER_DAY);
                long previousYear = year - 1;
                if (!validYear(previousYear) || day > daysInMonth(previousYear, month)) {
                    return INVALID;
                }
                wall = daysFromCivil(previousYear, month, day) * SECONDS_PER_DAY + timeOfDay;
            }
        }
        epochSecond = zone != NONE ? wall : local.epochOf(wall);
        return TIME;
    }

    private long lastNow = NONE;
    private long lastNowWall;
    private long lastNowYear;

    /** Now as local wall-clock seconds (fail2ban's {@code MyTime.now()}), kept for the next line. */
    private long wallOf(long nowEpochSecond) {
        if (nowEpochSecond != lastNow) {
            lastNowWall = nowEpochSecond + local.offsetAt(nowEpochSecond);
            lastNowYear = civilOfDays(Math.floorDiv(lastNowWall, SECONDS_PER_DAY)) >> 9;
            lastNow = nowEpochSecond;
        }
        return lastNowWall;
    }

    private static int checkDateTime(long year, long month, long day, long hour, long minute, long second) {
        if (!fitsInt(year) || !fitsInt(month) || !fitsInt(day) || !fitsInt(hour) || !fitsInt(minute)
                || !fitsInt(second)) {
            return ERROR; // fail2ban: OverflowError, a number too large for a C int
        }
        if (!validYear(year) || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return INVALID;
        }
        return TIME;
    }

    private static int outOfRange(long value) {
        return fitsInt(value) ? INVALID : ERROR;
    }

    private static boolean fitsInt(long value) {
        return value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE;
    }

    private static boolean validYear(long year) {
        return year >= 1 && year <= 9999;
    }

    private static final long MIN_WALL = daysFromCivil(1, 1, 1) * SECONDS_PER_DAY;
    private static final long MAX_WALL = (daysFromCivil(9999, 12, 31) + 1) * SECONDS_PER_DAY - 1;

    private static boolean inDateTimeRange(long wall) {
        return wall >= MIN_WALL && wall <= MAX_WALL;
    }

    /** Python's {@code _strptime._calc_julian_from_U_or_W}. */
    private static long julianOfWeek(long year, long weekOfYear, long dayOfWeek, boolean weekStartsMonday) {
        long firstWeekday = Math.floorMod(daysFromCivil(year, 1, 1) + 3, 7); // Monday is 0
        if (!weekStartsMonday) {
            firstWeekday = (firstWeekday + 1) % 7;
            dayOfWeek = Math.floorMod(dayOfWeek + 1, 7);
        }
        long week0Length = (7 - firstWeekday) % 7;
        if (weekOfYear == 0) {
            return 1 + dayOfWeek - firstWeekday;
        }
        return 1 + week0Length + 7 * (weekOfYear - 1) + dayOfWeek;
    }

    /** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's algorithm). */
    static long daysFromCivil(long year, long month, long day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yearOfEra = y - era * 400;
        long monthIndex = month > 2 ? month - 3 : month + 9;
        long dayOfYear = (153 * monthIndex + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }

    /** The date {@code days} after 1970-01-01, packed: year &lt;&lt; 9 | month &lt;&lt; 5 | day. */
    static long civilOfDays(long days) {
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long monthIndex = (5 * dayOfYear + 2) / 153;
        long day = dayOfYear - (153 * monthIndex + 2) / 5 + 1;
        long month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        return year << 9 | month << 5 | day;
    }

    static int daysInMonth(long year, long month) {
        return switch ((int) month) {
            case 2 -> isLeap(year) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    private static boolean isLeap(long year) {
        return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    }

    /**
     * Python's {@code int(text)}: surrounding whitespace, a sign, decimal digits of any script,
     * single underscores between digits; {@link #NOT_A_NUMBER} otherwise. Values past 18 digits
     * saturate (they fail the range checks later, as they would in fail2ban).
     */
    static long parseInt(CharSequence text, int start, int end) {
        if (end - start <= 18 && start < end) {
            long value = 0;
            int i = start;
            for (; i < end; i++) {
                char c = text.charAt(i);
                if (c < '0' || c > '9') {
                    break;
                }
                value = value * 10 + (c - '0');
            }
            if (i == end) {
                return value;
            }
        }
        return parseIntSlowly(text, start, end);
    }

    private static long parseIntSlowly(CharSequence text, int start, int end) {
        while (start < end && isSpace(text.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(text.charAt(end - 1))) {
            end--;
        }
        if (start >= end) {
            return NOT_A_NUMBER;
        }
        boolean negative = false;
        char first = text.charAt(start);
        if (first == '+' || first == '-') {
            negative = first == '-';
            start++;
        }
        if (start >= end) {
            return NOT_A_NUMBER;
        }
        long value = 0;
        boolean lastWasDigit = false;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c == '_') {
                if (!lastWasDigit || i + 1 >= end) {
                    return NOT_A_NUMBER;
                }
                lastWasDigit = false;
                continue;
            }
            int digit = c >= '0' && c <= '9' ? c - '0' : c < 0x80 ? -1 : Character.digit(c, 10);
            if (digit < 0 || (c >= 0x80 && Character.getType(c) != Character.DECIMAL_DIGIT_NUMBER)) {
                return NOT_A_NUMBER;
            }
            value = value < 100_000_000_000_000_000L ? value * 10 + digit : value;
            lastWasDigit = true;
        }
        return negative ? -value : value;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f)
                || (c >= 0x80 && (Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85));
    }

    /** The index of {@code text[start, end)} lower-cased (as Python's {@code str.lower()}) in {@code names}. */
    private static long indexOf(String[] names, CharSequence text, int start, int end) {
        int length = end - start;
        boolean ascii = true;
        for (int i = start; i < end; i++) {
            if (text.charAt(i) >= 0x80) {
                ascii = false;
                break;
            }
        }
        if (!ascii) {
            String lower = text.subSequence(start, end).toString().toLowerCase(Locale.ROOT);
            for (int index = 0; index < names.length; index++) {
                if (names[index].equals(lower)) {
                    return index;
                }
            }
            return NOT_A_NUMBER;
        }
        for (int index = 0; index < names.length; index++) {
            String name = names[index];
            if (name.length() != length) {
                continue;
            }
            boolean equal = true;
            for (int i = 0; i < length; i++) {
                if (lower(text.charAt(start + i)) != name.charAt(i)) {
                    equal = false;
                    break;
                }
            }
            if (equal) {
                return index;
            }
        }
        return NOT_A_NUMBER;
    }
}
