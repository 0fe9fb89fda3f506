package dev.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.ip.IpFamily;
import dev.bulwark.policy.ProtectedCategory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bulwark compile} against FireHOL's iprange on the same real feeds: the same addresses,
 * in the same minimal CIDR text, once the allowlist and the protected ranges are excluded
 * from iprange's merge too.
 */
class CompileAgainstIprangeTest {
    @TempDir
    Path temporary;
    Path protectedRanges;

    @BeforeEach
    void setUp() throws IOException {
        ExternalTool.assumeInstalled("iprange");
        List<String> lines = new ArrayList<>();
        for (ProtectedCategory category : ProtectedCategory.values()) {
            category.ranges().forEachPrefix(IpFamily.IPV4, (high, low, length) ->
                    lines.add(dev.bulwark.ip.IpFormat.prefix(IpFamily.IPV4, high, low, length)));
        }
        protectedRanges = Files.write(temporary.resolve("protected.txt"), lines);
    }

    @Test
    void sameListAsIprangeOnRealFeeds() throws Exception {
        List<String> feeds = List.of(
                CompileCommandTest.resource("feeds/firehol/firehol_level1.netset"),
                CompileCommandTest.resource("feeds/firehol/spamhaus_drop.netset"),
                CompileCommandTest.resource("feeds/firehol/dshield_top_1000.ipset"),
                CompileCommandTest.resource("feeds/firehol/feodo_2015-10-23_firehol-repo.ipset"),
                CompileCommandTest.resource("feeds/spamhaus/drop.txt"),
                CompileCommandTest.resource("feeds/spamhaus/edrop.txt"),
                CompileCommandTest.resource("feeds/ipsum/ipsum.txt"));
        // allowed: single addresses inside listed prefixes (which must split them) and a whole prefix
        Path allow = Files.writeString(temporary.resolve("allow.txt"), "1.10.16.77\n1.19.128.1\n5.188.10.0/24\n103.77.192.7\n");
        assertSameAsIprange(feeds, allow);
    }

    @Test
    void sameListAsIprangeOnARandomOverlappingFeed() throws Exception {
        Random random = new Random(2026);
        List<String> lines = new ArrayList<>();
        for (int index = 0; index < 200_000; index++) {
            // a dense region, so that entries overlap, nest and touch
            long address = 0x2D000000L + random.nextInt(1 << 22);
            int length = random.nextInt(4) == 0 ? 20 + random.nextInt(13) : 32;
            long network = address & (0xffffffffL << (32 - length)) & 0xffffffffL;
            lines.add(dev.bulwark.ip.IpFormat.prefix(IpFamily.IPV4, 0, network, length));
        }
        Path feed = Files.write(temporary.resolve("random.txt"), lines);
        List<String> allowLines = new ArrayList<>();
        for (int index = 0; index < 2_000; index++) {
            allowLines.add(dev.bulwark.ip.IpFormat.address(IpFamily.IPV4, 0, 0x2D000000L + random.nextInt(1 << 22)));
        }
        Path allow = Files.write(temporary.resolve("allow.txt"), allowLines);
        assertSameAsIprange(List.of(feed.toString()), allow);
    }

    private void assertSameAsIprange(List<String> feeds, Path allow) throws Exception {
        List<String> iprange = new ArrayList<>(List.of("iprange"));
        iprange.addAll(feeds);
        iprange.addAll(List.of("--except", allow.toString(), protectedRanges.toString()));
        ExternalTool.Result reference = ExternalTool.run(iprange);
        assertThat(reference.code()).as(reference.stderr()).isZero();

        List<String> arguments = new ArrayList<>(List.of("compile"));
        arguments.addAll(feeds);
        // iprange has no breadth limit; ours is tested elsewhere
        arguments.addAll(List.of("--allow", allow.toString(), "--max-prefix", "0", "-q"));
        CommandRun ours = CommandRun.of(arguments.toArray(String[]::new));
        assertThat(ours.code()).as(ours.stderr()).isZero();

        assertThat(reference.stdout()).isNotBlank();
        assertThat(ours.stdout()).isEqualTo(reference.stdout());
    }
}
