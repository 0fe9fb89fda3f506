package dev.bulwark.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.cli.ExternalTool;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two network namespaces joined by a veth pair: {@code host}, where an enforcer (or the daemon)
 * runs, and {@code attacker}, which sends probes from addresses the test chose. Everything is on
 * one link (by default 10.77.0.0/16, fd77::/64) with static neighbour entries both ways, so a
 * blocked IPv6 source cannot also break neighbour discovery and fail an unblocked probe for the
 * wrong reason. Closing deletes both namespaces.
 */
public final class NetnsLab implements AutoCloseable {
    static final String HOST_V4 = "10.77.0.1";
    static final String HOST_V6 = "fd77::1";
    /** Never listed: probes from here must always pass. */
    static final String CLEAN_V4 = "10.77.0.2";
    static final String CLEAN_V6 = "fd77::2";
    /** Listed as single addresses. */
    static final String LISTED_V4 = "10.77.0.66";
    static final String LISTED_V6 = "fd77::66";
    /** Inside the listed prefixes 10.77.5.0/24 and fd77::5:0:0:0/80. */
    static final String IN_PREFIX_V4 = "10.77.5.77";
    static final String IN_PREFIX_V6 = "fd77::5:0:0:77";
    static final String PREFIX_V4 = "10.77.5.0/24";
    static final String PREFIX_V6 = "fd77:0:0:0:5::/80";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern RECEIVED = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

    /** The namespaces' names: where the enforcer runs, and where the probes come from. */
    public final String host;
    public final String attacker;
    private final String hostV4;
    private final String hostV6;
    private final int ipv4Length;
    private final List<String> sources;

    private NetnsLab(String host, String attacker, String hostV4, String hostV6, int ipv4Length, List<String> sources) {
        this.host = host;
        this.attacker = attacker;
        this.hostV4 = hostV4;
        this.hostV6 = hostV6;
        this.ipv4Length = ipv4Length;
        this.sources = List.copyOf(sources);
    }

    /** The lab of the enforcer tests: the addresses above. Skips the test (with the reason) where the machine cannot make namespaces; CI can. */
    static NetnsLab create() throws IOException, InterruptedException {
        return create(HOST_V4, HOST_V6, 16, List.of(CLEAN_V4, LISTED_V4, IN_PREFIX_V4, CLEAN_V6, LISTED_V6, IN_PREFIX_V6));
    }

