package dev.bulwark.detect.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bulwark's date detection against fail2ban's own, line by line: the golden file holds what
 * fail2ban 1.0.2's DateDetector found (span and time) on every line of every one of its test
 * logs, for the default templates and every {@code datepattern} of its filters (made by
 * scripts/fail2ban-dates-golden.py). The logs are read from the installed fail2ban package.
 */
class DateDetectorGoldenTest {
    static final Path FAIL2BAN_LOGS = Path.of("/usr/lib/python3/dist-packages/fail2ban/tests/files/logs");
    private static final String GOLDEN = "fail2ban-dates.golden";
    /** fail2ban's test zone, CET-01CEST-02,M3.5.0,M10.5.0. */
    static final ZoneId TEST_ZONE = Fail2banTestZone.zone();
    /** fail2ban's test "now", 2005-08-14T10:00:00Z. */
    static final Instant TEST_NOW = Instant.ofEpochSecond(1124013600);

    /** A run over all files' lines, one after the other, to one detector. */
    private static final int ALL_FILES = -1;

    private record Run(int set, int file, List<String> expected) {}

    @Test
    void everyLineOfFail2bansTestLogsGetsFail2bansSpanAndTime() throws IOException {
        assumeTrue(Files.isDirectory(FAIL2BAN_LOGS),
                "fail2ban is not installed (no " + FAIL2BAN_LOGS + "): apt-get install fail2ban");
        int year = 0;
        List<JsonNode> sets = new ArrayList<>();
        List<List<String>> files = new ArrayList<>();
        List<String> fileNames = new ArrayList<>();
        List<Run> runs = new ArrayList<>();
        JsonMapper json = JsonMapper.builder().build();
        try (BufferedReader reader = golden()) {
            Run run = null;
            for (String row; (row = reader.readLine()) != null; ) {
                if (row.startsWith("#")) {
                    continue;
                }
                String[] fields = row.split("\t", -1);
                switch (fields[0]) {
                    case "year" -> year = Integer.parseInt(fields[1]);
                    case "set" -> sets.add(json.readTree(fields[2]));
                    case "file" -> {
                        if (fields[2].equals("(synthetic)")) {
                            fileNames.add(fields[2]);
                            files.add(new ArrayList<>());
                            continue;
                        }
                        Path path = FAIL2BAN_LOGS.resolve(fields[2]);
                        byte[] bytes = Files.readAllBytes(path);
                        assertThat(sha256(bytes))
                                .as("%s differs from the file the golden file was made from: another fail2ban "
                                        + "version? Re-run scripts/fail2ban-dates-golden.py", path)
                                .isEqualTo(fields[3]);
                        fileNames.add(fields[2]);
                        files.add(lines(bytes));
                    }
                    case "line" -> files.get(files.size() - 1).add(row.substring("line\t".length()));
                    case "run" -> {
                        int file = fields[2].equals("*") ? ALL_FILES : Integer.parseInt(fields[2]);
                        run = new Run(Integer.parseInt(fields[1]), file, new ArrayList<>());
                        runs.add(run);
                    }
                    default -> run.expected().add(row);
                }
            }
        }

        int lines = 0;
        int agreed = 0;
        List<String> differences = new ArrayList<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        for (Run run : runs) {
            JsonNode set = sets.get(run.set());
            DateDetector detector = detector(set, year);
            List<String> fileLines = run.file() == ALL_FILES ? all(files) : files.get(run.file());
            assertThat(run.expected()).hasSameSizeAs(fileLines);
            for (int number = 0; number < fileLines.size(); number++) {
                String line = fileLines.get(number);
                // fail2ban's exception type, where getTime raised one, is not Bulwark's to model.
                String expected = run.expected().get(number).replaceFirst("\t(error):\\w+$", "\t$1");
                String actual = result(line, detector.match(line, TEST_NOW), expected);
                lines++;
                outcomes.merge(kind(run.expected().get(number)), 1, Integer::sum);
                if (actual.equals(expected)) {
                    agreed++;
                } else if (differences.size() < 40) {
                    differences.add("set " + run.set() + " " + set + ", "
                            + (run.file() == ALL_FILES ? "all files" : fileNames.get(run.file())) + ":"
                            + (number + 1) + "\n    line:     " + line + "\n    fail2ban: " + expected
                            + "\n    bulwark:  " + actual);
                }
            }
        }
        System.out.printf("DateDetectorGoldenTest: %d of %d lines agree (%d runs of %d pattern sets over %d files);"
                + " fail2ban's results: %s%n", agreed, lines, runs.size(), sets.size(), files.size(), outcomes);
        assertThat(differences).as("lines where Bulwark and fail2ban differ (%d of %d agree)", agreed, lines)
                .isEmpty();
        assertThat(lines).isGreaterThan(200_000);
    }

