package dev.bulwark.cli;

import dev.bulwark.Version;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/** The {@code bulwark} command: parses the command line, runs one subcommand, exits with its code. */
public final class Main {
    static final int OK = 0;
    static final int FAILURE = 1;
    static final int USAGE = 2;

    private Main() {
    }

    public static void main(String[] arguments) {
        OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        PrintWriter stderr = new PrintWriter(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        int code = execute(arguments, new FileInputStream(FileDescriptor.in), stdout, stderr, Clock.systemUTC());
        stderr.flush();
        System.exit(code);
    }

    /** Runs one command line against the given streams; returns the exit code. */
    public static int execute(String[] arguments, InputStream stdin, OutputStream stdout, PrintWriter stderr, Clock clock) {
        PrintWriter out = new PrintWriter(stdout, true, StandardCharsets.UTF_8);
        Map<String, Supplier<Subcommand>> commands = new LinkedHashMap<>();
        commands.put("compile", () -> new CompileCommand(stdin, stdout, stderr, clock));
        commands.put("enforce", () -> new EnforceCommand(stdin, stdout, stderr, clock, System.getenv()));
        commands.put("run", () -> new RunCommand(false, stdout, stderr, clock, System.getenv()));
        commands.put("apply", () -> new RunCommand(true, stdout, stderr, clock, System.getenv()));
        commands.put("ban", () -> new BanCommand(stdout, stderr, clock, System.getenv()));
        commands.put("unban", () -> new UnbanCommand(stdout, stderr, clock, System.getenv()));
        commands.put("list", () -> new ListCommand(stdout, stderr, clock, System.getenv()));
        commands.put("explain", () -> new ExplainCommand(stdout, stderr, clock, System.getenv()));
        commands.put("status", () -> new StatusCommand(stdout, stderr, clock, System.getenv()));
        commands.put("config", () -> new ConfigCheckCommand(stdout, stderr, System.getenv()));
        commands.put("filter-test", () -> new FilterTestCommand(stdin, stdout, stderr, clock));
        commands.put("detect", () -> new DetectCommand(stdin, stdout, stderr, System.getenv()));
        // building every command's options costs start-up time: a named command builds only its own
        List<Subcommand> subcommands = new ArrayList<>();
        Supplier<Subcommand> named = arguments.length > 0 ? commands.get(arguments[0]) : null;
        if (named != null) {
            subcommands.add(named.get());
        } else {
            commands.values().forEach(command -> subcommands.add(command.get()));
        }
        CommandSpec top = CommandSpec.create().name("bulwark");
        top.usageMessage().description(
                "Blocks malicious IP addresses: compiles threat-intelligence feeds (plain lists, CSV, JSON, STIX 2.1) "
                        + "into one minimal, allowlisted CIDR list, and enforces it in the kernel with nftables or ipset + iptables; "
                        + "as a daemon (bulwark run), keeps feeds fresh, decisions with their provenance, and answers lookups.",
                "",
                "Exit codes: 0 success, 1 failure at run time, 2 bad usage.");
        addStandardHelpOptions(top);
        top.versionProvider(() -> new String[] {"bulwark " + Version.current(),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"});
        top.usageMessage().footer("", "Run 'bulwark COMMAND --help' for a command's options.");
        CommandLine commandLine = new CommandLine(top);
        Map<String, Subcommand> byName = new LinkedHashMap<>();
        for (Subcommand subcommand : subcommands) {
            CommandSpec spec = subcommand.spec();
            addStandardHelpOptions(spec);
            commandLine.addSubcommand(spec.name(), new CommandLine(spec));
            byName.put(spec.name(), subcommand);
        }
        commandLine.setOut(out);
        commandLine.setErr(stderr);
        try {
            ParseResult parsed = commandLine.parseArgs(arguments);
            if (CommandLine.printHelpIfRequested(parsed)) {
                out.flush();
                return OK;
            }
            if (!parsed.hasSubcommand()) {
                stderr.println("bulwark: a command is required, e.g. bulwark compile FEED...");
                stderr.print(commandLine.getUsageMessage());
                return USAGE;
            }
            ParseResult sub = parsed.subcommand();
            Subcommand subcommand = byName.get(sub.commandSpec().name());
            if (subcommand == null) {
                throw new IllegalStateException("no implementation for " + sub.commandSpec().name());
            }
            return subcommand.run(sub);
        } catch (CommandLine.ParameterException e) {
            stderr.println("bulwark: " + e.getMessage());
            stderr.println("Try 'bulwark " + commandName(e) + "--help' for more information.");
            return USAGE;
        } catch (Exception e) {
            stderr.println("bulwark: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return FAILURE;
        } finally {
            out.flush();
            stderr.flush();
        }
    }

    private static String commandName(CommandLine.ParameterException e) {
        String name = e.getCommandLine().getCommandSpec().name();
        return name.equals("bulwark") ? "" : name + " ";
    }

    private static void addStandardHelpOptions(CommandSpec spec) {
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true).description("Print the version and exit.").build());
    }
}
