package dev.bulwark.detect.time;

import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fail2ban's time zone names: its {@code logtimezone} option (server/strptime.py's
 * {@code validateTimeZone}) and the zones a log line names through {@code %z}, {@code %Z},
 * {@code %Exz} and {@code %ExZ} ({@code zone2offset}). fail2ban knows only fixed offsets: an
 * abbreviation from its own table (CET is always +01:00, never CEST), optionally followed by an
 * offset added to it ({@code CET+0130} is +02:30), or an offset alone ({@code +01}, {@code -0430},
 * {@code +04:30}); {@code UTC}, {@code GMT} and {@code Z} are +00:00.
 */
public final class LogTimeZone {
    /** fail2ban's {@code FIXED_OFFSET_TZ_RE}, applied at the start of the name. */
    private static final Pattern FIXED_OFFSET = Pattern.compile(
            "([A-Z](?:[A-Z]{2,4})?)?([+-][01]\\d(?::?\\d{2})?)?$", Templates.FLAGS);

    /** fail2ban's {@code TZ_STR}: an offset in hours, then the abbreviations that have it. */
    private static final String[] TABLE = {
        "-12 Y",
        "-11 X NUT SST",
        "-10 W CKT HAST HST TAHT TKT",
        "-9 V AKST GAMT GIT HADT HNY",
        "-8 U AKDT CIST HAY HNP PST PT",
        "-7 T HAP HNR MST PDT",
        "-6 S CST EAST GALT HAR HNC MDT",
        "-5 R CDT COT EASST ECT EST ET HAC HNE PET",
        "-4 Q AST BOT CLT COST EDT FKT GYT HAE HNA PYT",
        "-3 P ADT ART BRT CLST FKST GFT HAA PMST PYST SRT UYT WGT",
        "-2 O BRST FNT PMDT UYST WGST",
        "-1 N AZOT CVT EGT",
        "0 Z EGST GMT UTC WET WT",
        "1 A CET DFT WAT WEDT WEST",
        "2 B CAT CEDT CEST EET SAST WAST",
        "3 C EAT EEDT EEST IDT MSK",
        "4 D AMT AZT GET GST KUYT MSD MUT RET SAMT SCT",
        "5 E AMST AQTT AZST HMT MAWT MVT PKT TFT TJT TMT UZT YEKT",
        "6 F ALMT BIOT BTT IOT KGT NOVT OMST YEKST",
        "7 G CXT DAVT HOVT ICT KRAT NOVST OMSST THA WIB",
        "8 H ACT AWST BDT BNT CAST HKT IRKT KRAST MYT PHT SGT ULAT WITA WST",
        "9 I AWDT IRKST JST KST PWT TLT WDT WIT YAKT",
        "10 K AEST ChST PGT VLAT YAKST YAPT",
        "11 L AEDT LHDT MAGT NCT PONT SBT VLAST VUT",
        "12 M ANAST ANAT FJT GILT MAGST MHT NZST PETST PETT TVT WFT",
        "13 FJST NZDT",
        "11.5 NFT",
        "10.5 ACDT LHST",
        "9.5 ACST",
        "6.5 CCT MMT",
        "5.75 NPT",
        "5.5 SLT",
        "4.5 AFT IRDT",
        "3.5 IRST",
        "-2.5 HAT NDT",
        "-3.5 HNT NST NT",
        "-4.5 HLV VET",
        "-9.5 MART MIT",
    };

    /** Abbreviation to offset in minutes. */
    private static final Map<String, Integer> ABBREVIATIONS = new HashMap<>();

    static {
        for (String line : TABLE) {
            String[] words = line.split(" ");
            int minutes = (int) (Double.parseDouble(words[0]) * 60);
            for (int i = 1; i < words.length; i++) {
                ABBREVIATIONS.put(words[i], minutes);
            }
        }
    }

    /** {@link #minutes} could not read the name: fail2ban's ValueError. */
    static final int UNKNOWN = Integer.MIN_VALUE;
    /** {@link #minutes} found an abbreviation fail2ban's table lacks: fail2ban's KeyError. */
    static final int NOT_IN_TABLE = Integer.MIN_VALUE + 1;

    private LogTimeZone() {}

