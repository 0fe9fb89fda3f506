package dev.bulwark.detect.time;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Random;

/**
 * Not a test: what date detection costs a line, once the detector has settled on the template
 * (the common case: the same template matches every line), for syslog, ISO 8601 and access-log
 * lines, with the default templates and with the apache/nginx filters' date pattern.
 *
 * <pre>
 * ./mvnw -q -o test-compile
 * java -cp target/test-classes:target/classes dev.bulwark.detect.time.DateDetectorMeasurement [seconds per case] [regex]
 * </pre>
 *
 * <p>With {@code regex}, the templates use java.util.regex only (no hand-written matchers), for
 * comparison.
 */
public final class DateDetectorMeasurement {
    private static final ZoneId ZONE = ZoneId.of("Europe/Zurich");
    private static final int LINES = 4096;

    private DateDetectorMeasurement() {}

    private record Case(String name, List<String> patterns, String[] lines) {}

    public static void main(String[] arguments) {
        double seconds = arguments.length > 0 ? Double.parseDouble(arguments[0]) : 3;
        boolean regexOnly = arguments.length > 1 && arguments[1].equals("regex");
        Random random = new Random(2005);
        List<String> accessPattern = List.of("^[^\\[]*\\[({DATE})", "{^LN-BEG}");
        List<Case> cases = List.of(
                new Case("syslog, default templates", List.of(), lines(random,
                        "Aug %2d %02d:%02d:%02d host sshd[%d]: Failed password for root from 192.0.2.%d port 22 ssh2")),
                new Case("syslog, {^LN-BEG}", List.of("{^LN-BEG}"), lines(random,
                        "Aug %2d %02d:%02d:%02d host sshd[%d]: Failed password for root from 192.0.2.%d port 22 ssh2")),
                new Case("ISO 8601, default templates", List.of(), lines(random,
                        "2005-08-%02d %02d:%02d:%02d,%03d fail2ban.actions [1]: NOTICE [sshd] Ban 192.0.2.%d")),
                new Case("ISO 8601 T and zone, default templates", List.of(), lines(random,
                        "2005-08-%02dT%02d:%02d:%02d.%03d+02:00 host app: auth failure from 192.0.2.%d")),
                new Case("access log, apache/nginx datepattern", accessPattern, lines(random,
                        "192.0.%d.%d - - [%02d/Aug/2005:%02d:%02d:%02d +0200] \"GET /index.php HTTP/1.1\" 404 209")),
                new Case("access log, default templates", List.of(), lines(random,
                        "192.0.%d.%d - - [%02d/Aug/2005:%02d:%02d:%02d +0200] \"GET /index.php HTTP/1.1\" 404 209")));
        Instant now = Instant.ofEpochSecond(1124013600);
        System.out.printf("%-42s %10s %12s%n", "case", "ns/line", "lines/s");
        for (Case measured : cases) {
            DateDetector detector = DateDetector.of(measured.patterns(), ZONE);
            if (regexOnly) {
                detector = detector.withRegularExpressionsOnly();
            }
            long checksum = run(detector, measured.lines(), now, 200_000);
            long lines = 0;
            long started = System.nanoTime();
            long deadline = started + (long) (seconds * 1e9);
            while (System.nanoTime() < deadline) {
                checksum += run(detector, measured.lines(), now, 100_000);
                lines += 100_000;
            }
            double nanos = (System.nanoTime() - started) / (double) lines;
            System.out.printf("%-42s %10.1f %,12.0f   (checksum %d)%n", measured.name(), nanos, 1e9 / nanos, checksum);
        }
    }

    private static long run(DateDetector detector, String[] lines, Instant now, int count) {
        long sum = 0;
        for (int i = 0; i < count; i++) {
            DateMatch match = detector.match(lines[i & (LINES - 1)], now);
            if (match == null || !match.hasTime()) {
                throw new IllegalStateException("no time in " + lines[i & (LINES - 1)] + ": " + match);
            }
            sum += match.time().getEpochSecond() + match.end();
        }
        return sum;
    }

    /** Lines of one format with varying numbers (dates, times, addresses). */
    private static String[] lines(Random random, String format) {
        String[] lines = new String[LINES];
        for (int i = 0; i < LINES; i++) {
            int[] values = {1 + random.nextInt(13), random.nextInt(24), random.nextInt(60), random.nextInt(60),
                random.nextInt(1000), 1 + random.nextInt(254), 1 + random.nextInt(254)};
            if (format.startsWith("192.0.%d")) {
                values = new int[] {random.nextInt(256), 1 + random.nextInt(254), 1 + random.nextInt(13),
                    random.nextInt(24), random.nextInt(60), random.nextInt(60)};
            }
            Object[] boxed = new Object[values.length];
            for (int v = 0; v < values.length; v++) {
                boxed[v] = values[v];
            }
            lines[i] = String.format(format, boxed);
        }
        return lines;
    }
}
