package dev.bulwark.config;

import dev.bulwark.ip.IpRange;
import dev.bulwark.ip.IpSet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads typed values from the YAML nodes of one configuration file. Every problem is recorded
 * with its file, line, column and key path, and reading goes on, so that one pass reports all
 * of a file's errors. A reader that finds a problem returns null (or the caller's fallback).
 */
final class NodeReader {
    static final String NETWORK_EXAMPLES = "192.0.2.0/24, 2001:db8::/32, 198.51.100.7 or 192.0.2.1-192.0.2.9";
    private static final int SECRET_FILE_LIMIT = 64 * 1024;
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern ENVIRONMENT_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[-+]?\\d{1,9}");
    private static final Pattern PERCENT = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,6})?)\\s*%");
    private static final Pattern FRACTION = Pattern.compile("\\d{1,9}(?:\\.\\d{1,9})?|\\.\\d{1,9}");

    private final Path file;
    private final Path directory;
    private final Map<String, String> environment;
    private final List<ConfigProblem> errors = new ArrayList<>();
    private final List<ConfigProblem> warnings = new ArrayList<>();
    /** Secret files that others may read, with the node that refers to each, for one warning a file. */
    private final Map<Path, Located> exposedSecretFiles = new LinkedHashMap<>();
    private boolean literalSecrets;

    private record Located(Node node, String key) {
    }

    NodeReader(Path file, Map<String, String> environment) {
        this.file = file;
        this.directory = file.getParent() == null ? Path.of("") : file.getParent();
        this.environment = Map.copyOf(environment);
    }

    Path file() {
        return file;
    }

    /** A path as written in the configuration: relative ones are taken from the configuration file's directory. */
    Path resolve(String written) {
        return directory.resolve(written).normalize();
    }

    // ---- problems

    void error(Node node, String key, String message) {
        errors.add(problem(ConfigProblem.Severity.ERROR, node, key, message));
    }

    /** An error in another file the configuration names, such as an allowlist. */
    void errorIn(Path otherFile, int line, int column, String key, String message) {
        errors.add(new ConfigProblem(ConfigProblem.Severity.ERROR, otherFile, line, column, key, message));
    }

    void warning(Node node, String key, String message) {
        warnings.add(problem(ConfigProblem.Severity.WARNING, node, key, message));
    }

    private ConfigProblem problem(ConfigProblem.Severity severity, Node node, String key, String message) {
        Mark mark = node == null ? null : node.getStartMark().orElse(null);
        return mark == null ? new ConfigProblem(severity, file, 0, 0, key, message)
                : new ConfigProblem(severity, file, mark.getLine() + 1, mark.getColumn() + 1, key, message);
    }

    int errorCount() {
        return errors.size();
    }

    List<ConfigProblem> errors() {
        return errors;
    }

    List<ConfigProblem> warnings() {
        return warnings;
    }

    /** The configuration file itself holds a secret (a literal credential), so it must not be readable by others. */
    void noteLiteralSecret() {
        literalSecrets = true;
    }

    boolean holdsLiteralSecrets() {
        return literalSecrets;
    }

    /** Warns of each {@code ${file:}} secret that others may read. */
    void warnOfExposedSecretFiles() {
        exposedSecretFiles.forEach((path, where) -> warning(where.node(), where.key(), exposedMessage(path)));
    }

    static String exposedMessage(Path path) {
        return path + " is readable by others and holds secrets: chmod 600 " + path;
    }

    /** Whether the group or others may read the file; false where the file system has no POSIX permissions. */
    static boolean readableByOthers(Path path) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
            return permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ);
        } catch (UnsupportedOperationException | IOException e) {
            return false;
        }
    }

    /**
     * Runs a record's own validation of a value, recording its complaint at the value's node.
     * Returns the record, or null when it refused.
     */
    <T> T validated(Node node, String key, Supplier<T> construct) {
        try {
            return construct.get();
        } catch (IllegalArgumentException | NullPointerException e) {
            error(node, key, e.getMessage());
            return null;
        }
    }

    // ---- structure

    static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    static String item(String path, int index) {
        return path + "[" + index + "]";
    }

    static boolean isNull(Node node) {
        return node == null || node instanceof ScalarNode scalar && scalar.isPlain() && scalar.getTag().equals(Tag.NULL);
    }

    /** A mapping whose keys are checked against {@code known} (null: any key); an absent or empty value is an empty mapping. */
    YamlMap mapping(Node node, String key, List<String> known) {
        if (node instanceof MappingNode mapping) {
            return new YamlMap(this, mapping, key, known);
        }
        if (!isNull(node)) {
            error(node, key, "expected a mapping of " + (known == null ? "names to values" : "keys (" + String.join(", ", known) + ")")
                    + ", found " + kind(node));
        }
        return new YamlMap(this, node, key, known);
    }

    /** The items of a list; an absent or empty value is an empty list. */
    List<Node> sequence(Node node, String key, String example) {
        if (node instanceof SequenceNode sequence) {
            return sequence.getValue();
        }
        if (!isNull(node)) {
            error(node, key, "expected a list, found " + kind(node) + "; write e.g. " + example);
        }
        return List.of();
    }

    private String kind(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (node instanceof ScalarNode scalar) {
            return "'" + (scalar.getValue().length() > 60 ? scalar.getValue().substring(0, 60) + "..." : scalar.getValue()) + "'";
        }
        return "nothing";
    }

    // ---- scalars

    /** The scalar with its references replaced; null (error recorded) when the node is no scalar, is empty or a reference fails. */
    Scalar scalar(Node node, String key, String expected) {
        if (node instanceof ScalarNode scalar) {
            if (isNull(scalar)) {
                error(node, key, "has no value: write " + expected);
                return null;
            }
            return resolve(scalar, key);
        }
        error(node, key, "expected " + expected + ", found " + kind(node));
        return null;
    }

    /** A non-blank string. */
    String string(Node node, String key, String expected) {
        Scalar scalar = scalar(node, key, expected);
        if (scalar == null) {
            return null;
        }
        if (scalar.text().isBlank()) {
            error(node, key, (scalar.secret() ? scalar.shown() + " is empty" : "is empty") + ": write " + expected);
            return null;
        }
        return scalar.text();
    }

    Integer integer(Node node, String key, int minimum, int maximum) {
        String expected = "a whole number from " + minimum + " to " + maximum;
        Scalar scalar = scalar(node, key, expected);
        if (scalar == null) {
            return null;
        }
        String text = scalar.text().trim();
        if (!WHOLE_NUMBER.matcher(text).matches()) {
            error(node, key, "expected " + expected + ", found " + scalar.shown());
            return null;
        }
        if (!scalar.untyped()) {
            error(node, key, "expected " + expected + ", found the quoted text " + scalar.shown() + ": remove the quotes");
            return null;
        }
        int value = Integer.parseInt(text.startsWith("+") ? text.substring(1) : text);
        if (value < minimum || value > maximum) {
            error(node, key, "must be from " + minimum + " to " + maximum + ", not " + value);
            return null;
        }
        return value;
    }

    Boolean bool(Node node, String key) {
        Scalar scalar = scalar(node, key, "true or false");
        if (scalar == null) {
            return null;
        }
        String text = scalar.text().trim().toLowerCase(Locale.ROOT);
        if (scalar.untyped() && (text.equals("true") || text.equals("false"))) {
            return text.equals("true");
        }
        error(node, key, "expected true or false, found " + scalar.shown());
        return null;
    }

    /** A duration of at least {@code minimum}. */
    Duration duration(Node node, String key, Duration minimum) {
        String expected = "a duration such as " + DurationFormat.EXAMPLES;
        Scalar scalar = scalar(node, key, expected);
        if (scalar == null) {
            return null;
        }
        Duration duration = DurationFormat.parse(scalar.text());
        if (duration == null) {
            String text = scalar.text().trim();
            String hint = !scalar.secret() && WHOLE_NUMBER.matcher(text).matches() ? ": add a unit, e.g. " + text + "s, " + text + "m or " + text + "h"
                    : ": write e.g. " + DurationFormat.EXAMPLES + " (units ms, s, m, h, d)";
            error(node, key, scalar.shown() + " is not a duration" + hint);
            return null;
        }
        if (duration.compareTo(minimum) < 0) {
            error(node, key, minimum.equals(Duration.ofMillis(1)) ? "must be more than 0"
                    : "must be at least " + DurationFormat.format(minimum) + ", not " + DurationFormat.format(duration));
            return null;
        }
        return duration;
    }

    /** A share from 0 to 1, written as a percentage ({@code 50%}) or a fraction ({@code 0.5}). */
    Double fraction(Node node, String key) {
        String expected = "a percentage such as 50% or a fraction such as 0.5";
        Scalar scalar = scalar(node, key, expected);
        if (scalar == null) {
            return null;
        }
        String text = scalar.text().trim();
        Matcher percent = PERCENT.matcher(text);
        double value;
        if (percent.matches()) {
            value = Double.parseDouble(percent.group(1)) / 100;
        } else if (scalar.untyped() && FRACTION.matcher(text).matches()) {
            value = Double.parseDouble(text);
        } else {
            error(node, key, "expected " + expected + ", found " + scalar.shown());
            return null;
        }
        if (value > 1 && scalar.untyped() && WHOLE_NUMBER.matcher(text).matches()) {
            error(node, key, "must be from 0 to 1, not " + scalar.shown() + ": for a percentage write " + text + "%");
            return null;
        }
        if (value < 0 || value > 1) {
            error(node, key, "must be from 0% to 100% (0 to 1), not " + scalar.shown());
            return null;
        }
        return value;
    }

    /** A list of addresses, prefixes and ranges. */
    IpSet networks(Node node, String key) {
        IpSet.Builder builder = IpSet.builder();
        List<Node> items = sequence(node, key, "[" + NETWORK_EXAMPLES + "]");
        for (int index = 0; index < items.size(); index++) {
            IpRange range = network(items.get(index), item(key, index));
            if (range != null) {
                builder.add(range);
            }
        }
        return builder.build();
    }

    IpRange network(Node node, String key) {
        String text = string(node, key, "an address, prefix or range such as " + NETWORK_EXAMPLES);
        if (text == null) {
            return null;
        }
        try {
            return IpRange.parse(text.trim());
        } catch (IllegalArgumentException e) {
            error(node, key, e.getMessage() + "; write e.g. " + NETWORK_EXAMPLES);
            return null;
        }
    }

    // ---- references

    private Scalar resolve(ScalarNode node, String key) {
        String written = node.getValue();
        if (!written.contains("${")) {
            return new Scalar(node, written, false);
        }
        Matcher reference = REFERENCE.matcher(written);
        StringBuilder text = new StringBuilder();
        boolean failed = false;
        int end = 0;
        while (reference.find()) {
            text.append(written, end, reference.start());
            end = reference.end();
            String value = dereference(node, key, reference.group(1));
            if (value == null) {
                failed = true;
            } else {
                text.append(value);
            }
        }
        if (written.indexOf("${", end) >= 0) {
            error(node, key, "'${' without a closing '}': write ${env:NAME} or ${file:PATH}");
            return null;
        }
        text.append(written, end, written.length());
        return failed ? null : new Scalar(node, text.toString(), true);
    }

    private String dereference(Node node, String key, String expression) {
        if (expression.startsWith("env:")) {
            String name = expression.substring(4);
            if (!ENVIRONMENT_NAME.matcher(name).matches()) {
                error(node, key, "'${" + expression + "}' names no environment variable: write ${env:NAME}, NAME of letters, digits and _");
                return null;
            }
            String value = environment.get(name);
            if (value == null || value.isEmpty()) {
                error(node, key, "environment variable " + name + (value == null ? " is not set" : " is empty")
                        + ": set it where Bulwark runs (e.g. Environment= or EnvironmentFile= in its systemd unit)");
                return null;
            }
            return value;
        }
        if (expression.startsWith("file:")) {
            String written = expression.substring(5).trim();
            if (written.isEmpty()) {
                error(node, key, "'${file:}' names no file: write ${file:/etc/bulwark/secret}");
                return null;
            }
            return readSecretFile(node, key, resolve(written));
        }
        error(node, key, "unknown reference '${" + expression + "}': write ${env:NAME} or ${file:PATH}");
        return null;
    }

    private String readSecretFile(Node node, String key, Path path) {
        byte[] bytes;
        try (InputStream input = Files.newInputStream(path)) {
            bytes = input.readNBytes(SECRET_FILE_LIMIT + 1);
        } catch (NoSuchFileException e) {
            error(node, key, "secret file " + path + " does not exist: create it (chmod 600) or correct the path");
            return null;
        } catch (AccessDeniedException e) {
            error(node, key, "secret file " + path + " is not readable: permission denied; let the user Bulwark runs as read it");
            return null;
        } catch (IOException e) {
            error(node, key, "cannot read secret file " + path + ": " + e.getMessage());
            return null;
        }
        if (bytes.length > SECRET_FILE_LIMIT) {
            error(node, key, "secret file " + path + " is larger than 64 KiB: it should hold the secret alone");
            return null;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            error(node, key, "secret file " + path + " is not UTF-8 text");
            return null;
        }
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        if (end == 0) {
            error(node, key, "secret file " + path + " is empty: write the secret into it");
            return null;
        }
        if (readableByOthers(path)) {
            exposedSecretFiles.putIfAbsent(path, new Located(node, key));
        }
        return text.substring(0, end);
    }
}
