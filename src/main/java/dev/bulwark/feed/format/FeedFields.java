package dev.bulwark.feed.format;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What the CSV, JSON and STIX readers share: the common names of address and score columns or
 * fields, score parsing, and how much of a rejected entry a summary shows.
 */
final class FeedFields {
    /** Common names of an address column or field, normalized (see {@link #normalize}), most telling first. */
    static final List<String> ADDRESS_NAMES = List.of("ip", "ipaddress", "addr", "address", "dstip", "srcip",
            "indicator", "ioc", "value", "cidr", "network", "prefix", "range", "subnet", "host");
    /** Common names of a score column or field, normalized, most telling first. */
    static final List<String> SCORE_NAMES = List.of("score", "threatscore", "confidence", "abuseconfidencescore",
            "risk", "riskscore", "reputation");

    /** {@link #parseScore} results besides a score and {@link EntrySink#NO_SCORE}. */
    static final int SCORE_NOT_A_NUMBER = -2;
    static final int SCORE_OUT_OF_RANGE = -3;

    /** How much of a rejected row is shown. */
    static final int SHOWN_TEXT = 200;

    private FeedFields() {
    }

    /**
     * Parses a score: an integer or decimal from 0 to 100, rounded half up. Returns the score,
     * {@link EntrySink#NO_SCORE} for an empty text, or {@link #SCORE_NOT_A_NUMBER} or
     * {@link #SCORE_OUT_OF_RANGE}.
     */
    static int parseScore(byte[] bytes, int from, int to) {
        if (from == to) {
            return EntrySink.NO_SCORE;
        }
        boolean negative = bytes[from] == '-';
        int index = negative ? from + 1 : from;
        int whole = 0;
        int digits = 0;
        while (index < to && bytes[index] >= '0' && bytes[index] <= '9') {
            if (whole <= 1000) {
                whole = whole * 10 + (bytes[index] - '0');
            }
            digits++;
            index++;
        }
        int roundUp = 0;
        boolean fraction = false;
        if (index < to && bytes[index] == '.') {
            index++;
            int firstDecimal = index;
            while (index < to && bytes[index] >= '0' && bytes[index] <= '9') {
                int digit = bytes[index] - '0';
                if (index == firstDecimal && digit >= 5) {
                    roundUp = 1;
                }
                fraction |= digit != 0;
                digits++;
                index++;
            }
        }
        if (digits == 0 || index != to) {
            return SCORE_NOT_A_NUMBER;
        }
        if ((negative && (whole > 0 || fraction)) || whole > 100 || (whole == 100 && fraction)) {
            return SCORE_OUT_OF_RANGE;
        }
        return negative ? 0 : whole + roundUp;
    }

    /** Why a score was refused; {@code result} is {@link #SCORE_NOT_A_NUMBER} or {@link #SCORE_OUT_OF_RANGE}. */
    static String scoreProblem(int result, String where, String value) {
        String why = result == SCORE_OUT_OF_RANGE ? "' is out of range 0 to 100" : "' is not a number";
        return where + ": score '" + value + why;
    }

    /** A column or field name as compared: lower case, without {@code _}, {@code -} and spaces. */
    static String normalize(String name) {
        StringBuilder normalized = new StringBuilder(name.length());
        for (int index = 0; index < name.length(); index++) {
            char c = name.charAt(index);
            if (c != '_' && c != '-' && c != ' ') {
                normalized.append(Character.toLowerCase(c));
            }
        }
        return normalized.toString();
    }

    /** Text shown for a rejected entry: at most {@link #SHOWN_TEXT} bytes of it. */
    static String shorten(byte[] bytes, int from, int to) {
        if (to - from <= SHOWN_TEXT) {
            return new String(bytes, from, to - from, StandardCharsets.UTF_8);
        }
        return new String(bytes, from, SHOWN_TEXT, StandardCharsets.UTF_8) + "...";
    }

    static String shorten(String text) {
        return text.length() <= SHOWN_TEXT ? text : text.substring(0, SHOWN_TEXT) + "...";
    }
}
