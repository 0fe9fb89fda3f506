package dev.bulwark.enforce;

import dev.bulwark.ip.IpAddress;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads {@link HostFacts} from iproute2: {@code ip -j address}, {@code ip -j route show default}
 * (both families) and {@code ss} for established TCP connections whose local end is an SSH port
 * or whose process is sshd; plus {@code SSH_CONNECTION} of the session that runs Bulwark.
 */
public final class SystemHostFacts implements HostFacts {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final CommandRunner runner;
    private final Map<String, String> environment;

    public SystemHostFacts(CommandRunner runner, Map<String, String> environment) {
        this.runner = runner;
        this.environment = Map.copyOf(environment);
    }

    @Override
    public List<IpAddress> ownAddresses() throws EnforceException {
        List<IpAddress> addresses = new ArrayList<>();
        for (JsonNode link : json(List.of("ip", "-j", "address", "show"))) {
            for (JsonNode address : link.path("addr_info")) {
                add(addresses, address.path("local").asString(""));
            }
        }
        return addresses;
    }

    @Override
    public List<IpAddress> defaultGateways() throws EnforceException {
        List<IpAddress> gateways = new ArrayList<>();
        for (String family : List.of("-4", "-6")) {
            for (JsonNode route : json(List.of("ip", family, "-j", "route", "show", "default"))) {
                add(gateways, route.path("gateway").asString(""));
                for (JsonNode hop : route.path("nexthops")) {
                    add(gateways, hop.path("gateway").asString(""));
                }
            }
        }
        return gateways;
    }

    @Override
    public List<IpAddress> sshPeers() throws EnforceException {
        List<IpAddress> peers = new ArrayList<>();
        String connection = environment.get("SSH_CONNECTION");
        if (connection != null && !connection.isBlank()) {
            add(peers, connection.trim().split("\\s+")[0]);
        }
        CommandRunner.Result result = runner.query(List.of("ss", "-H", "-t", "-n", "-p", "state", "established"));
        if (result == null) {
            return peers;
        }
        if (!result.ok()) {
            throw new EnforceException("cannot list the open SSH sessions with ss: " + result.message());
        }
        for (String line : result.stdout().split("\n")) {
            String[] columns = line.trim().split("\\s+");
            if (columns.length < 4) {
                continue;
            }
            String local = columns[2];
            String peer = columns[3];
            boolean ssh = local.endsWith(":22") || line.contains("\"sshd");
            if (ssh) {
                add(peers, hostOf(peer));
            }
        }
        return peers;
    }

    /** {@code 192.0.2.2:5555}, {@code [2001:db8::2]:5555} or {@code [fe80::1%eth0]:5555} to the address. */
    static String hostOf(String endpoint) {
        int colon = endpoint.lastIndexOf(':');
        String host = colon < 0 ? endpoint : endpoint.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int zone = host.indexOf('%');
        return zone < 0 ? host : host.substring(0, zone);
    }

    private JsonNode json(List<String> command) throws EnforceException {
        CommandRunner.Result result = runner.query(command);
        if (result == null) {
            return JSON.createArrayNode();
        }
        if (!result.ok()) {
            throw new EnforceException("cannot read this host's addresses and routes (" + String.join(" ", command) + "): " + result.message());
        }
        String text = result.stdout().isBlank() ? "[]" : result.stdout();
        try {
            return JSON.readTree(text);
        } catch (RuntimeException e) {
            throw new EnforceException("cannot parse the output of " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
    }

    private static void add(List<IpAddress> addresses, String text) {
        if (text == null || text.isEmpty()) {
            return;
        }
        try {
            addresses.add(IpAddress.parse(text));
        } catch (IllegalArgumentException e) {
            // not an address we block by (e.g. an interface-scoped oddity): nothing to protect
        }
    }
}
