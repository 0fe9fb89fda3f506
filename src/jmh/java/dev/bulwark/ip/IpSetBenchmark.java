package dev.bulwark.ip;

import inet.ipaddr.IPAddress;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv4.IPv4AddressTrie;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code contains} and merging on a 1,000,000-entry IPv4 set (90% single addresses, 10% prefixes
 * /16 to /28, random), ours against the IPAddress library's trie. Run:
 * {@code ./mvnw -Pjmh -DskipTests package && java -jar target/benchmarks.jar IpSetBenchmark}
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class IpSetBenchmark {
    static final int ENTRIES = 1_000_000;
    static final int PROBES = 1 << 16;

    long[] firsts;
    long[] lasts;
    IpSet set;
    IPv4AddressTrie trie;
    long[] probes;
    IPv4Address[] probeAddresses;

    @Setup(Level.Trial)
    public void setUp() {
        Random random = new Random(42);
        firsts = new long[ENTRIES];
        lasts = new long[ENTRIES];
        IpSet.Builder builder = IpSet.builder();
        for (int index = 0; index < ENTRIES; index++) {
            long address = random.nextLong(0x100000000L);
            int length = random.nextInt(10) == 0 ? 16 + random.nextInt(13) : 32;
            long size = 1L << (32 - length);
            firsts[index] = address & -size & 0xffffffffL;
            lasts[index] = firsts[index] + size - 1;
            builder.addIpv4(firsts[index], lasts[index]);
        }
        set = builder.build();
        probes = new long[PROBES];
        probeAddresses = new IPv4Address[PROBES];
        for (int index = 0; index < PROBES; index++) {
            // half the probes are addresses of the set, half random
            probes[index] = index % 2 == 0 ? firsts[random.nextInt(ENTRIES)] : random.nextLong(0x100000000L);
            probeAddresses[index] = new IPv4Address((int) probes[index]);
        }
    }

    @Setup(Level.Trial)
    public void setUpTrie() {
        trie = new IPv4AddressTrie();
        for (int index = 0; index < ENTRIES; index++) {
            int length = 32 - Long.numberOfTrailingZeros(lasts[index] - firsts[index] + 1);
            trie.add(new IPv4Address((int) firsts[index], length).toPrefixBlock());
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(PROBES)
    public int containsIpSet() {
        int hits = 0;
        long[] addresses = probes;
        for (int index = 0; index < addresses.length; index++) {
            if (set.containsIpv4(addresses[index])) {
                hits++;
            }
        }
        return hits;
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(PROBES)
    public int containsIpAddressTrie() {
        int hits = 0;
        for (IPv4Address address : probeAddresses) {
            if (trie.elementContains(address)) {
                hits++;
            }
        }
        return hits;
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2)
    @Measurement(iterations = 5)
    public IpSet mergeIpSet() {
        IpSet.Builder builder = IpSet.builder();
        for (int index = 0; index < ENTRIES; index++) {
            builder.addIpv4(firsts[index], lasts[index]);
        }
        return builder.build();
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 1)
    @Measurement(iterations = 3)
    public IPAddress[] mergeIpAddress() {
        IPv4Address[] blocks = new IPv4Address[ENTRIES];
        for (int index = 0; index < ENTRIES; index++) {
            int length = 32 - Long.numberOfTrailingZeros(lasts[index] - firsts[index] + 1);
            blocks[index] = new IPv4Address((int) firsts[index], length).toPrefixBlock();
        }
        return blocks[0].mergeToPrefixBlocks(blocks);
    }
}
