package dev.bulwark.cli;

import dev.bulwark.api.ApiClient;
import dev.bulwark.api.ApiClient.Credential;
import dev.bulwark.api.ApiClientException;
import dev.bulwark.api.LocalToken;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * A command that talks to the running daemon over its API ({@code ban}, {@code unban},
 * {@code list}, {@code explain}, {@code status}): the options they share, the key they send,
 * and one mapping of failures to messages and exit codes.
 */
abstract class DaemonCommand implements Subcommand {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    final PrintWriter out;
    final PrintWriter stderr;
    final Clock clock;
    private final Map<String, String> environment;

    DaemonCommand(OutputStream stdout, PrintWriter stderr, Clock clock, Map<String, String> environment) {
        this.out = new PrintWriter(stdout, false, StandardCharsets.UTF_8);
        this.stderr = stderr;
        this.clock = clock;
        this.environment = environment;
    }

    /** The work, given a connected client; prepared from the command line before connecting. */
    @FunctionalInterface
    interface Call {
        int run(ApiClient client) throws ApiClientException;
    }

    /** The command's own name, description and options. */
    abstract CommandSpec describe();

    /** Reads the command line; throws {@link IllegalArgumentException} for bad usage. */
    abstract Call prepare(ParseResult parsed);

    @Override
    public final CommandSpec spec() {
        CommandSpec spec = describe();
        spec.addOption(OptionSpec.builder("--api").paramLabel("URL").type(String.class).defaultValue(ApiClient.DEFAULT_URL.toString())
                .description("The daemon's API. Default: ${DEFAULT-VALUE}.").build());
        spec.addOption(OptionSpec.builder("--token-file").paramLabel("FILE").type(String.class)
                .description("The API key to send, in a file. Default: $" + ApiClient.KEY_VARIABLE + " if set, else "
                        + LocalToken.DEFAULT_FILE + " (readable by root; sent to a daemon on this host only).").build());
        return spec;
    }

    @Override
    public final int run(ParseResult parsed) {
        String name = "bulwark " + parsed.commandSpec().name();
        Call call;
        URI api;
        try {
            call = prepare(parsed);
            api = ApiClient.url(parsed.matchedOptionValue("--api", ApiClient.DEFAULT_URL.toString()));
        } catch (IllegalArgumentException e) {
            stderr.println(name + ": " + e.getMessage());
            return Main.USAGE;
        }
        try (ApiClient client = new ApiClient(api, credential(parsed.matchedOptionValue("--token-file", null), api), TIMEOUT)) {
            return call.run(client);
        } catch (IllegalArgumentException e) {
            stderr.println(name + ": " + e.getMessage());
            return Main.USAGE;
        } catch (IOException e) {
            stderr.println(name + ": " + e.getMessage());
            return Main.FAILURE;
        } catch (ApiClientException e) {
            stderr.println(name + ": " + e.getMessage());
            return e.kind() == ApiClientException.Kind.BAD_REQUEST ? Main.USAGE : Main.FAILURE;
        } finally {
            out.flush();
        }
    }

    /**
     * The key: from {@code --token-file} (which must be readable), else {@code BULWARK_API_KEY},
     * else the local token if this user can read it and the API is on this host. Reads on
     * loopback need none, so an unreadable default is not an error until the daemon asks for a key.
     */
    private Credential credential(String tokenFile, URI api) throws IOException {
        if (tokenFile != null) {
            return Credential.of(LocalToken.read(Path.of(tokenFile)), tokenFile);
        }
        String variable = environment.get(ApiClient.KEY_VARIABLE);
        if (variable != null && !variable.isBlank()) {
            return Credential.of(variable.trim(), ApiClient.KEY_VARIABLE);
        }
        if (!ApiClient.isLocal(api)) {
            // the local token is root's key to this host's daemon; --api must not carry it elsewhere
            return Credential.none("the local token is sent to a daemon on this host only; pass --token-file or set "
                    + ApiClient.KEY_VARIABLE + " for " + api.getHost());
        }
        try {
            return Credential.of(LocalToken.read(LocalToken.DEFAULT_FILE), LocalToken.DEFAULT_FILE.toString());
        } catch (IOException e) {
            return Credential.none(e.getMessage());
        }
    }

    static void option(CommandSpec spec, String name, String label, String description) {
        spec.addOption(OptionSpec.builder(name).paramLabel(label).type(String.class).description(description).build());
    }

    static void jsonFlag(CommandSpec spec) {
        spec.addOption(OptionSpec.builder("--json").arity("0").description("Print the daemon's answer as JSON, for scripts.").build());
    }

    static int number(String text, String option, int min, int max) {
        int value;
        try {
            value = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + text + "' is not a whole number");
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + " must be from " + min + " to " + max + ", not " + value);
        }
        return value;
    }

    void printJson(byte[] json) {
        out.println(new String(json, StandardCharsets.UTF_8));
    }
}
