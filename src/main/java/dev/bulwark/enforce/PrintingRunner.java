package dev.bulwark.enforce;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The dry-run twin of {@link ProcessRunner}: prints each command that would change something,
 * and the input it would get, in a form a person can run by hand. Queries return null, and
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
            print.print("# " + String.join(" ", command) + (input == Input.NONE ? "\n" : " <<'EOF'\n"));
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

    @Override
    public Result query(List<String> command) {
        return null;
    }

    @Override
    public boolean isDryRun() {
        return true;
    }
}
