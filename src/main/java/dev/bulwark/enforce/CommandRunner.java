package dev.bulwark.enforce;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * Runs external programs (nft, ipset, iptables, ip, ss) with an argument vector, never through a
 * shell; what they read comes on stdin from a {@link Input} that Bulwark writes. Enforcers take
 * one, so that tests can run them inside a network namespace and {@code --dry-run} can print
 * instead of run.
 */
public interface CommandRunner {

    /** Writes a program's standard input. */
    @FunctionalInterface
    interface Input {
        Input NONE = output -> { };

        void writeTo(OutputStream output) throws IOException;
    }

    /** What a program did: its exit code and what it printed. */
    record Result(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** stderr, else stdout, trimmed: the program's own words for a failure. */
        public String message() {
            String text = stderr.isBlank() ? stdout : stderr;
            return text.strip();
        }
    }

    /** Runs a command that changes something; a dry run prints it instead. */
    Result run(List<String> command, Input input) throws EnforceException;

    /** Runs a command that only reads; a dry run cannot, and says so by returning {@code null}. */
    Result query(List<String> command) throws EnforceException;

    default Result run(List<String> command) throws EnforceException {
        return run(command, Input.NONE);
    }

    /** True when nothing is really run. */
    default boolean isDryRun() {
        return false;
    }
}
