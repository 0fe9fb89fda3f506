package dev.bulwark.config;

import dev.bulwark.api.ApiConfig;
import dev.bulwark.api.ApiConfig.ApiKey;
import dev.bulwark.ip.IpRange;
import dev.bulwark.ip.IpSet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.snakeyaml.engine.v2.nodes.Node;

/** {@code api: { listen, keys, edl_allow }}. */
final class ApiSection {
    static final List<String> KEYS = List.of("listen", "keys", "edl_allow");
    private static final List<String> KEY_KEYS = List.of("name", "sha256");
    private static final Pattern BRACKETED = Pattern.compile("\\[([^\\]]+)]:(\\d{1,5})");
    private static final Pattern HOST_PORT = Pattern.compile("([^:\\[\\]]+):(\\d{1,5})");
    static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final Pattern KEY_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    private static final Pattern SHA256 = Pattern.compile("(?i)(?:sha256:)?([0-9a-f]{64})");
    private static final String LISTEN_EXAMPLES = "127.0.0.1:8750, [::1]:8750 or 0.0.0.0:8750";

    private ApiSection() {
    }

    static ApiConfig read(YamlMap api, NodeReader reader) {
        int errors = reader.errorCount();
        String host = ApiConfig.DEFAULT_HOST;
        int port = ApiConfig.DEFAULT_PORT;
        if (api.has("listen")) {
            String listen = reader.string(api.get("listen"), api.path("listen"), "host:port such as " + LISTEN_EXAMPLES);
            HostPort parsed = listen == null ? null : hostPort(listen.trim());
            if (parsed == null && listen != null) {
                reader.error(api.get("listen"), api.path("listen"), "'" + listen + "' is not host:port: write e.g. " + LISTEN_EXAMPLES
                        + " (an IPv6 address in brackets, a port from 0 to 65535)");
            } else if (parsed != null) {
                host = parsed.host();
                port = parsed.port();
            }
        }
        List<ApiKey> keys = keys(api, reader);
        IpSet edlNetworks = reader.networks(api.get("edl_allow"), api.path("edl_allow"));
        if (reader.errorCount() > errors) {
            return ApiConfig.defaults();
        }
        String finalHost = host;
        int finalPort = port;
        ApiConfig config = reader.validated(api.node(), api.path(), () -> new ApiConfig(finalHost, finalPort, keys, edlNetworks));
        return config == null ? ApiConfig.defaults() : config;
    }

    private record HostPort(String host, int port) {
    }

    private static HostPort hostPort(String listen) {
        Matcher bracketed = BRACKETED.matcher(listen);
        if (bracketed.matches()) {
            IpRange address = IpRange.tryParse(bracketed.group(1));
            return address == null || !address.isSingleAddress() || !bracketed.group(1).contains(":") ? null
                    : port(bracketed.group(1), bracketed.group(2));
        }
        Matcher plain = HOST_PORT.matcher(listen);
        if (!plain.matches()) {
            return null;
        }
        String host = plain.group(1);
        IpRange address = IpRange.tryParse(host);
        boolean valid = address != null ? address.isSingleAddress() : HOST_NAME.matcher(host).matches() && !host.matches("[0-9.]+");
        return valid ? port(host, plain.group(2)) : null;
    }

    private static HostPort port(String host, String digits) {
        int port = Integer.parseInt(digits);
        return port > 65535 ? null : new HostPort(host, port);
    }

    private static List<ApiKey> keys(YamlMap api, NodeReader reader) {
        List<ApiKey> keys = new ArrayList<>();
        Map<String, Node> names = new HashMap<>();
        List<Node> items = api.sequence("keys", "[{name: monitoring, sha256: 64 hex digits}]");
        for (int index = 0; index < items.size(); index++) {
            String path = NodeReader.item(api.path("keys"), index);
            YamlMap entry = reader.mapping(items.get(index), path, KEY_KEYS);
            boolean complete = entry.require("name", "monitoring") & entry.require("sha256", "the key's SHA-256 in hex (printf %s KEY | sha256sum)");
            String name = entry.string("name", "a name for the key, such as monitoring", null);
            String hash = complete ? sha256(entry, reader) : null;
            if (name != null && !KEY_NAME.matcher(name).matches()) {
                reader.error(entry.get("name"), entry.path("name"), "'" + name + "' is not a key name: use 1 to 64 letters, digits and . _ @ -");
                continue;
            }
            if (name != null && names.containsKey(name)) {
                reader.error(entry.get("name"), entry.path("name"), "API key name '" + name + "' is already used at line "
                        + line(names.get(name)) + ": give each key its own name");
                continue;
            }
            if (name != null) {
                names.put(name, entry.get("name"));
            }
            if (name != null && hash != null) {
                keys.add(new ApiKey(name, hash));
            }
        }
        return keys;
    }

    /** The hash, lowercase; the value is never shown: a raw key written here by mistake must not reach a log. */
    private static String sha256(YamlMap entry, NodeReader reader) {
        Scalar scalar = reader.scalar(entry.get("sha256"), entry.path("sha256"), "the key's SHA-256 as 64 hex digits");
        if (scalar == null) {
            return null;
        }
        if (!scalar.secret()) {
            reader.noteLiteralSecret();
        }
        Matcher matcher = SHA256.matcher(scalar.text().trim());
        if (!matcher.matches()) {
            reader.error(entry.get("sha256"), entry.path("sha256"), (scalar.secret() ? "the value of '" + scalar.node().getValue() + "'" : "the value")
                    + " is not a SHA-256 (64 hex digits): write the hash of the key, not the key (printf %s KEY | sha256sum)");
            return null;
        }
        return matcher.group(1).toLowerCase(Locale.ROOT);
    }

    static int line(Node node) {
        return node.getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
    }
}