    /**
     * The offset fail2ban's {@code logtimezone} option means, e.g. {@code UTC}, {@code UTC+0300},
     * {@code GMT-05}, {@code CET}, {@code +01:00}.
     *
     * @throws IllegalArgumentException naming the value when fail2ban would refuse it too
     */
    public static ZoneOffset parse(String name) {
        int minutes = minutes(name, 0, name.length());
        if (minutes == UNKNOWN) {
            throw new IllegalArgumentException("Unknown or unsupported time zone: '" + name
                    + "'; use an offset such as UTC+0200, -05:00 or an abbreviation such as CET (fixed, without DST)");
        }
        if (minutes == NOT_IN_TABLE) {
            throw new IllegalArgumentException("Unknown time zone abbreviation in '" + name
                    + "'; use an offset such as UTC+0200 or -05:00");
        }
        try {
            return ZoneOffset.ofTotalSeconds(minutes * 60);
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("time zone '" + name + "' is out of range: " + e.getMessage(), e);
        }
    }

    /**
     * fail2ban's {@code zone2offset} of {@code text[start, end)}: minutes east of UTC, or
     * {@link #UNKNOWN} or {@link #NOT_IN_TABLE}.
     */
    static int minutes(CharSequence text, int start, int end) {
        int length = end - start;
        if (length == 1 && text.charAt(start) == 'Z' || length == 3 && (regionIs(text, start, "UTC")
                || regionIs(text, start, "GMT"))) {
            return 0;
        }
        int quick = plainOffset(text, start, end);
        if (quick != UNKNOWN) {
            return quick;
        }
        Matcher matcher = FIXED_OFFSET.matcher(text).region(start, end);
        if (!matcher.lookingAt()) {
            return UNKNOWN;
        }
        Integer base = 0;
        if (matcher.start(1) >= 0) {
            base = ABBREVIATIONS.get(text.subSequence(matcher.start(1), matcher.end(1)).toString());
            if (base == null) {
                return NOT_IN_TABLE;
            }
        }
        int offsetStart = matcher.start(2);
        if (offsetStart < 0) {
            return base;
        }
        int offsetLength = matcher.end(2) - offsetStart;
        int sign = text.charAt(offsetStart) == '-' ? -1 : 1;
        int hours = digits(text, offsetStart + 1, 2);
        if (offsetLength <= 3) {
            return base + sign * hours * 60;
        }
        int minutesAt = text.charAt(offsetStart + 3) == ':' ? offsetStart + 4 : offsetStart + 3;
        return base + sign * (hours * 60 + digits(text, minutesAt, 2));
    }

    /** {@code [+-]hh}, {@code [+-]hhmm} or {@code [+-]hh:mm} in ASCII digits: minutes; else UNKNOWN. */
    private static int plainOffset(CharSequence text, int start, int end) {
        int length = end - start;
        if (length != 3 && length != 5 && length != 6) {
            return UNKNOWN;
        }
        char sign = text.charAt(start);
        if ((sign != '+' && sign != '-') || !asciiDigit(text.charAt(start + 1)) || text.charAt(start + 1) > '1'
                || !asciiDigit(text.charAt(start + 2))) {
            return UNKNOWN;
        }
        int hours = (text.charAt(start + 1) - '0') * 10 + (text.charAt(start + 2) - '0');
        int minutes = 0;
        if (length == 5 || length == 6) {
            int at = length == 6 ? start + 4 : start + 3;
            if (length == 6 && text.charAt(start + 3) != ':') {
                return UNKNOWN;
            }
            if (!asciiDigit(text.charAt(at)) || !asciiDigit(text.charAt(at + 1))) {
                return UNKNOWN;
            }
            minutes = (text.charAt(at) - '0') * 10 + (text.charAt(at + 1) - '0');
        }
        return (sign == '-' ? -1 : 1) * (hours * 60 + minutes);
    }

    private static boolean asciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean regionIs(CharSequence text, int start, String word) {
        for (int i = 0; i < word.length(); i++) {
            if (text.charAt(start + i) != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int digits(CharSequence text, int start, int count) {
        int value = 0;
        for (int i = 0; i < count; i++) {
            value = value * 10 + Character.digit(text.charAt(start + i), 10);
        }
        return value;
    }
}
