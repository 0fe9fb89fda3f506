package dev.bulwark.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpSet;
import dev.bulwark.policy.Snapshot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppliedStateTest {
    @TempDir
    Path directory;

    @Test
    void readsBackWhatItWrote() throws Exception {
        Instant now = Instant.parse("2026-11-23T12:00:00Z");
        Snapshot snapshot = new Snapshot(IpSet.of("10.0.0.0/8", "2001:db8::1", "2001:db8:ffff::/48", "255.255.255.255"),
                new java.util.TreeMap<>(java.util.Map.of(now.plusSeconds(90), IpSet.of("192.0.2.7", "::/0"))));
        Elements ipv4 = Elements.of(snapshot, IpFamily.IPV4, now);
        Elements ipv6 = Elements.of(snapshot, IpFamily.IPV6, now);
        Path file = directory.resolve("sub/state");

        new AppliedState("layout-1", ipv4, ipv6).write(file);
        AppliedState read = AppliedState.read(file).orElseThrow();

        assertThat(read.layout()).isEqualTo("layout-1");
        assertThat(ElementDiffTest.texts(read.ipv4())).isEqualTo(ElementDiffTest.texts(ipv4));
        assertThat(ElementDiffTest.texts(read.ipv6())).isEqualTo(ElementDiffTest.texts(ipv6));
        assertThat(ElementDiffTest.texts(read.ipv6())).contains("2001:db8::1");
        try (var files = Files.list(file.getParent())) {
            assertThat(files).as("no temporary file left behind").hasSize(1);
        }
    }

    @Test
    void aMissingOrDamagedFileMeansNoState() throws Exception {
        assertThat(AppliedState.read(directory.resolve("none"))).isEmpty();
        Path truncated = directory.resolve("truncated");
        new AppliedState("x", Elements.of(Snapshot.of(IpSet.of("10.0.0.1", "10.0.0.3")), IpFamily.IPV4, Instant.EPOCH),
                new Elements(IpFamily.IPV6, 0)).write(truncated);
        byte[] bytes = Files.readAllBytes(truncated);
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 9));
        Path garbage = directory.resolve("garbage");
        Files.writeString(garbage, "not a state file");

        assertThat(AppliedState.read(truncated)).isEmpty();
        assertThat(AppliedState.read(garbage)).isEmpty();
    }
}
