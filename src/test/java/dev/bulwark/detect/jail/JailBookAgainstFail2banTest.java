package dev.bulwark.detect.jail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bulwark.cli.ExternalTool;
import dev.bulwark.detect.Failure;
import dev.bulwark.ip.IpSet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same failures through fail2ban 1.0.2's own counting and banning classes (driven by
 * fail2ban_replay.py) and through the JailBook: the same bans, prolongations and ends, to the
 * second. Each run is two days of bursts from a few addresses, so that counts reach maxretry
 * inside and across findtime, bans are prolonged, escalated, capped, forgotten and passed to the
 * recidive rule.
 */
class JailBookAgainstFail2banTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final Instant EPOCH = Instant.ofEpochSecond(0);

    @TempDir
    Path directory;

    private record Rules(JailRules rules, String json) {
    }

    private static Rules jail(String name, int maxRetry, long findTime, long banTime, Increment increment) {
        String incrementJson = "null";
        if (increment.enabled()) {
            incrementJson = "{\"factor\": " + increment.factor() + ", \"multipliers\": " + increment.multipliers()
                    + ", \"maxtime\": " + (increment.maxTime() == null ? 0 : increment.maxTime().toSeconds())
                    + ", \"overalljails\": " + increment.overallJails() + "}";
        }
        JailRules rules = new JailRules(name, maxRetry, Duration.ofSeconds(findTime), Duration.ofSeconds(banTime), IpSet.empty(), increment,
                128, List.of());
        return new Rules(rules, "{\"name\": \"" + name + "\", \"maxretry\": " + maxRetry + ", \"findtime\": " + findTime
                + ", \"bantime\": " + banTime + ", \"increment\": " + incrementJson + "}");
    }

    private record Event(String jail, String ip, long time) {
    }

    /** Bursts of failures from 10 addresses over two days: quiet gaps of up to 3 hours, bursts a few seconds to minutes apart. */
    private static List<Event> workload(long seed, List<String> jails) {
        Random random = new Random(seed);
        List<Event> events = new ArrayList<>();
        long time = 1_000_000;
        while (time < 1_000_000 + 2 * 86_400) {
            String ip = "192.0.2." + (1 + random.nextInt(10));
            String jail = jails.get(random.nextInt(jails.size()));
            int burst = 1 + random.nextInt(8);
            for (int index = 0; index < burst; index++) {
                events.add(new Event(jail, ip, time));
                time += 1 + random.nextInt(random.nextBoolean() ? 20 : 200);
            }
            time += random.nextInt(10) == 0 ? random.nextInt(3 * 3600) : random.nextInt(300);
        }
        return events;
    }

    /** {@code purgeAge}: fail2ban's dbpurgeage, the jails' forget_after. */
    private List<String> fail2ban(List<Rules> jails, Rules recidive, List<Event> events, Duration purgeAge) throws IOException, InterruptedException {
        StringBuilder spec = new StringBuilder("{\"purgeage\": " + purgeAge.toSeconds() + ", \"jails\": [");
        for (int index = 0; index < jails.size(); index++) {
            spec.append(index == 0 ? "" : ", ").append(jails.get(index).json());
        }
        spec.append("], \"recidive\": ").append(recidive == null ? "null" : recidive.json()).append(", \"failures\": [");
        for (int index = 0; index < events.size(); index++) {
            Event event = events.get(index);
            spec.append(index == 0 ? "" : ", ").append("[\"").append(event.jail()).append("\", \"").append(event.ip()).append("\", ")
                    .append(event.time()).append(']');
        }
        spec.append("]}");
        Path specFile = directory.resolve("spec.json");
        Files.writeString(specFile, spec);
        Path script = directory.resolve("fail2ban_replay.py");
        try (InputStream resource = getClass().getResourceAsStream("fail2ban_replay.py")) {
            Files.copy(resource, script);
        }
        ExternalTool.Result result = ExternalTool.run(List.of(PYTHON, script.toString(), specFile.toString()));
        assertThat(result.code()).as(result.stderr()).isZero();
        return result.stdout().lines().toList();
    }

    private static List<String> bulwark(List<Rules> jails, Rules recidive, List<Event> events) throws IOException {
        List<JailConfig> configs = new ArrayList<>();
        for (Rules jail : jails) {
            configs.add(new JailConfig(jail.rules(), new JailFilter("sshd", null, Map.of()), new JailSource.Journal(List.of()), false));
        }
        JailBook book = new JailBook(new JailsConfig(configs, recidive == null ? null : recidive.rules()), new MemoryBanCounts(), new Random(1));
        List<String> lines = new ArrayList<>();
        for (Event event : events) {
            Instant now = EPOCH.plusSeconds(event.time());
            for (Ban ban : book.failure(event.jail(), new Failure(event.ip(), now, List.of("line")), now)) {
                long end = ban.expiresAt() == null ? -1 : ban.expiresAt().getEpochSecond();
                lines.add(event.time() + " " + ban.jail() + " " + ban.offender() + " " + (ban.kind() == Ban.Kind.NEW ? "new" : "prolonged") + " " + end);
            }
        }
        return lines;
    }

    private void assumeFail2ban() throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(Path.of(PYTHON)), PYTHON + " is not installed (CI installs fail2ban: see .ci/run)");
        assumeTrue(ExternalTool.run(List.of(PYTHON, "-c", "import fail2ban.server.observer")).code() == 0,
                "fail2ban's Python package is not installed (CI installs fail2ban: see .ci/run)");
    }

    @Test
    void withoutIncrementTheBansAndProlongationsAreFail2bans() throws Exception {
        assumeFail2ban();
        List<Rules> jails = List.of(jail("sshd", 3, 600, 300, Increment.DISABLED), jail("nginx", 5, 120, 60, Increment.DISABLED));
        Rules recidive = jail("recidive", 3, 3600, 7200, Increment.DISABLED);
        List<Event> events = workload(7, List.of("sshd", "nginx"));

        List<String> expected = fail2ban(jails, recidive, events, Increment.DEFAULT_FORGET_AFTER);

        assertThat(expected).as("the workload makes bans, prolongations and recidive bans")
                .anyMatch(line -> line.contains(" prolonged ")).anyMatch(line -> line.contains(" recidive "));
        assertThat(bulwark(jails, recidive, events)).containsExactlyElementsOf(expected);
    }

    @Test
    void withIncrementTheEscalatedBanTimesAndTheObserversCountsAreFail2bans() throws Exception {
        assumeFail2ban();
        Increment doubling = new Increment(true, 1, List.of(), Duration.ofHours(2), Duration.ZERO, false, Duration.ofHours(6));
        List<Rules> jails = List.of(jail("sshd", 4, 600, 300, doubling), jail("nginx", 3, 300, 120, Increment.DISABLED));
        List<Event> events = workload(11, List.of("sshd", "nginx"));

        List<String> expected = fail2ban(jails, null, events, Duration.ofHours(6));

        assertThat(bulwark(jails, null, events)).containsExactlyElementsOf(expected);
        assertThat(expected).as("some bans were escalated and some capped at maxtime")
                .anyMatch(line -> line.contains(" sshd ") && line.contains(" new ") && endMinusStart(line) > 300)
                .anyMatch(line -> endMinusStart(line) == 7200);
    }

    @Test
    void withOveralljailsAndMultipliersTheBanTimesAreFail2bans() throws Exception {
        assumeFail2ban();
        Increment overall = new Increment(true, 2, List.of(1, 3, 10, 30), null, Duration.ZERO, true, Increment.DEFAULT_FORGET_AFTER);
        List<Rules> jails = List.of(jail("sshd", 3, 600, 60, overall), jail("postfix", 2, 900, 120, overall));
        List<Event> events = workload(3, List.of("sshd", "postfix"));

        List<String> expected = fail2ban(jails, null, events, Increment.DEFAULT_FORGET_AFTER);

        assertThat(bulwark(jails, null, events)).containsExactlyElementsOf(expected);
    }

    private static long endMinusStart(String line) {
        String[] fields = line.split(" ");
        return Long.parseLong(fields[4]) - Long.parseLong(fields[0]);
    }
}
