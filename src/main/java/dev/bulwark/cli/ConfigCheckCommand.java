package dev.bulwark.cli;

import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.ConfigProblem;
import dev.bulwark.config.ConfigResult;
import dev.bulwark.daemon.DaemonConfig;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/** {@code bulwark config check [FILE]}: loads a configuration as the daemon would and reports every problem in it. */
final class ConfigCheckCommand implements Subcommand {
    private final OutputStream stdout;
    private final PrintWriter stderr;
    private final Map<String, String> environment;

    ConfigCheckCommand(OutputStream stdout, PrintWriter stderr, Map<String, String> environment) {
        this.stdout = stdout;
        this.stderr = stderr;
        this.environment = environment;
    }

    @Override
    public CommandSpec spec() {
        CommandSpec check = CommandSpec.create().name("check");
        check.usageMessage().sortOptions(false).header("Check a configuration file.").description(
                "Reads FILE as bulwark run would, references to ${env:NAME} and ${file:PATH} included, and prints every error, "
                        + "one a line as FILE:LINE:COLUMN: key: message, and the warnings. Exits 0 when the file can be used, "
                        + "2 when it cannot.",
                "Without FILE: the file --config names, else the one " + ConfigLoader.ENVIRONMENT_VARIABLE + " names, else "
                        + DaemonConfig.DEFAULT_FILE + ".")
                .footer("", "Example:", "  bulwark config check /etc/bulwark/bulwark.yml", "");
        check.addPositional(PositionalParamSpec.builder().paramLabel("FILE").arity("0..1").type(String.class)
                .description("The configuration file.").build());
        check.addOption(OptionSpec.builder("--config").paramLabel("FILE").type(String.class)
                .description("The configuration file, as bulwark run takes it.").build());
        check.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help and exit.").build());
        CommandSpec config = CommandSpec.create().name("config");
        config.usageMessage().header("Work with the configuration file.")
                .description("bulwark config check [FILE]: check a configuration file.");
        config.addSubcommand("check", check);
        return config;
    }

    @Override
    public int run(ParseResult parsed) {
        if (!parsed.hasSubcommand()) {
            stderr.println("bulwark config: a subcommand is required: bulwark config check [FILE]");
            return Main.USAGE;
        }
        ParseResult check = parsed.subcommand();
        String positional = check.matchedPositionalValue(0, null);
        String option = check.matchedOptionValue("--config", null);
        if (positional != null && option != null && !positional.equals(option)) {
            stderr.println("bulwark config check: give the file once, as FILE or with --config, not both");
            return Main.USAGE;
        }
        Path file = ConfigLoader.locate(positional != null ? positional : option, environment);
        ConfigResult result = new ConfigLoader(environment).load(file);
        for (ConfigProblem error : result.errors()) {
            stderr.println(error);
        }
        for (ConfigProblem warning : result.warnings()) {
            stderr.println(warning);
        }
        if (!result.ok()) {
            int count = result.errors().size();
            stderr.println(file + ": " + count + (count == 1 ? " error" : " errors") + "; bulwark run would refuse this file");
            return Main.USAGE;
        }
        PrintWriter out = new PrintWriter(stdout, true, StandardCharsets.UTF_8);
        int feeds = result.config().feeds().size();
        int enforcers = result.config().enforce().size();
        int jails = result.config().jails().jails().size();
        out.println(file + ": ok (" + feeds + (feeds == 1 ? " feed, " : " feeds, ") + enforcers + (enforcers == 1 ? " enforcer" : " enforcers")
                + (jails == 0 ? "" : jails == 1 ? ", 1 jail" : ", " + jails + " jails") + ")");
        out.flush();
        return Main.OK;
    }
}
