package dev.bulwark.enforce.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.enforce.ApplyReport;
import dev.bulwark.enforce.EnforceException;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpSet;
import dev.bulwark.policy.Snapshot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileEnforcerTest {
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

    @TempDir
    Path directory;

    @Test
    void writesOnePrefixALineAndRewritesOnlyWhenTheListChanges() throws Exception {
        Path file = directory.resolve("edl/blocklist.txt");
        FileEnforcer enforcer = new FileEnforcer(file, null);
        Snapshot snapshot = new Snapshot(IpSet.of("198.51.100.0/24", "2001:db8::/48"),
                new java.util.TreeMap<>(java.util.Map.of(NOW.plusSeconds(60), IpSet.of("192.0.2.1"), NOW.minusSeconds(1), IpSet.of("192.0.2.9"))));

        ApplyReport first = enforcer.apply(snapshot, NOW);
        assertThat(Files.readString(file)).isEqualTo("192.0.2.1\n198.51.100.0/24\n2001:db8::/48\n");
        assertThat(first.elements()).isEqualTo(3);
        Files.setLastModifiedTime(file, FileTime.from(NOW.minusSeconds(3600)));

        ApplyReport second = enforcer.apply(snapshot, NOW);
        assertThat(second.changed()).isFalse();
        assertThat(Files.getLastModifiedTime(file).toInstant()).as("untouched when unchanged").isEqualTo(NOW.minusSeconds(3600));

        enforcer.apply(snapshot, NOW.plusSeconds(60));
        assertThat(Files.readString(file)).as("the expired group left").isEqualTo("198.51.100.0/24\n2001:db8::/48\n");
        assertThat(Files.list(file.getParent()).map(Path::getFileName).map(Path::toString)).containsExactly("blocklist.txt");
    }

    @Test
    void writesOneFamilyWhenAsked() throws Exception {
        Path file = directory.resolve("v6.txt");
        new FileEnforcer(file, IpFamily.IPV6).apply(Snapshot.of(IpSet.of("198.51.100.0/24", "2001:db8::1")), NOW);
        assertThat(Files.readString(file)).isEqualTo("2001:db8::1\n");
    }

    @Test
    void aFailedWriteKeepsThePreviousFileAndSaysWhere() throws Exception {
        Path file = directory.resolve("list.txt");
        FileEnforcer enforcer = new FileEnforcer(file, null);
        enforcer.apply(Snapshot.of(IpSet.of("198.51.100.1")), NOW);
        Path blocker = directory.resolve("not-a-dir");
        Files.writeString(blocker, "x");
        FileEnforcer broken = new FileEnforcer(blocker.resolve("list.txt"), null);

        assertThatThrownBy(() -> broken.apply(Snapshot.of(IpSet.of("198.51.100.2")), NOW))
                .isInstanceOf(EnforceException.class).hasMessageContaining(blocker.resolve("list.txt").toString());
        assertThat(Files.readString(file)).isEqualTo("198.51.100.1\n");
    }
}
