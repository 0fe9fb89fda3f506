package dev.bulwark.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real program with an argument vector (never a shell line built from data), bounded in
 * time. Tests that need one which is missing are skipped with the reason; CI installs them.
 */
public final class ExternalTool {
    private ExternalTool() {
    }

    public record Result(int code, String stdout, String stderr) {
    }

    public static void assumeInstalled(String program) {
        boolean found = false;
        for (String directory : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, program))) {
                found = true;
                break;
            }
        }
        found = found || Files.isExecutable(Path.of("/usr/sbin", program));
        assumeTrue(found, program + " is not installed (CI installs it: see .ci/run)");
    }

    public static void assumeRoot() throws IOException, InterruptedException {
        assumeTrue(run(List.of("id", "-u")).stdout().trim().equals("0"), "needs root (to make a network namespace)");
    }

    public static Result run(List<String> command) throws IOException, InterruptedException {
        Path stdout = Files.createTempFile("bulwark-tool", ".out");
        Path stderr = Files.createTempFile("bulwark-tool", ".err");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            return new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }
}
