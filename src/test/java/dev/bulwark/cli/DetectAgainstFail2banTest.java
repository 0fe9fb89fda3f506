package dev.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bulwark detect} against fail2ban itself on whole logs: fail2ban's own Filter and jail
 * classes (fail2ban_detect.py, fail2ban_replay.py) and Bulwark, the same stock filter, log and
 * settings: the same bans, the same addresses at the same seconds.
 */
class DetectAgainstFail2banTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path FILTERS = Path.of("/etc/fail2ban/filter.d");
    private static final Pattern JSON_BAN = Pattern.compile("\\{\"address\": \"([^\"]+)\", \"time\": \"([^\"]+)\", \"count\": (\\d+)\\}");

    @TempDir
    static Path directory;

    @BeforeAll
    static void needsFail2ban() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(PYTHON) && Files.isDirectory(FILTERS)
                && Files.isDirectory(Path.of("/usr/lib/python3/dist-packages/fail2ban")), "fail2ban is not installed (apt-get install fail2ban)");
        for (String script : List.of("detect/fail2ban_detect.py", "detect/jail/fail2ban_replay.py")) {
            try (InputStream in = DetectAgainstFail2banTest.class.getResourceAsStream("/dev/bulwark/" + script)) {
                Files.copy(in, directory.resolve(Path.of(script).getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Test
    void realSshdScanningBansTheSameAddressesAtTheSameTimes() throws Exception {
        Path log = Path.of("samples/logs/auth.log");
        Instant now = Instant.parse("2016-12-05T00:00:00Z");
        TreeSet<String> strict = compare(log, "sshd", now, 5, 600, 600);
        assertThat(strict).hasSize(12);
        TreeSet<String> loose = compare(log, "sshd", now, 3, 3600, 600);
        assertThat(loose.size()).isGreaterThan(strict.size());
    }

    @Test
    void generatedSshdLogBansTheSame() throws Exception {
        Path log = generate("gen-sshd-log.py", 60_000, "sshd.log");
        assertThat(compare(log, "sshd", Instant.parse("2026-12-01T00:00:00Z"), 3, 1800, 600)).hasSizeGreaterThan(20);
    }

    @Test
    void generatedScannersInAnNginxLogBanTheSame() throws Exception {
        Path log = generate("gen-nginx-log.py", 60_000, "access.log");
        assertThat(compare(log, "nginx-botsearch", Instant.parse("2026-12-01T00:00:00Z"), 2, 600, 600)).hasSizeGreaterThan(20);
    }

    private static Path generate(String script, int lines, String name) throws Exception {
        Path log = directory.resolve(name);
        Process process = new ProcessBuilder(PYTHON.toString(), Path.of("bench", script).toString(), String.valueOf(lines), "7")
                .redirectOutput(log.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        return log;
    }

    /** Both sides' bans as "EPOCH ADDRESS", asserted equal; returned for further checks. */
    private static TreeSet<String> compare(Path log, String filter, Instant now, int maxRetry, int findTime, int banTime) throws Exception {
        Path conf = FILTERS.resolve(filter + ".conf");
        Process process = new ProcessBuilder(PYTHON.toString(), directory.resolve("fail2ban_detect.py").toString(), log.toString(), conf.toString(),
                String.valueOf(now.getEpochSecond()), String.valueOf(maxRetry), String.valueOf(findTime), String.valueOf(banTime),
                directory.resolve("fail2ban_replay.py").toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String fail2ban = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("fail2ban_detect.py").isZero();
        TreeSet<String> expected = new TreeSet<>();
        for (String line : fail2ban.split("\n")) {
            if (!line.isBlank()) {
                String[] parts = line.split(" ");
                expected.add((long) Double.parseDouble(parts[0]) + " " + parts[1]);
            }
        }

        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        StringWriter stderr = new StringWriter();
        int code = Main.execute(new String[] {"detect", "--log", log.toString(), "--filter", conf.toString(), "--maxretry", String.valueOf(maxRetry),
                "--findtime", findTime + "s", "--bantime", banTime + "s", "--ipv6-prefix", "128", "--zone", "UTC", "--now", now.toString(), "--json"},
                new ByteArrayInputStream(new byte[0]), stdout, new PrintWriter(stderr, true), Clock.systemUTC());
        assertThat(code).as(stderr.toString()).isZero();
        TreeSet<String> actual = new TreeSet<>();
        List<String> unparsed = new ArrayList<>();
        for (String line : stdout.toString(StandardCharsets.UTF_8).split("\n")) {
            Matcher ban = JSON_BAN.matcher(line);
            if (ban.matches()) {
                actual.add(Instant.parse(ban.group(2)).getEpochSecond() + " " + ban.group(1));
            } else if (!line.isBlank()) {
                unparsed.add(line);
            }
        }
        assertThat(unparsed).isEmpty();
        assertThat(actual).as("bans of bulwark detect (left) and fail2ban (right) on " + log.getFileName() + " with " + filter)
                .isEqualTo(expected);
        return actual;
    }
}
