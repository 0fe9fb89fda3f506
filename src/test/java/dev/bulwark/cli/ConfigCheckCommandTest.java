package dev.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

class ConfigCheckCommandTest {
    private static final String VALID = """
            feeds:
              - name: drop
                url: https://feeds.example.net/drop.txt
                every: 12h
              - name: scored
                url: https://api.example.net/threats
                format: json
                headers: { X-API-KEY: "${env:SCORED_API_KEY}" }
            enforce:
              - nftables: { hooks: [input, forward] }
            """;

    @TempDir
    Path directory;

    private Path write(String name, String text) throws IOException {
        Path file = directory.resolve(name);
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /** Runs {@code bulwark config ARGUMENTS} with the given environment, as Main would. */
    private static CommandRun run(Map<String, String> environment, String... arguments) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        ConfigCheckCommand command = new ConfigCheckCommand(out, new PrintWriter(err, true), environment);
        CommandLine.ParseResult parsed = new CommandLine(command.spec()).parseArgs(arguments);
        int code = command.run(parsed);
        return new CommandRun(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    @Test
    void aValidFileIsOkWithItsCounts() throws Exception {
        Path file = write("bulwark.yml", VALID);

        CommandRun run = run(Map.of("SCORED_API_KEY", "k"), "check", file.toString());

        assertThat(run.code()).isZero();
        assertThat(run.stdout()).isEqualTo(file + ": ok (2 feeds, 1 enforcer)\n");
        assertThat(run.stderr()).isEmpty();
    }

    @Test
    void jailsAreAcceptedAndCountedAndTheirErrorsNameTheLine() throws Exception {
        Path file = write("bulwark.yml", VALID + """
                jail_defaults: { bantime: 1h, increment: { maxtime: 1w } }
                jails:
                  - { name: sshd, filter: "sshd[mode=aggressive]", logpath: /var/log/auth.log }
                  - { name: postfix, journal: true, maxretry: 3 }
                """);

        CommandRun run = run(Map.of("SCORED_API_KEY", "k"), "check", file.toString());

        assertThat(run.code()).isZero();
        assertThat(run.stdout()).isEqualTo(file + ": ok (2 feeds, 1 enforcer, 2 jails)\n");
        assertThat(run.stderr()).isEmpty();

        Path bad = write("bad.yml", VALID + "jails:\n  - { name: sshd, findtime: 10 }\n");
        CommandRun refused = run(Map.of("SCORED_API_KEY", "k"), "check", bad.toString());
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.stderr()).contains(bad + ":12:5: jails[0]: missing key 'logpath'")
                .contains(bad + ":12:29: jails[0].findtime: '10' is not a duration: add a unit, e.g. 10s, 10m or 10h");
    }

    @Test
    void warningsArePrintedAndTheFileIsStillOk() throws Exception {
        Path file = write("bulwark.yml", "feeds: [{name: drop, url: https://feeds.example.net/drop.txt}]\n");

        CommandRun run = CommandRun.of("config", "check", file.toString());

        assertThat(run.code()).isZero();
        assertThat(run.stdout()).isEqualTo(file + ": ok (1 feed, 0 enforcers)\n");
        assertThat(run.stderr()).isEqualTo(file + ": enforce: warning: no enforcers: nothing will be enforced, decisions are only recorded; "
                + "add e.g. enforce: [{nftables: {hooks: [input]}}]\n");
    }

    @Test
    void errorsArePrintedOneALineWithTheirPlaceAndExitWithTwo() throws Exception {
        Path file = write("bulwark.yml", """
                policy:
                  block_score: 160
                feeds:
                  - name: drop
                    url: https://feeds.example.net/drop.txt
                    evry: 12h
                """);

        CommandRun run = CommandRun.of("config", "check", file.toString());

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.stdout()).isEmpty();
        assertThat(run.stderr()).isEqualTo(file + ":2:16: policy.block_score: must be from 0 to 100, not 160\n"
                + file + ":6:5: feeds[0].evry: unknown key 'evry' (did you mean 'every'?); the keys of feeds[0] are: name, url, format, csv, "
                + "json, headers, every, jitter, min_score, ttl, shrink_guard, action, timeout, retries, max_size, categories\n"
                + file + ": 2 errors; bulwark run would refuse this file\n");
    }

    @Test
    void aMissingSecretIsAnErrorThatDoesNotPrintTheOtherSecrets() throws Exception {
        Path file = write("bulwark.yml", VALID.replace("every: 12h", "headers: { Authorization: \"${env:DROP_TOKEN}\" }"));

        CommandRun run = run(Map.of("SCORED_API_KEY", "very-secret-value"), "check", file.toString());

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.stderr()).startsWith(file + ":4:31: feeds[0].headers.Authorization: environment variable DROP_TOKEN is not set")
                .doesNotContain("very-secret-value");
    }

    @Test
    void withoutFileTheConfigOptionThenTheVariableIsUsed() throws Exception {
        Path named = write("named.yml", VALID);
        Path fromVariable = write("variable.yml", "feeds: [{name: a, url: /srv/a.txt}]\nenforce: [dry-run: {}]\n");
        Map<String, String> environment = Map.of("SCORED_API_KEY", "k", "BULWARK_CONFIG", fromVariable.toString());

        assertThat(run(environment, "check", "--config", named.toString()).stdout()).isEqualTo(named + ": ok (2 feeds, 1 enforcer)\n");
        assertThat(run(environment, "check").stdout()).isEqualTo(fromVariable + ": ok (1 feed, 1 enforcer)\n");
    }

    @Test
    void aMissingFileExitsWithTwo() throws Exception {
        Path absent = directory.resolve("absent.yml");

        CommandRun run = run(Map.of("BULWARK_CONFIG", absent.toString()), "check");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.stderr()).isEqualTo(absent + ": no such file: write one (see packaging/bulwark.yml), or name another with "
                + "--config FILE or BULWARK_CONFIG\n" + absent + ": 1 error; bulwark run would refuse this file\n");
    }

    @Test
    void theFileIsGivenOnce() throws Exception {
        CommandRun run = run(Map.of(), "check", "a.yml", "--config", "b.yml");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.stderr()).isEqualTo("bulwark config check: give the file once, as FILE or with --config, not both\n");
    }

    @Test
    void configWithoutCheckIsAUsageError() {
        CommandRun run = CommandRun.of("config");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.stderr()).isEqualTo("bulwark config: a subcommand is required: bulwark config check [FILE]\n");
    }

    @Test
    void checkHasHelp() {
        CommandRun run = CommandRun.of("config", "check", "--help");

        assertThat(run.code()).isZero();
        assertThat(run.stdout()).contains("Usage: bulwark config check [-h] [--config=FILE] [FILE]").contains("BULWARK_CONFIG");
        assertThat(CommandRun.of("--help").stdout()).contains("config").contains("Work with the configuration file.");
    }
}
