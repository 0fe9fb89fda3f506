package dev.bulwark.enforce;

import dev.bulwark.enforce.nftables.NftablesEnforcer;
import dev.bulwark.ip.IpSet;
import dev.bulwark.policy.Snapshot;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * Not a test: what the nftables enforcer itself costs (everything but nft) to apply one more ban
 * beside 1,000,000 feed addresses, as the daemon does after {@code bulwark ban}. nft is replaced
 * by a runner that reads the script and answers success, so only Bulwark's own work is timed.
 *
 * <pre>
 * ./mvnw -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
 * java -cp target/test-classes:target/classes:$(cat target/classpath.txt) dev.bulwark.enforce.NftablesApplyMeasurement [size] [bans]
 * </pre>
 */
public final class NftablesApplyMeasurement {
    private static final String CHAINS = """
            {"nftables": [{"chain": {"family": "inet", "table": "bulwark", "name": "input", "type": "filter", "hook": "input", "prio": -10, "policy": "accept"}},
             {"chain": {"family": "inet", "table": "bulwark", "name": "block"}}]}
            """;

    private NftablesApplyMeasurement() {
    }

    public static void main(String[] arguments) throws Exception {
        int size = arguments.length > 0 ? Integer.parseInt(arguments[0]) : 1_000_000;
        int bans = arguments.length > 1 ? Integer.parseInt(arguments[1]) : 20;
        Instant now = Instant.parse("2026-12-01T12:00:00Z");
        Random random = new Random(42);
        IpSet.Builder feed = IpSet.builder();
        for (int index = 0; index < size; index++) {
            long address = ((random.nextLong(1L << 24, 100L << 24)) & ~3L) | 1;
            feed.addIpv4(address, address);
        }
        IpSet feedSet = feed.build();
        Instant feedExpiry = now.plusSeconds(86_400);
        Path state = Files.createTempDirectory("bulwark-apply-measure");
        NftablesEnforcer enforcer = new NftablesEnforcer("bulwark", RuleSettings.defaults(), new Kernel(), LockoutGuard.none(), state);
        long started = System.nanoTime();
        enforcer.apply(new Snapshot(IpSet.empty(), new TreeMap<>(java.util.Map.of(feedExpiry, feedSet))), now);
        System.out.printf("full load of %,d: %d ms%n", feedSet.prefixCount(dev.bulwark.ip.IpFamily.IPV4), (System.nanoTime() - started) / 1_000_000);
        // the feed's next round an hour later: the same addresses, a new set object, a later expiry
        // that the kernel's elements need not take yet (they keep their older one)
        feedSet = feed.build();
        now = now.plusSeconds(3_600);
        feedExpiry = now.plusSeconds(86_400);
        started = System.nanoTime();
        ApplyReport round = enforcer.apply(new Snapshot(IpSet.empty(), new TreeMap<>(java.util.Map.of(feedExpiry, feedSet))), now);
        System.out.printf("the next round of the feed: %d ms (%s)%n", (System.nanoTime() - started) / 1_000_000, round.summary());
        long[] millis = new long[bans];
        for (int ban = 0; ban < bans; ban++) {
            // each ban a new manual decision beside the earlier ones: the manual origin's group
            IpSet.Builder banned = IpSet.builder();
            for (int earlier = 0; earlier <= ban; earlier++) {
                long address = (198L << 24) | (18L << 16) | (7L << 8) | (earlier * 2 + 1);
                banned.addIpv4(address, address);
            }
            Snapshot snapshot = new Snapshot(IpSet.empty(), new TreeMap<>(java.util.Map.of(
                    feedExpiry, feedSet, now.plusSeconds(3600 + ban), banned.build())));
            Instant at = now.plusSeconds(ban);
            long before = System.nanoTime();
            ApplyReport report = enforcer.apply(snapshot, at);
            millis[ban] = (System.nanoTime() - before) / 1_000_000;
            if (report.full() || report.added() < 1) {
                throw new IllegalStateException("expected an incremental apply adding the ban: " + report.summary());
            }
        }
        try (var files = Files.walk(state)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        long[] sorted = millis.clone();
        Arrays.sort(sorted);
        System.out.printf("one more ban, incremental apply without nft: median %d ms, min %d, max %d (all: %s)%n",
                sorted[bans / 2], sorted[0], sorted[bans - 1], Arrays.toString(millis));
    }

    /** Reads each script to its end, like nft would, and answers success. */
    private static final class Kernel implements CommandRunner {
        @Override
        public Result run(List<String> command, Input input) throws EnforceException {
            try {
                input.writeTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                throw new EnforceException(e.getMessage(), e);
            }
            return new Result(0, "", "");
        }

        @Override
        public Result query(List<String> command) {
            return new Result(0, CHAINS, "");
        }
    }
}
