package dev.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.ip.IpRange;
import dev.bulwark.ip.IpSet;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nft and ipset outputs are loaded by the real tools, twice (a reload must succeed and
 * change nothing), inside a network namespace of their own that vanishes with the process, and
 * read back: the kernel holds exactly the compiled list.
 */
class ScriptLoadTest {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path temporary;

    @BeforeEach
    void needsRootAndUnshare() throws Exception {
        ExternalTool.assumeRoot();
        ExternalTool.assumeInstalled("unshare");
    }

    private IpSet compiled(String format, Path output) {
        CommandRun run = CommandRun.of("compile", CompileCommandTest.resource("feeds/spamhaus/drop.txt"),
                CompileCommandTest.resource("feeds/spamhaus/dropv6.txt"), CompileCommandTest.resource("compile/mixed.txt"),
                "--allow", "198.51.100.77", "--max-prefix", "8,24", "-q", "--output-format", format, "-o", output.toString());
        assertThat(run.code()).as(run.stderr()).isZero();
        CommandRun plain = CommandRun.of("compile", CompileCommandTest.resource("feeds/spamhaus/drop.txt"),
                CompileCommandTest.resource("feeds/spamhaus/dropv6.txt"), CompileCommandTest.resource("compile/mixed.txt"),
                "--allow", "198.51.100.77", "--max-prefix", "8,24", "-q");
        return IpSet.of(plain.stdout().lines().toArray(String[]::new));
    }

    @Test
    void nftLoadsTheScriptAtomicallyAndHoldsExactlyTheList() throws Exception {
        ExternalTool.assumeInstalled("nft");
        Path script = temporary.resolve("list.nft");
        IpSet expected = compiled("nft", script);
        ExternalTool.Result result = ExternalTool.run(List.of("unshare", "--net", "--", "sh", "-c",
                "nft -f \"$1\" && nft -f \"$1\" && nft -j list set inet bulwark v4 && nft -j list set inet bulwark v6", "sh",
                script.toString()));
        assertThat(result.code()).as(result.stderr()).isZero();
        IpSet loaded = parseNftJson(result.stdout());
        assertThat(loaded).isEqualTo(expected);
        assertThat(expected.toPrefixes()).hasSizeGreaterThan(1000);
    }

    @Test
    void ipsetRestoresTheScriptAndHoldsExactlyTheList() throws Exception {
        ExternalTool.assumeInstalled("ipset");
        Path script = temporary.resolve("list.ipset");
        IpSet expected = compiled("ipset", script);
        ExternalTool.Result result = ExternalTool.run(List.of("unshare", "--net", "--", "sh", "-c",
                "ipset restore -f \"$1\" && ipset restore -f \"$1\" && ipset list bulwark-v4 && ipset list bulwark-v6 && echo Name: all sets && ipset list -n",
                "sh", script.toString()));
        assertThat(result.code()).as(result.stderr()).isZero();
        List<String> members = new ArrayList<>();
        boolean inMembers = false;
        for (String line : result.stdout().lines().toList()) {
            if (line.startsWith("Name:")) {
                inMembers = false;
            } else if (line.equals("Members:")) {
                inMembers = true;
            } else if (inMembers && !line.isBlank()) {
                members.add(line.trim());
            }
        }
        assertThat(IpSet.of(members.toArray(String[]::new))).isEqualTo(expected);
        // the swap left no temporary set behind
        String names = result.stdout().substring(result.stdout().indexOf("Name: all sets"));
        assertThat(names.lines().skip(1)).containsExactlyInAnyOrder("bulwark-v4", "bulwark-v6");
    }

    /** Reads the elements of {@code nft -j list set} documents (one per line): addresses, prefixes and ranges. */
    private static IpSet parseNftJson(String output) {
        IpSet.Builder builder = IpSet.builder();
        for (String document : output.lines().filter(line -> !line.isBlank()).toList()) {
            for (JsonNode item : JSON.readTree(document).get("nftables")) {
                JsonNode set = item.get("set");
                if (set == null || set.get("elem") == null) {
                    continue;
                }
                for (JsonNode element : set.get("elem")) {
                    if (element.isString()) {
                        builder.add(IpRange.parse(element.asString()));
                    } else if (element.has("prefix")) {
                        JsonNode prefix = element.get("prefix");
                        builder.add(IpRange.parse(prefix.get("addr").asString() + "/" + prefix.get("len").asInt()));
                    } else if (element.has("range")) {
                        JsonNode range = element.get("range");
                        builder.add(IpRange.parse(range.get(0).asString() + "-" + range.get(1).asString()));
                    } else {
                        throw new AssertionError("unexpected nft element: " + element);
                    }
                }
            }
        }
        return builder.build();
    }
}
