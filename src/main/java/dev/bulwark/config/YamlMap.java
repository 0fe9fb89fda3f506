package dev.bulwark.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * One YAML mapping of the configuration, its keys checked when it is made: a key that is not a
 * plain string, that repeats, or that is not among the known keys is an error at that key.
 * The typed getters return the fallback when the key is absent, and also after recording an
 * error, so that reading goes on and finds the file's other errors.
 */
final class YamlMap {
    private final NodeReader reader;
    private final Node node;
    private final String path;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();

    /** {@code node} is the mapping, or what stands in its place (an empty value, or null when the key is absent) for positions. */
    YamlMap(NodeReader reader, Node node, String path, List<String> known) {
        this.reader = reader;
        this.node = node;
        this.path = path;
        if (node instanceof MappingNode mapping) {
            for (NodeTuple entry : mapping.getValue()) {
                check(entry, known);
            }
        }
    }

    private void check(NodeTuple entry, List<String> known) {
        Node keyNode = entry.getKeyNode();
        if (!(keyNode instanceof ScalarNode scalar) || NodeReader.isNull(keyNode)) {
            reader.error(keyNode, path, "a key must be a plain name" + (known == null ? "" : " such as " + String.join(", ", known)));
            return;
        }
        String key = scalar.getValue();
        NodeTuple first = entries.get(key);
        if (first != null) {
            int line = first.getKeyNode().getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
            reader.error(keyNode, NodeReader.child(path, key), "duplicate key: '" + key + "' is already set"
                    + (line > 0 ? " at line " + line : "") + "; keep one of them");
            return;
        }
        if (known != null && known.isEmpty()) {
            reader.error(keyNode, NodeReader.child(path, key), "unknown key '" + key + "': " + path + " takes no keys, write {}");
            return;
        }
        if (known != null && !known.contains(key)) {
            reader.error(keyNode, NodeReader.child(path, key), "unknown key '" + key + "'" + Suggestions.didYouMean(key, known)
                    + "; the keys " + (path.isEmpty() ? "at the top level" : "of " + path) + " are: " + String.join(", ", known));
            return;
        }
        entries.put(key, entry);
    }

    /** The mapping's node, or what stands in its place; null when the key is absent altogether. */
    Node node() {
        return node;
    }

    String path() {
        return path;
    }

    /** The valid keys, in the order written. */
    Set<String> keys() {
        return entries.keySet();
    }

    boolean has(String key) {
        return entries.containsKey(key);
    }

    /** The value's node, or null when the key is absent. */
    Node get(String key) {
        NodeTuple entry = entries.get(key);
        return entry == null ? null : entry.getValueNode();
    }

    Node keyNode(String key) {
        NodeTuple entry = entries.get(key);
        return entry == null ? null : entry.getKeyNode();
    }

    String path(String key) {
        return NodeReader.child(path, key);
    }

    /** Records that a required key is missing, at the mapping; returns false then. */
    boolean require(String key, String example) {
        if (has(key)) {
            return true;
        }
        reader.error(node, path, "missing key '" + key + "': add e.g. " + key + ": " + example);
        return false;
    }

    String string(String key, String expected, String fallback) {
        if (!has(key)) {
            return fallback;
        }
        String value = reader.string(get(key), path(key), expected);
        return value == null ? fallback : value;
    }

    int integer(String key, int fallback, int minimum, int maximum) {
        if (!has(key)) {
            return fallback;
        }
        Integer value = reader.integer(get(key), path(key), minimum, maximum);
        return value == null ? fallback : value;
    }

    Duration duration(String key, Duration fallback, Duration minimum) {
        if (!has(key)) {
            return fallback;
        }
        Duration value = reader.duration(get(key), path(key), minimum);
        return value == null ? fallback : value;
    }

    double fraction(String key, double fallback) {
        if (!has(key)) {
            return fallback;
        }
        Double value = reader.fraction(get(key), path(key));
        return value == null ? fallback : value;
    }

    YamlMap mapping(String key, List<String> known) {
        return reader.mapping(get(key), path(key), known);
    }

    List<Node> sequence(String key, String example) {
        return reader.sequence(get(key), path(key), example);
    }
}
