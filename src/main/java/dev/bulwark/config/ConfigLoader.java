package dev.bulwark.config;

import static java.util.Objects.requireNonNull;

import dev.bulwark.api.ApiConfig;
import dev.bulwark.daemon.DaemonConfig;
import dev.bulwark.detect.jail.JailsConfig;
import dev.bulwark.enforce.EnforcerConfig;
import dev.bulwark.feed.FeedConfig;
import dev.bulwark.policy.PolicyConfig;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Loads bulwark.yml into a {@link DaemonConfig}. The YAML is composed into nodes that keep their
 * line and column, and read against the known keys, so that every error names its place
 * ({@code FILE:LINE:COLUMN}), its key path ({@code feeds[2].every}), what is wrong and what to
 * write. All of a file's errors are collected in one pass.
 *
 * <p>Any string value may be or contain {@code ${env:NAME}} (from the environment given to the
 * loader) or {@code ${file:PATH}} (the file's content, trailing line breaks removed); relative
 * paths, there and elsewhere in the file, are taken from the configuration file's directory.
 * Values that came from such references never appear in a message.
 */
public final class ConfigLoader {
    /** The environment variable naming the configuration file when no {@code --config} is given. */
    public static final String ENVIRONMENT_VARIABLE = "BULWARK_CONFIG";
    static final List<String> KEYS = List.of("state_dir", "history", "api", "policy", "allow", "feeds", "enforce", "jails", "jail_defaults",
            "recidive");

    private final Map<String, String> environment;

    /** {@code environment}: what {@code ${env:NAME}} reads, normally {@link System#getenv()}. */
    public ConfigLoader(Map<String, String> environment) {
        this.environment = Map.copyOf(requireNonNull(environment, "environment is null"));
    }

    /**
     * The configuration file to use: {@code option} (the {@code --config} value) when given, else
     * the file {@code BULWARK_CONFIG} names, else {@link DaemonConfig#DEFAULT_FILE}.
     */
    public static Path locate(String option, Map<String, String> environment) {
        if (option != null && !option.isBlank()) {
            return Path.of(option);
        }
        String variable = environment.get(ENVIRONMENT_VARIABLE);
        if (variable != null && !variable.isBlank()) {
            return Path.of(variable);
        }
        return DaemonConfig.DEFAULT_FILE;
    }

    /** Reads and checks the file; problems, including an unreadable file, are in the result, never thrown. */
    public ConfigResult load(Path file) {
        NodeReader reader = new NodeReader(file, environment);
        String text = read(file, reader);
        if (text == null) {
            return result(file, null, reader);
        }
        Node root;
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).setSchema(new CoreSchema()).build();
            root = new Compose(settings).composeString(text).orElse(null);
        } catch (MarkedYamlEngineException e) {
            Mark mark = e.getProblemMark().orElse(null);
            String message = "not valid YAML: " + e.getProblem();
            if (mark == null) {
                reader.errorIn(file, 0, 0, null, message);
            } else {
                reader.errorIn(file, mark.getLine() + 1, mark.getColumn() + 1, null, message);
            }
            return result(file, null, reader);
        } catch (YamlEngineException e) {
            reader.errorIn(file, 0, 0, null, "not valid YAML: " + e.getMessage());
            return result(file, null, reader);
        }
        DaemonConfig config = read(file, root, reader);
        warnOfExposure(file, reader);
        return result(file, config, reader);
    }

    private static String read(Path file, NodeReader reader) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            reader.errorIn(file, 0, 0, null, "no such file: write one (see packaging/bulwark.yml), or name another with --config FILE or "
                    + ENVIRONMENT_VARIABLE);
        } catch (AccessDeniedException e) {
            reader.errorIn(file, 0, 0, null, "permission denied: run as a user who may read it (the daemon's user, or root)");
        } catch (CharacterCodingException e) {
            reader.errorIn(file, 0, 0, null, "not UTF-8 text: save it as UTF-8");
        } catch (IOException e) {
            reader.errorIn(file, 0, 0, null, "cannot read: " + e.getMessage());
        }
        return null;
    }

    private static DaemonConfig read(Path file, Node root, NodeReader reader) {
        if (root != null && !(root instanceof MappingNode)) {
            reader.error(root, null, "the configuration must be a mapping of keys (" + String.join(", ", KEYS) + "), one a line such as 'feeds:'");
            return null;
        }
        YamlMap top = reader.mapping(root, "", KEYS);
        Path stateDir = DaemonConfig.DEFAULT_STATE_DIR;
        String written = top.string("state_dir", "a directory such as /var/lib/bulwark", null);
        if (written != null) {
            stateDir = reader.resolve(written);
        }
        Duration historyKeep = historyKeep(top, reader);
        ApiConfig api = ApiSection.read(top.mapping("api", ApiSection.KEYS), reader);
        PolicyConfig policy = PolicySection.read(top.mapping("policy", PolicySection.KEYS), top.get("allow"), reader);
        List<FeedConfig> feeds = FeedsSection.read(top.get("feeds"), reader);
        List<EnforcerConfig> enforce = EnforceSection.read(top.get("enforce"), reader);
        JailsConfig jails = JailsSection.read(top.get("jails"), top.mapping("jail_defaults", JailsSection.DEFAULT_KEYS), top.get("recidive"),
                policy.maxPrefixIpv6(), reader);
        if (feeds.isEmpty() && jails.jails().isEmpty() && reader.errorCount() == 0) {
            reader.warning(top.keyNode("feeds"), "feeds", "no feeds: only bans made by hand will be enforced; add e.g. "
                    + "feeds: [{name: drop, url: https://feeds.example.net/drop.txt}]");
        }
        if (enforce.isEmpty() && reader.errorCount() == 0) {
            reader.warning(top.keyNode("enforce"), "enforce", "no enforcers: nothing will be enforced, decisions are only recorded; "
                    + "add e.g. enforce: [{nftables: {hooks: [input]}}]");
        }
        if (reader.errorCount() > 0) {
            return null;
        }
        Path finalStateDir = stateDir;
        return reader.validated(root, null, () -> new DaemonConfig(file, finalStateDir, api, policy, feeds, enforce, jails, historyKeep));
    }

    /** {@code history: 90d}: how long the history of decisions is kept, at least a day; {@code forever} keeps it all. */
    private static Duration historyKeep(YamlMap top, NodeReader reader) {
        Node node = top.get("history");
        if (node == null) {
            return DaemonConfig.DEFAULT_HISTORY_KEEP;
        }
        Scalar scalar = reader.scalar(node, "history", "a duration such as 90d, or forever");
        if (scalar == null) {
            return DaemonConfig.DEFAULT_HISTORY_KEEP;
        }
        if (scalar.text().trim().equalsIgnoreCase("forever")) {
            return null;
        }
        Duration keep = reader.duration(node, "history", Duration.ofDays(1));
        return keep == null ? DaemonConfig.DEFAULT_HISTORY_KEEP : keep;
    }

    /** Secrets written into the file, or kept in files it names, must not be readable by other users. */
    private static void warnOfExposure(Path file, NodeReader reader) {
        if (reader.holdsLiteralSecrets() && NodeReader.readableByOthers(file)) {
            reader.warning(null, null, NodeReader.exposedMessage(file));
        }
        reader.warnOfExposedSecretFiles();
    }

    private static ConfigResult result(Path file, DaemonConfig config, NodeReader reader) {
        return new ConfigResult(file, reader.errorCount() == 0 ? config : null, inFileOrder(file, reader.errors()),
                inFileOrder(file, reader.warnings()));
    }

    /** Problems are found section by section; they are read best from the top of the file down, those of other files after. */
    private static List<ConfigProblem> inFileOrder(Path file, List<ConfigProblem> problems) {
        List<ConfigProblem> sorted = new ArrayList<>(problems);
        sorted.sort(Comparator.comparing((ConfigProblem problem) -> !problem.file().equals(file))
                .thenComparing(problem -> problem.file().toString())
                .thenComparingInt(ConfigProblem::line)
                .thenComparingInt(ConfigProblem::column));
        return sorted;
    }
}