    private static List<String> all(List<List<String>> files) {
        List<String> all = new ArrayList<>();
        for (List<String> file : files) {
            all.addAll(file);
        }
        return all;
    }

    private static DateDetector detector(JsonNode set, int year) {
        DateSettings settings = new DateSettings(TEST_ZONE, null, year);
        JsonNode zone = set.path("logtimezone");
        if (zone.isString()) {
            settings = settings.withLogTimeZone(LogTimeZone.parse(zone.stringValue()));
        }
        List<String> patterns = new ArrayList<>();
        for (JsonNode pattern : set.path("patterns")) {
            patterns.add(pattern.stringValue());
        }
        return DateDetector.of(patterns, settings);
    }

    /** The golden row for what Bulwark found; a time that equals fail2ban's is written as fail2ban's. */
    private static String result(String line, DateMatch match, String expected) {
        if (match == null) {
            return "-";
        }
        String span = codePoints(line, match.start()) + "\t" + codePoints(line, match.end()) + "\t";
        return switch (match.outcome()) {
            case EMPTY -> span + "empty";
            case INVALID -> span + "none";
            case FAILED -> match.start() >= 0 && match.start() < match.end() ? span + "error" : "error:IndexError";
            case TIME -> span + time(match.time(), expected);
        };
    }

    /** fail2ban's float if it is the double nearest to Bulwark's exact time, else that time. */
    private static String time(Instant time, String expected) {
        BigDecimal exact = BigDecimal.valueOf(time.getEpochSecond()).add(BigDecimal.valueOf(time.getNano(), 9));
        String[] fields = expected.split("\t");
        String fail2ban = fields[fields.length - 1];
        try {
            if (exact.doubleValue() == Double.parseDouble(fail2ban)) {
                return fail2ban;
            }
        } catch (NumberFormatException e) {
            // fail2ban found no time: fall through to Bulwark's
        }
        return exact.toPlainString();
    }

    private static String kind(String expected) {
        String last = expected.substring(expected.lastIndexOf('\t') + 1);
        if (last.startsWith("error")) {
            return last;
        }
        return last.matches("[0-9.]+") && expected.contains("\t") ? "time" : last;
    }

    private static int codePoints(String line, int index) {
        return index < 0 ? index : line.codePointCount(0, index);
    }

    /** Lines as fail2ban reads them: split after each \n, then stripped of trailing \r and \n. */
    static List<String> lines(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int newline = text.indexOf('\n', start);
            int end = newline < 0 ? text.length() : newline;
            int stripped = end;
            while (stripped > start && (text.charAt(stripped - 1) == '\r' || text.charAt(stripped - 1) == '\n')) {
                stripped--;
            }
            lines.add(text.substring(start, stripped));
            start = newline < 0 ? text.length() : newline + 1;
        }
        return lines;
    }

    private static BufferedReader golden() {
        InputStream stream = DateDetectorGoldenTest.class.getResourceAsStream(GOLDEN);
        assertThat(stream).as("resource %s", GOLDEN).isNotNull();
        return new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
