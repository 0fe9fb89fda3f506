package dev.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's quick start, on the samples shipped in the repository: what it promises holds. */
class QuickStartTest {
    @TempDir
    Path state;

    @Test
    void compilesTheShippedSamples() throws IOException {
        CommandRun run = compileSamples();
        assertThat(run.code()).as(run.stderr()).isZero();
        List<String> lines = run.stdout().lines().toList();
        long ipv6 = lines.stream().filter(line -> line.contains(":")).count();
        assertThat(lines.size() - ipv6).isEqualTo(11_887);
        assertThat(ipv6).isEqualTo(36);
        // the allowlist and the protected ranges are out; a listed neighbour is in
        assertThat(lines).doesNotContain("10.0.0.0/8", "1.10.16.7", "203.0.113.0/24").contains("1.10.16.8/29");
        assertThat(run.stderr()).contains("refused as too broad", "protected: 10.0.0.0/8 (private)");
    }

    @Test
    void theDryRunEnforcerShowsTheListOnceAndThenNothing() throws IOException {
        String list = compileSamples().stdout();

        CommandRun first = CommandRun.withStdin(list, "enforce", "--backend", "dry-run", "--state-dir", state.toString(), "-");
        CommandRun second = CommandRun.withStdin(list, "enforce", "--backend", "dry-run", "--state-dir", state.toString(), "-");

        assertThat(first.code()).as(first.stderr()).isZero();
        assertThat(first.stdout().lines()).hasSize(11_887 + 36).allMatch(line -> line.startsWith("+ "));
        assertThat(second.stdout()).isEmpty();
        assertThat(second.stderr()).contains("dry-run: unchanged: 0 added, 0 removed, 0 refreshed, 11923 kept");
    }

    private static CommandRun compileSamples() throws IOException {
        List<String> arguments = new ArrayList<>(List.of("compile"));
        try (Stream<Path> feeds = Files.list(Path.of("samples/feeds"))) {
            feeds.map(Path::toString).sorted().forEach(arguments::add);
        }
        arguments.addAll(List.of("--allow", "samples/allow.txt"));
        return CommandRun.of(arguments.toArray(String[]::new));
    }
}
