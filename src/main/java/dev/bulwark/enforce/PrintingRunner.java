package dev.bulwark.enforce;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The dry-run twin of {@link ProcessRunner}: prints each command that would change something,
 * and the input it would get, as shell lines a person can run by hand (the input as a
 * here-document). Queries return null, and
 * enforcers then assume the kernel holds what their state directory says.
 */
public final class PrintingRunner implements CommandRunner {
    private final OutputStream output;

    public PrintingRunner(OutputStream output) {
        this.output = output;
    }

    @Override
    public Result run(List<String> command, Input input) throws EnforceException {
        try {
            PrintStream print = new PrintStream(output, false, StandardCharsets.UTF_8);
            print.print(shellLine(command) + (input == Input.NONE ? "\n" : " <<'EOF'\n"));
            print.flush();
            if (input != Input.NONE) {
                input.writeTo(output);
                print.print("EOF\n");
            }
            print.flush();
            return new Result(0, "", "");
        } catch (IOException e) {
            throw new EnforceException("cannot print the dry run: " + e.getMessage(), e);
        }
    }

    /** The command as a shell would need it typed: arguments outside a safe set go in single quotes. */
    static String shellLine(List<String> command) {
        StringBuilder line = new StringBuilder();
        for (String argument : command) {
            if (!line.isEmpty()) {
                line.append(' ');
            }
            if (!argument.isEmpty() && argument.matches("[A-Za-z0-9_@%+=:,./-]+")) {
                line.append(argument);
            } else {
                line.append('\'').append(argument.replace("'", "'\\''")).append('\'');
            }
        }
        return line.toString();
    }

    @Override
    public Result query(List<String> command) {
        return null;
    }

    @Override
    public boolean isDryRun() {
        return true;
    }
}
