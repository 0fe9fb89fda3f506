package dev.bulwark.enforce;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** A hand-written fake: records each command and its input, answers from a function of the command line. */
final class FakeRunner implements CommandRunner {
    record Call(String command, String input) {
    }

    final List<Call> calls = new ArrayList<>();
    private final Function<Call, Result> answers;

    FakeRunner(Function<Call, Result> answers) {
        this.answers = answers;
    }

    static Result ok(String stdout) {
        return new Result(0, stdout, "");
    }

    static Result failed(String stderr) {
        return new Result(1, "", stderr);
    }

    @Override
    public Result run(List<String> command, Input input) throws EnforceException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            input.writeTo(bytes);
        } catch (IOException e) {
            throw new EnforceException(e.getMessage(), e);
        }
        Call call = new Call(String.join(" ", command), bytes.toString(StandardCharsets.UTF_8));
        calls.add(call);
        return answers.apply(call);
    }

    @Override
    public Result query(List<String> command) throws EnforceException {
        return run(command, Input.NONE);
    }

    /** The inputs of the calls whose command line is exactly {@code command}. */
    List<String> inputsOf(String command) {
        return calls.stream().filter(call -> call.command().equals(command)).map(Call::input).toList();
    }
}
