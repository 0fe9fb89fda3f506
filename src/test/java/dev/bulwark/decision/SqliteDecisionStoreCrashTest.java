package dev.bulwark.decision;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write that returned survives the death of the process: a real child JVM writes and
 * acknowledges, is killed with SIGKILL at a random moment, and every acknowledged batch is
 * found when the file is opened again. (Power loss is the business of synchronous=FULL,
 * which a test cannot pull the plug on.)
 */
class SqliteDecisionStoreCrashTest {
    @TempDir
    Path directory;

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void everyAcknowledgedBatchSurvivesAKill() throws Exception {
        long seed = System.nanoTime();
        int killAfter = 200 + new Random(seed).nextInt(200);
        Path file = directory.resolve("decisions.db");
        Path errors = directory.resolve("child.err");
        Process child = new ProcessBuilder(
                ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"),
                SqliteCrashWriter.class.getName(), file.toString())
                .redirectError(errors.toFile())
                .start();
        int acknowledged = -1;
        try (BufferedReader output = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            // other lines (the child's logging) pass by
            while (acknowledged < killAfter && (line = output.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    acknowledged = Integer.parseInt(line.substring(4));
                }
            }
            child.destroyForcibly();
        }
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(acknowledged).as("acknowledged batches before the kill (seed %s); the child said: %s", seed, Files.readString(errors))
                .isEqualTo(killAfter);
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);

        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement statement = connection.createStatement();
             ResultSet check = statement.executeQuery("PRAGMA integrity_check")) {
            assertThat(check.next()).isTrue();
            assertThat(check.getString(1)).isEqualTo("ok");
        }
        Map<Decision.Key, Decision> stored = new HashMap<>();
        try (SqliteDecisionStore store = SqliteDecisionStore.open(file)) {
            store.forEach(decision -> stored.put(decision.key(), decision));
        }
        for (int number = 0; number < (acknowledged + 1) * SqliteCrashWriter.PER_BATCH; number++) {
            Decision written = SqliteCrashWriter.decision(number, SqliteCrashWriter.START);
            assertThat(stored.get(written.key())).as("decision %s of an acknowledged batch (seed %s)", number, seed).isNotNull();
            assertThat(stored.get(written.key()).reason()).isEqualTo(written.reason());
        }
        // batches after the last acknowledged one may have committed, but whole or not at all
        assertThat(stored.size() % SqliteCrashWriter.PER_BATCH).as("decisions of a half-written batch").isZero();
        assertThat(stored.values()).extracting(Decision::lastSeen).as("one touch set them all").containsOnly(
                stored.values().iterator().next().lastSeen());
    }
}
