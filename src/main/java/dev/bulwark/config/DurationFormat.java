package dev.bulwark.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in the configuration: {@code 500ms}, {@code 30s}, {@code 15m}, {@code 4h}, {@code 7d},
 * {@code 1h30m}, and {@code 1w} as fail2ban users write a week.
 */
public final class DurationFormat {
    public static final String EXAMPLES = "30s, 15m, 4h, 1h30m or 7d";
    private static final Pattern WHOLE = Pattern.compile("(?:\\d{1,9}(?:ms|s|m|h|d|w))+");
    private static final Pattern PART = Pattern.compile("(\\d{1,9})(ms|s|m|h|d|w)");

    private DurationFormat() {
    }

    /** The duration the text says, or null when it is not one. */
    public static Duration parse(String text) {
        String trimmed = text.trim();
        if (!WHOLE.matcher(trimmed).matches()) {
            return null;
        }
        Duration total = Duration.ZERO;
        Matcher part = PART.matcher(trimmed);
        while (part.find()) {
            long amount = Long.parseLong(part.group(1));
            total = total.plus(switch (part.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                case "d" -> Duration.ofDays(amount);
                case "w" -> Duration.ofDays(7 * amount);
                default -> throw new IllegalStateException("unreachable: the pattern allows only these units");
            });
        }
        return total;
    }

    /** The shortest text {@link #parse} reads back as the same duration: {@code 1h12m}, {@code 500ms}, {@code 0s}. */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        StringBuilder text = new StringBuilder();
        append(text, duration.toDaysPart(), "d");
        append(text, duration.toHoursPart(), "h");
        append(text, duration.toMinutesPart(), "m");
        append(text, duration.toSecondsPart(), "s");
        append(text, duration.toMillisPart(), "ms");
        return text.toString();
    }

    private static void append(StringBuilder text, long amount, String unit) {
        if (amount != 0) {
            text.append(amount).append(unit);
        }
    }
}
