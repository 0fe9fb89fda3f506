package dev.bulwark.cli;

import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.ConfigProblem;
import dev.bulwark.config.ConfigResult;
import dev.bulwark.daemon.Daemon;
import dev.bulwark.daemon.DaemonConfig;
import dev.bulwark.daemon.StateLock;
import dev.bulwark.decision.DecisionStore;
import dev.bulwark.decision.MemoryDecisionStore;
import dev.bulwark.decision.SqliteDecisionStore;
import dev.bulwark.decision.StoreException;
import dev.bulwark.enforce.PrintingRunner;
import dev.bulwark.enforce.ProcessRunner;
import dev.bulwark.enforce.SystemHostFacts;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * {@code bulwark run}: the daemon; and {@code bulwark apply}: one whole cycle of it, for cron
 * users and for boot ({@code --offline}). One class, because both load the same configuration
 * and restore the same state.
 */
final class RunCommand implements Subcommand {
    /** The name of the store's file under {@code state_dir}. */
    static final String STORE_FILE = "decisions.db";

    private final boolean once;
    private final OutputStream stdout;
    private final PrintWriter stderr;
    private final Clock clock;
    private final Map<String, String> environment;

    RunCommand(boolean once, OutputStream stdout, PrintWriter stderr, Clock clock, Map<String, String> environment) {
        this.once = once;
        this.stdout = stdout;
        this.stderr = stderr;
        this.clock = clock;
        this.environment = environment;
    }

    @Override
    public CommandSpec spec() {
        CommandSpec spec = CommandSpec.create().name(once ? "apply" : "run");
        if (once) {
            spec.usageMessage().header("Run one whole cycle: fetch every feed, update the decisions, enforce, exit.").description(
                    "For cron users: the same as the daemon's work, once. The decisions are kept in state_dir, so bans and "
                            + "feed contents carry over between runs and a failed feed keeps its last good content.",
                    "With --offline no feed is fetched: the stored decisions are enforced as they are (what the boot unit "
                            + "bulwark-restore.service does before the network comes up).",
                    "With --dry-run nothing is written and no kernel is touched: the exact nft / ipset / iptables commands "
                            + "are printed instead, and the store is read but not changed.");
        } else {
            spec.usageMessage().header("Run the daemon: feeds on schedule, decisions, enforcement and the API.").description(
                    "Restores every decision from state_dir and reconciles the enforcers with them before the first feed is "
                            + "fetched, so a restart leaves no gap. Stopping it (SIGTERM) leaves the rules in force.",
                    "Talk to it with bulwark ban, unban, list, explain and status, or over HTTP (GET /v1/ip/ADDRESS ...).");
        }
        spec.usageMessage().footer("", "The configuration: --config FILE, else $BULWARK_CONFIG, else /etc/bulwark/bulwark.yml "
                + "(see packaging/bulwark.yml; check one with bulwark config check FILE).", "");
        spec.addOption(OptionSpec.builder("--config").paramLabel("FILE").type(String.class)
                .description("The configuration file.").build());
        if (once) {
            spec.addOption(OptionSpec.builder("--dry-run").arity("0")
                    .description("Print what would be done; change nothing (needs no root).").build());
            spec.addOption(OptionSpec.builder("--offline").arity("0")
                    .description("Fetch no feed: enforce the stored decisions as they are.").build());
        }
        return spec;
    }

