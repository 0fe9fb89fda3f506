package dev.bulwark.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.cli.ExternalTool;
import dev.bulwark.cli.Main;
import dev.bulwark.enforce.NetnsLab;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A {@code bulwark run} process inside the host namespace of a {@link NetnsLab}, as a user runs
 * it, and every line it has written so far. Its API listens on that namespace's own loopback,
 * so requests to it and the commands that talk to it ({@link #api}, {@link #cli}) run inside
 * the namespace as well.
 */
final class NetnsDaemon {
    /** The JIT's first tier only: halves the start-up of each process here (2-core CI machines), and none runs long enough to miss the rest. */
    static final String QUICK_START = "-XX:TieredStopAtLevel=1";
    private static final Duration STARTED = Duration.ofSeconds(30);

    private final Process process;
    private final List<String> output = new ArrayList<>();

    private NetnsDaemon(Process process) {
        this.process = process;
    }

    /**
     * Starts {@code bulwark run --config CONFIG} in {@code lab}'s host namespace; returns once it
     * says it is running (restored, reconciled, API up on {@code apiPort}). The process is given
     * to {@code started} before the wait, so that the caller stops it whatever happens.
     */
    static NetnsDaemon start(NetnsLab lab, Path config, int apiPort, List<Process> started) throws Exception {
        Process process = new ProcessBuilder("ip", "netns", "exec", lab.host, java(), QUICK_START, "--enable-native-access=ALL-UNNAMED",
                // the daemon's own logging, not the tests' (which keeps only warnings)
                "-Dlogback.configurationFile=" + Path.of("target/classes/logback.xml").toAbsolutePath(),
                // log lines carry no zone: the daemon reads them in the one the test writes them in
                "-Duser.timezone=" + ZoneId.systemDefault().getId(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", "--config", config.toString())
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        started.add(process);
        NetnsDaemon daemon = new NetnsDaemon(process);
        BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Thread.ofPlatform().daemon(true).name("daemon-output").start(() -> {
            try {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    synchronized (daemon.output) {
                        daemon.output.add(line);
                    }
                }
            } catch (IOException e) {
                // the daemon is gone
            }
        });
        Pattern running = Pattern.compile("running: .* API on http://127\\.0\\.0\\.1:" + apiPort);
        long deadline = System.nanoTime() + STARTED.toNanos();
        while (daemon.lines(line -> running.matcher(line).find()).isEmpty()) {
            assertThat(process.isAlive()).as("the daemon ended before it ran:\n%s", daemon.log()).isTrue();
            assertThat(System.nanoTime()).as("the daemon did not say it was running within %s:\n%s", STARTED, daemon.log()).isLessThan(deadline);
            Thread.sleep(20);
        }
        return daemon;
    }

    /** Kills every process a test started (daemons, probes) and then deletes the lab's namespaces ({@code lab} null: none were made). */
    static void stopAll(List<Process> processes, NetnsLab lab) throws Exception {
        try {
            for (Process process : processes) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            if (lab != null) {
                lab.close();
            }
        }
    }

    Process process() {
        return process;
    }

    List<String> lines(Predicate<String> wanted) {
        synchronized (output) {
            return output.stream().filter(wanted).toList();
        }
    }

    String log() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    /** Polls, within {@code deadline}, until the daemon has written a line that is {@code wanted}. */
    void awaitLog(Predicate<String> wanted, Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (lines(wanted).isEmpty()) {
            assertThat(System.nanoTime()).as("the line looked for is not in the daemon's output after %s:\n%s", deadline, log()).isLessThan(end);
            Thread.sleep(20);
        }
    }

    /** Polls, within {@code deadline}, until the nftables sets in {@code lab}'s host namespace hold exactly {@code elements}. */
    void awaitKernel(NetnsLab lab, Set<String> elements, Duration deadline) throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        while (!lab.nftablesElements("bulwark").equals(elements)) {
            assertThat(System.nanoTime()).as("the sets hold %s, not %s, after %s; the daemon said:\n%s", lab.nftablesElements("bulwark"), elements,
                    deadline, log()).isLessThan(end);
            Thread.sleep(50);
        }
    }

    /** One request to the API on {@code apiPort}, made from inside the lab's host namespace with the token the daemon wrote under {@code stateDir}. */
    static Answer api(NetnsLab lab, Path stateDir, int apiPort, String method, String pathAndQuery, String body) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", lab.host, java(), QUICK_START, "-cp",
                System.getProperty("java.class.path"), ApiCall.class.getName(), method, "http://127.0.0.1:" + apiPort + pathAndQuery,
                stateDir.resolve("api.token").toString()));
        if (body != null) {
            command.add(body);
        }
        ExternalTool.Result result = ExternalTool.run(command);
        assertThat(result.code()).as("%s %s: %s", method, pathAndQuery, result.stderr()).isZero();
        String[] parts = result.stdout().split("\n", 2);
        return new Answer(Integer.parseInt(parts[0].trim()), parts.length > 1 ? parts[1] : "");
    }

    /** {@code bulwark ARGUMENTS...}, the command a user types, run inside the lab's host namespace. */
    static ExternalTool.Result cli(NetnsLab lab, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", lab.host, java(), QUICK_START, "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(arguments));
        return ExternalTool.run(command);
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    record Answer(int status, String body) {
    }

    /**
     * Run by the test inside the daemon's namespace, where the API listens: one request with the
     * token from the given file; prints the status code on the first line, then the body.
     */
    static final class ApiCall {
        public static void main(String[] arguments) throws Exception {
            String method = arguments[0];
            String token = Files.readString(Path.of(arguments[2])).trim();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(arguments[1])).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + token);
            if (arguments.length > 3) {
                request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(arguments[3]));
            } else {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            }
            try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                System.out.println(response.statusCode());
                System.out.print(response.body());
            }
        }
    }
}
