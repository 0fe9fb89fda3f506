package dev.bulwark.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.cli.Main;
import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpSet;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon as a real process on a real SQLite file: bans are acknowledged over the API while
 * it runs, it is killed with SIGKILL at a random moment, and the restarted daemon holds every
 * acknowledged ban, in its decisions and in its enforcer's output, before it says it is running.
 */
class DaemonCrashTest {
    private static final Pattern RUNNING = Pattern.compile("API on http://127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path directory;

    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    // a separate thread: a blocking read of the daemon's output cannot be interrupted
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void noAcknowledgedBanIsLostWhenTheDaemonIsKilled() throws Exception {
        Path config = directory.resolve("bulwark.yml");
        Path edl = directory.resolve("edl.txt");
        Path feed = Path.of("src/test/resources/feeds/spamhaus/drop.txt").toAbsolutePath();
        int port = freePort();
        Files.writeString(config, """
                state_dir: %s
                api: { listen: 127.0.0.1:%d }
                feeds:
                  - { name: drop, url: %s, every: 1h }
                enforce:
                  - file: { path: %s }
                """.formatted(directory.resolve("state"), port, feed, edl));

        Process daemon = start(config, port);
        String token = Files.readString(directory.resolve("state/api.token")).trim();
        Set<String> acknowledged = new LinkedHashSet<>();
        int killAfter = 150 + new Random().nextInt(150);
        CompletableFuture<Void> banning = CompletableFuture.runAsync(() -> {
            for (int index = 0; ; index++) {
                String address = "203.0." + (index / 250) + "." + (index % 250 + 1);
                try {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/decisions"))
                            .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"target\": \"" + address + "\", \"reason\": \"crash test\"}"))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 201) {
                        throw new IllegalStateException("ban answered " + response.statusCode() + ": " + response.body());
                    }
                    synchronized (acknowledged) {
                        acknowledged.add(address);
                    }
                } catch (IOException e) {
                    return; // the daemon died mid-request: that ban was never acknowledged
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        });
        while (true) {
            synchronized (acknowledged) {
                if (acknowledged.size() >= killAfter) {
                    break;
                }
            }
            Thread.sleep(5);
        }
        daemon.destroyForcibly().waitFor();
        banning.get(30, TimeUnit.SECONDS);
        Set<String> acked;
        synchronized (acknowledged) {
            acked = Set.copyOf(acknowledged);
        }

        start(config, port);
        HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/decisions?origin=manual&limit=100000"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(list.statusCode()).isEqualTo(200);
        for (String address : acked) {
            assertThat(list.body()).as("acknowledged ban of %s after the restart", address).contains("\"target\":\"" + address + "\"");
        }
        // the list is aggregated: neighbouring bans share a prefix
        IpSet enforced = IpSet.of(Files.readAllLines(edl).toArray(new String[0]));
        for (String address : acked) {
            assertThat(enforced.contains(IpAddress.parse(address))).as("the enforcer holds the acknowledged ban of %s", address).isTrue();
        }
        assertThat(enforced.contains(IpAddress.parse("1.10.16.1"))).as("and the feed's entries").isTrue();
        assertThat(acked.size()).isGreaterThanOrEqualTo(killAfter);
    }

    /** Starts {@code bulwark run} and returns once it says it is running (restored, reconciled, API up). */
    private Process start(Path config, int port) throws Exception {
        Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                // the daemon's own logging, not the tests' (which keeps only warnings)
                "-Dlogback.configurationFile=" + Path.of("target/classes/logback.xml").toAbsolutePath(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", "--config", config.toString())
                .redirectErrorStream(true).start();
        processes.add(process);
        BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = output.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher matcher = RUNNING.matcher(line);
            if (matcher.find()) {
                assertThat(Integer.parseInt(matcher.group(1))).isEqualTo(port);
                Thread.ofPlatform().daemon(true).start(() -> output.lines().forEach(ignored -> { }));
                return process;
            }
        }
        throw new AssertionError("the daemon ended before it ran:\n" + seen);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