    @Override
    public int run(ParseResult parsed) throws Exception {
        Path file = ConfigLoader.locate(parsed.matchedOptionValue("--config", null), environment);
        ConfigResult loaded = new ConfigLoader(environment).load(file);
        for (ConfigProblem warning : loaded.warnings()) {
            stderr.println("bulwark: warning: " + warning);
        }
        if (!loaded.ok()) {
            loaded.errors().forEach(error -> stderr.println(error.toString()));
            stderr.println("bulwark " + spec().name() + ": " + loaded.errors().size() + " error(s) in " + file + "; nothing was started");
            return Main.USAGE;
        }
        DaemonConfig config = loaded.config();
        boolean dryRun = parsed.hasMatchedOption("--dry-run");
        // a dry run reads the state and writes only a copy: it may run beside the daemon
        StateLock lock;
        try {
            lock = dryRun ? null : StateLock.acquire(config.stateDir(), "bulwark " + spec().name());
        } catch (StateLock.Held e) {
            stderr.println("bulwark " + spec().name() + ": " + e.getMessage());
            return Main.FAILURE;
        }
        try {
            return run(parsed, config, dryRun);
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
    }

    private int run(ParseResult parsed, DaemonConfig config, boolean dryRun) throws Exception {
        DecisionStore store = openStore(config, dryRun);
        Path scratch = null;
        if (dryRun) {
            // a dry run writes nothing of the real state: it works on a copy of it
            scratch = java.nio.file.Files.createTempDirectory("bulwark-dry-run");
            config = scratchCopy(config, scratch);
        }
        Daemon.Environment machine = new Daemon.Environment(clock, dryRun ? new PrintingRunner(stdout) : ProcessRunner.local(),
                new SystemHostFacts(ProcessRunner.local(), environment), stdout);
        Daemon daemon;
        try {
            daemon = Daemon.restore(config, store, machine);
        } catch (Exception e) {
            store.close();
            throw e;
        }
        if (once) {
            try {
                boolean ok = daemon.runOnce(parsed.hasMatchedOption("--offline"));
                stdout.flush();
                daemon.reconciler().statuses().forEach(status -> stderr.println(status.error() == null
                        ? status.lastSummary() : status.name() + ": failed: " + status.error()));
                return ok ? Main.OK : Main.FAILURE;
            } finally {
                daemon.close();
                if (scratch != null) {
                    deleteTree(scratch);
                }
            }
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.close();
            stopped.countDown();
        }, "bulwark-shutdown"));
        daemon.start();
        stopped.await();
        return Main.OK;
    }

    /** The configuration with its state directory, and the files its file enforcers write, moved into {@code scratch}. */
    private static DaemonConfig scratchCopy(DaemonConfig config, Path scratch) throws java.io.IOException {
        for (String part : new String[] {"feeds", "enforce"}) {
            Path from = config.stateDir().resolve(part);
            if (java.nio.file.Files.isDirectory(from)) {
                try (var paths = java.nio.file.Files.walk(from)) {
                    for (Path path : paths.toList()) {
                        Path to = scratch.resolve(part).resolve(from.relativize(path).toString());
                        if (java.nio.file.Files.isDirectory(path)) {
                            java.nio.file.Files.createDirectories(to);
                        } else {
                            java.nio.file.Files.copy(path, to);
                        }
                    }
                }
            }
        }
        java.util.List<dev.bulwark.enforce.EnforcerConfig> enforce = new java.util.ArrayList<>();
        for (dev.bulwark.enforce.EnforcerConfig enforcer : config.enforce()) {
            enforce.add(enforcer instanceof dev.bulwark.enforce.EnforcerConfig.File file
                    ? new dev.bulwark.enforce.EnforcerConfig.File(scratch.resolve("files").resolve(file.path().getFileName()), file.family())
                    : enforcer);
        }
        return new DaemonConfig(config.source(), scratch, config.api(), config.policy(), config.feeds(), enforce, config.jails(),
                config.historyKeep());
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (var paths = java.nio.file.Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(path);
            }
        }
    }

    private static DecisionStore openStore(DaemonConfig config, boolean dryRun) throws StoreException {
        Path file = config.stateDir().resolve(STORE_FILE);
        if (!dryRun) {
            return SqliteDecisionStore.open(file);
        }
        // a dry run changes nothing: it works on a copy in memory
        if (!java.nio.file.Files.exists(file)) {
            return new MemoryDecisionStore();
        }
        try (SqliteDecisionStore stored = SqliteDecisionStore.open(file)) {
            return MemoryDecisionStore.copyOf(stored);
        }
    }
}
