package dev.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CompileCommandTest {
    @TempDir
    Path temporary;

    static String resource(String name) {
        try {
            return Path.of(CompileCommandTest.class.getResource("/" + name).toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static String read(String name) throws IOException {
        return Files.readString(Path.of(resource(name)), StandardCharsets.UTF_8);
    }

    /** The goldens under src/test/resources/compile were written by hand, not produced by this code. */
    @ParameterizedTest
    @ValueSource(strings = {"plain", "nft", "ipset", "json"})
    void writesEachOutputFormatExactly(String format) throws IOException {
        CommandRun run = CommandRun.of("compile", resource("compile/mixed.txt"), "--allow", resource("compile/allow.txt"),
                "--output-format", format);
        assertThat(run.code()).as(run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo(read("compile/mixed." + format));
    }

    @Test
    void summaryExplainsEveryEntryLeftOut() {
        CommandRun run = CommandRun.of("compile", resource("compile/mixed.txt"), "--allow", "198.51.100.77");
        assertThat(run.stderr())
                .contains("14 read, 12 accepted, 2 rejected, 1 refused as too broad, 3 touching protected ranges")
                .contains("rejected line 14: '192.030.0.6", "leading zero in IPv4 octet")
                .contains("rejected line 15: 'not-an-address': not an IP address")
                .contains("too broad: 224.0.0.0/3")
                .contains("protected: 10.1.2.3 (private)", "protected: 0.0.0.0/8 (unspecified)", "protected: fe80::1 (link-local)")
                .contains("1 listed addresses kept out")
                .contains("compiled: 12 IPv4 prefixes (521 addresses), 2 IPv6 prefixes");
        assertThat(run.stdout()).doesNotContain("198.51.100.77\n").contains("198.51.100.76\n", "198.51.100.78/31\n");
    }

    @Test
    void protectionAndPrefixLimitCanBeChanged() {
        CommandRun run = CommandRun.of("compile", resource("compile/mixed.txt"), "--protect", "none", "--max-prefix", "0,0", "-q");
        assertThat(run.code()).isZero();
        assertThat(run.stdout()).contains("0.0.0.0/8\n", "10.1.2.3\n", "224.0.0.0/3\n", "fe80::1\n");
        CommandRun onlyLoopback = CommandRun.of("compile", resource("compile/mixed.txt"), "--protect", "loopback,link-local", "-q");
        assertThat(onlyLoopback.stdout()).contains("10.1.2.3\n").doesNotContain("fe80::1");
    }

    @Test
    void minScoreKeepsScoredEntriesAtOrAboveAndEveryUnscoredEntry() throws IOException {
        Path scored = temporary.resolve("scored.json");
        Files.writeString(scored, """
                {"threats":[{"ip_address":"203.0.113.1","threat_score":90},
                            {"ip_address":"203.0.113.2","threat_score":60},
                            {"ip_address":"203.0.113.3","threat_score":59}]}
                """);
        Path plain = temporary.resolve("plain.txt");
        Files.writeString(plain, "198.51.100.9\n");
        CommandRun run = CommandRun.of("compile", scored.toString(), plain.toString(), "--min-score", "60");
        assertThat(run.code()).as(run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo("198.51.100.9\n203.0.113.1\n203.0.113.2\n");
        assertThat(run.stderr()).contains("(json): 3 read, 3 accepted, 0 rejected, 1 below score");
    }

    @Test
    void rejectedJsonEntriesAreNamedByRecord() throws IOException {
        Path feed = temporary.resolve("list.json");
        Files.writeString(feed, "[\"203.0.113.1\", \"203.0.113.300\", \"203.0.113.3\"]");
        CommandRun run = CommandRun.of("compile", feed.toString());
        assertThat(run.code()).isZero();
        assertThat(run.stdout()).isEqualTo("203.0.113.1\n203.0.113.3\n");
        assertThat(run.stderr()).contains("rejected record 2: '203.0.113.300': IPv4 octet out of range");
    }

    @Test
    void readsStdinAndAllowsFromAFileInAnotherFormat() throws IOException {
        Path allow = temporary.resolve("allow.csv");
        Files.writeString(allow, "ip,comment\n192.0.2.5,our office\n");
        CommandRun run = CommandRun.withStdin("192.0.2.0/29\n", "compile", "-", "--allow", allow.toString(), "-q");
        assertThat(run.code()).as(run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo("192.0.2.0/30\n192.0.2.4\n192.0.2.6/31\n");
    }

    @Test
    void aFeedThatCannotBeReadWritesNothingAndFails() throws IOException {
        Path output = temporary.resolve("list.txt");
        Files.writeString(output, "203.0.113.99\n");
        CommandRun run = CommandRun.of("compile", resource("compile/mixed.txt"), temporary.resolve("missing.txt").toString(),
                "-o", output.toString());
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.stdout()).isEmpty();
        assertThat(run.stderr()).contains("feed file not found: " + temporary.resolve("missing.txt"))
                .contains("nothing written");
        // the last good list stays in place
        assertThat(Files.readString(output)).isEqualTo("203.0.113.99\n");
    }

    @Test
    void anEmptyResultIsRefusedUnlessAllowed() throws IOException {
        Path empty = temporary.resolve("empty.txt");
        Files.writeString(empty, "# nothing today\n");
        CommandRun refused = CommandRun.of("compile", empty.toString());
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.stdout()).isEmpty();
        assertThat(refused.stderr()).contains("(empty feed)", "the compiled list is empty", "--allow-empty");
        CommandRun allowed = CommandRun.of("compile", empty.toString(), "--allow-empty", "-q");
        assertThat(allowed.code()).isZero();
        assertThat(allowed.stdout()).isEmpty();
    }

    @Test
    void writesTheOutputFileAtomicallyInPlace() throws IOException {
        Path output = temporary.resolve("list.txt");
        Files.writeString(output, "old\n");
        CommandRun run = CommandRun.of("compile", resource("compile/mixed.txt"), "-q", "-o", output.toString());
        assertThat(run.code()).isZero();
        assertThat(run.stdout()).isEmpty();
        assertThat(Files.readString(output)).startsWith("192.0.2.0/24\n").endsWith("2001:db8:1::1\n");
        try (var files = Files.list(temporary)) {
            assertThat(files.map(path -> path.getFileName().toString())).containsExactly("list.txt");
        }
    }

    @Test
    void badUsageExitsWithTwoAndSaysWhatToDo() {
        assertThat(CommandRun.of("compile").code()).isEqualTo(2);
        CommandRun score = CommandRun.of("compile", resource("compile/mixed.txt"), "--min-score", "101");
        assertThat(score.code()).isEqualTo(2);
        assertThat(score.stderr()).contains("minimum score must be 0 to 100, not 101");
        CommandRun format = CommandRun.of("compile", resource("compile/mixed.txt"), "--output-format", "xml");
        assertThat(format.code()).isEqualTo(2);
        assertThat(format.stderr()).contains("unknown output format 'xml': use plain, nft, ipset or json");
        CommandRun protect = CommandRun.of("compile", resource("compile/mixed.txt"), "--protect", "privat");
        assertThat(protect.stderr()).contains("unknown protected range 'privat'");
        CommandRun scheme = CommandRun.of("compile", "ftp://example.net/list.txt");
        assertThat(scheme.code()).isEqualTo(2);
        assertThat(scheme.stderr()).contains("unsupported feed URL scheme");
        CommandRun unknown = CommandRun.of("frobnicate");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("Unmatched argument");
    }

    @Test
    void helpAndVersion() {
        CommandRun help = CommandRun.of("--help");
        assertThat(help.code()).isZero();
        assertThat(help.stdout()).contains("compile", "Exit codes: 0 success, 1 failure at run time, 2 bad usage.");
        CommandRun compileHelp = CommandRun.of("compile", "--help");
        assertThat(compileHelp.stdout()).contains("--allow=SRC", "--min-score=N", "--output-format=FORMAT", "--protect=LIST",
                "--max-prefix=V4[,V6]", "Default: 8,32");
        CommandRun version = CommandRun.of("--version");
        assertThat(version.code()).isZero();
        assertThat(version.stdout()).startsWith("bulwark ");
    }
}