    /**
     * A lab whose host holds {@code hostV4} (on a /{@code ipv4Length}) and {@code hostV6} (on a
     * /64), and whose attacker sends from each of {@code sources}, all on the same link.
     */
    public static NetnsLab create(String hostV4, String hostV6, int ipv4Length, List<String> sources) throws IOException, InterruptedException {
        ExternalTool.assumeRoot();
        ExternalTool.assumeInstalled("ip");
        ExternalTool.assumeInstalled("ping");
        String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
        NetnsLab lab = new NetnsLab("bwh-" + suffix, "bwa-" + suffix, hostV4, hostV6, ipv4Length, sources);
        try {
            lab.setUp();
        } catch (RuntimeException | IOException | InterruptedException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    private void setUp() throws IOException, InterruptedException {
        must("ip", "netns", "add", host);
        must("ip", "netns", "add", attacker);
        must("ip", "-n", host, "link", "add", "vh", "type", "veth", "peer", "name", "va", "netns", attacker);
        for (String namespace : List.of(host, attacker)) {
            must("ip", "-n", namespace, "link", "set", "lo", "up");
        }
        must("ip", "-n", host, "address", "add", hostV4 + "/" + ipv4Length, "dev", "vh");
        must("ip", "-n", host, "address", "add", hostV6 + "/64", "dev", "vh", "nodad");
        for (String address : sources) {
            if (address.contains(":")) {
                must("ip", "-n", attacker, "address", "add", address + "/64", "dev", "va", "nodad");
            } else {
                must("ip", "-n", attacker, "address", "add", address + "/" + ipv4Length, "dev", "va");
            }
        }
        must("ip", "-n", host, "link", "set", "vh", "up");
        must("ip", "-n", attacker, "link", "set", "va", "up");
        String hostMac = mac(host, "vh");
        String attackerMac = mac(attacker, "va");
        for (String address : sources) {
            must("ip", "-n", host, "neigh", "replace", address, "lladdr", attackerMac, "dev", "vh", "nud", "permanent");
        }
        for (String address : List.of(hostV4, hostV6)) {
            must("ip", "-n", attacker, "neigh", "replace", address, "lladdr", hostMac, "dev", "va", "nud", "permanent");
        }
    }

    private String mac(String namespace, String device) throws IOException, InterruptedException {
        String output = must("ip", "-n", namespace, "-br", "link", "show", device);
        Matcher matcher = Pattern.compile("([0-9a-f]{2}(:[0-9a-f]{2}){5})").matcher(output);
        assertThat(matcher.find()).as(output).isTrue();
        return matcher.group(1);
    }

    /** A runner whose commands run in the host namespace. */
    CommandRunner hostRunner() {
        return new ProcessRunner(List.of("ip", "netns", "exec", host), Duration.ofSeconds(120));
    }

    LockoutGuard hostGuard() {
        return new LockoutGuard(new SystemHostFacts(hostRunner(), Map.of()));
    }

    /** Runs a command in the host namespace and returns its stdout; fails the test if it fails. */
    public String inHost(String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", host));
        full.addAll(List.of(command));
        return must(full.toArray(String[]::new));
    }

    /** Every element of the nftables sets of table {@code inet TABLE} in the host namespace, as Bulwark writes addresses and prefixes. */
    public Set<String> nftablesElements(String table) throws IOException, InterruptedException {
        Set<String> elements = new TreeSet<>();
        for (String set : List.of("v4", "v4_hosts", "v6", "v6_hosts")) {
            JsonNode listed = JSON.readTree(inHost("nft", "-j", "list", "set", "inet", table, set));
            for (JsonNode item : listed.path("nftables")) {
                for (JsonNode element : item.path("set").path("elem")) {
                    JsonNode value = element.has("elem") ? element.path("elem").path("val") : element;
                    if (value.isString()) {
                        elements.add(value.asString());
                    } else {
                        JsonNode prefix = value.path("prefix");
                        elements.add(prefix.path("addr").asString() + "/" + prefix.path("len").asInt());
                    }
                }
            }
        }
        return elements;
    }

    /** One echo request from {@code source} (an attacker address) to the host: true if answered within a second. */
    public boolean reaches(String source) throws IOException, InterruptedException {
        return received(source, 1, 0) == 1;
    }

    /** Sends {@code count} echo requests from {@code source}, {@code intervalMillis} apart (0: one a second); returns the replies. */
    public int received(String source, int count, int intervalMillis) throws IOException, InterruptedException {
        String target = source.contains(":") ? hostV6 : hostV4;
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", attacker, "ping", "-n", "-q", "-c", Integer.toString(count),
                "-W", "1", "-I", source));
        if (intervalMillis > 0) {
            command.addAll(List.of("-i", String.format("%.3f", intervalMillis / 1000.0)));
        }
        command.add(target);
        ExternalTool.Result result = ExternalTool.run(command);
        Matcher matcher = RECEIVED.matcher(result.stdout());
        assertThat(matcher.find()).as("ping output: " + result.stdout() + result.stderr()).isTrue();
        return Integer.parseInt(matcher.group(2));
    }

    static String must(String... command) throws IOException, InterruptedException {
        ExternalTool.Result result = ExternalTool.run(List.of(command));
        assertThat(result.code()).as(String.join(" ", command) + ": " + result.stderr()).isZero();
        return result.stdout();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (String namespace : List.of(host, attacker)) {
            ExternalTool.run(List.of("ip", "netns", "delete", namespace));
        }
    }
}
