package dev.bulwark.detect.tail;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/**
 * Real journal files for tests, written by systemd-journal-remote from entries in the journal
 * export format: no journald runs on a build machine, and journalctl reads such a file with
 * {@code --directory}.
 */
public final class JournalFiles {
    public static final Path REMOTE = Path.of("/lib/systemd/systemd-journal-remote");

    private JournalFiles() {
    }

    /** Skips the test unless journalctl and systemd-journal-remote (Debian package systemd-journal-remote) are installed. */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(Files.isExecutable(REMOTE) && Files.isExecutable(Path.of("/usr/bin/journalctl")),
                "needs journalctl and systemd-journal-remote (Debian package systemd-journal-remote) to write a journal file");
    }

    /**
     * Appends one entry to {@code file}: host web1, {@code identifier[1000 + number]}, at
     * {@code epochSecond}; {@code number} also orders the entries' monotonic time.
     */
    public static void append(Path file, long epochSecond, int number, String identifier, String message) throws Exception {
        String entry = "__REALTIME_TIMESTAMP=" + epochSecond * 1_000_000L + "\n"
                + "__MONOTONIC_TIMESTAMP=" + number * 1_000_000L + "\n"
                + "_BOOT_ID=5a1d0c3b9e8f4d7a8c6b5e4f3a2b1c0d\n"
                + "_HOSTNAME=web1\n"
                + "SYSLOG_IDENTIFIER=" + identifier + "\n"
                + "_PID=" + (1000 + number) + "\n"
                + "MESSAGE=" + message + "\n\n";
        Process process = new ProcessBuilder(REMOTE.toString(), "-o", file.toString(), "-").redirectErrorStream(true).start();
        try (OutputStream input = process.getOutputStream()) {
            input.write(entry.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as("systemd-journal-remote said: %s", output).isZero();
    }
}
