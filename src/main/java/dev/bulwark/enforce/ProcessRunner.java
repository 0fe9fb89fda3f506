package dev.bulwark.enforce;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs programs for real. {@code prefix} goes before every command (tests use
 * {@code ip netns exec NAME}); each run is bounded by {@code timeout} and killed past it.
 */
public final class ProcessRunner implements CommandRunner {
    private final List<String> prefix;
    private final Duration timeout;

    public ProcessRunner(List<String> prefix, Duration timeout) {
        this.prefix = List.copyOf(prefix);
        this.timeout = timeout;
    }

    public static ProcessRunner local() {
        return new ProcessRunner(List.of(), Duration.ofMinutes(10));
    }

    @Override
    public Result run(List<String> command, Input input) throws EnforceException {
        List<String> full = new ArrayList<>(prefix);
        full.addAll(command);
        Process process;
        try {
            process = new ProcessBuilder(full).start();
        } catch (IOException e) {
            throw new EnforceException("cannot run " + command.getFirst() + ": " + e.getMessage()
                    + " (is it installed? " + Tools.installHint(command.getFirst()) + ")", e);
        }
        CompletableFuture<byte[]> stdout = drain(process.getInputStream());
        CompletableFuture<byte[]> stderr = drain(process.getErrorStream());
        String inputFailure = null;
        try (OutputStream stdin = process.getOutputStream()) {
            input.writeTo(stdin);
        } catch (IOException e) {
            // the program exited early (e.g. it rejected its input): its exit code and stderr say why
            inputFailure = e.getMessage();
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new EnforceException(String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s; killed");
            }
            String out = new String(stdout.join(), StandardCharsets.UTF_8);
            String err = new String(stderr.join(), StandardCharsets.UTF_8);
            if (process.exitValue() == 0 && inputFailure != null) {
                throw new EnforceException(command.getFirst() + " stopped reading its input: " + inputFailure);
            }
            return new Result(process.exitValue(), out, err);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new EnforceException("interrupted while running " + command.getFirst(), e);
        }
    }

    @Override
    public Result query(List<String> command) throws EnforceException {
        return run(command, Input.NONE);
    }

    private static CompletableFuture<byte[]> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                stream.transferTo(bytes);
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, runnable -> Thread.ofVirtual().start(runnable));
    }
}
