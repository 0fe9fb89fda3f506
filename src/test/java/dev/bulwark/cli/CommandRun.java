package dev.bulwark.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** One run of the command line in-process, with its exit code and captured streams. */
record CommandRun(int code, String stdout, String stderr) {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC);

    static CommandRun withStdin(String stdin, String... arguments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        int code = Main.execute(arguments, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out,
                new PrintWriter(err, true), CLOCK);
        return new CommandRun(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    static CommandRun of(String... arguments) {
        return withStdin("", arguments);
    }
}
