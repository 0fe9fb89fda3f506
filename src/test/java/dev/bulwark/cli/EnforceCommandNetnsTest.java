package dev.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cron pipeline of the README, for real: {@code bulwark compile ... | bulwark enforce
 * --backend nftables -} as separate processes inside a network namespace, then the kernel's set
 * is read back and the counters printed by {@code enforce --counters}.
 */
class EnforceCommandNetnsTest {
    @TempDir
    Path temporary;
    private String namespace;

    @BeforeEach
    void namespace() throws Exception {
        ExternalTool.assumeRoot();
        ExternalTool.assumeInstalled("nft");
        namespace = "bwc-" + Long.toString(System.nanoTime() % 1_000_000, 36);
        assertThat(ExternalTool.run(List.of("ip", "netns", "add", namespace)).code()).isZero();
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        if (namespace != null) {
            ExternalTool.run(List.of("ip", "netns", "delete", namespace));
        }
    }

    private List<String> bulwark(String... arguments) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace,
                ProcessHandle.current().info().command().orElseThrow(), "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(arguments));
        return command;
    }

    @Test
    void compilePipedIntoEnforceLoadsTheKernel() throws Exception {
        Path feed = Files.writeString(temporary.resolve("feed.txt"), "# a feed\n203.0.113.7\n198.51.100.0/24\n198.51.100.9\n2001:db8:5::/48\n");
        String state = temporary.resolve("state").toString();

        Process compile = new ProcessBuilder(bulwark("compile", feed.toString(), "-q")).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Process enforce = new ProcessBuilder(bulwark("enforce", "--backend", "nftables", "--state-dir", state, "-")).start();
        try (var in = compile.getInputStream(); var out = enforce.getOutputStream()) {
            in.transferTo(out);
        }
        assertThat(compile.waitFor(60, TimeUnit.SECONDS) && enforce.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String report = new String(enforce.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(compile.exitValue()).isZero();
        assertThat(enforce.exitValue()).as(report).isZero();
        assertThat(report).contains("nftables: full load (no state from an earlier apply): 3 added");

        String sets = ExternalTool.run(List.of("ip", "netns", "exec", namespace, "nft", "list", "table", "inet", "bulwark")).stdout();
        assertThat(sets).contains("elements = { 203.0.113.7 }").contains("elements = { 198.51.100.0/24 }").contains("elements = { 2001:db8:5::/48 }");

        ExternalTool.Result again = run(bulwark("enforce", "--backend", "nftables", "--state-dir", state, feed.toString()));
        assertThat(again.stderr()).contains("nftables: unchanged: 0 added, 0 removed, 0 refreshed, 3 kept");
        ExternalTool.Result counters = run(bulwark("enforce", "--backend", "nftables", "--counters"));
        assertThat(counters.stdout()).isEqualTo("ipv4 0 packets 0 bytes\nipv6 0 packets 0 bytes\n");
        ExternalTool.Result removed = run(bulwark("enforce", "--backend", "nftables", "--state-dir", state, "--remove"));
        assertThat(removed.code()).as(removed.stderr()).isZero();
        assertThat(ExternalTool.run(List.of("ip", "netns", "exec", namespace, "nft", "list", "tables")).stdout()).doesNotContain("bulwark");
    }

    private static ExternalTool.Result run(List<String> command) throws IOException, InterruptedException {
        return ExternalTool.run(command);
    }
}
