package dev.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bulwark apply}: one whole cycle, for cron; {@code --dry-run} writes nothing; {@code --offline} fetches nothing. */
class ApplyCommandTest {
    @TempDir
    Path directory;

    private String stderr;
    private String stdout;

    private int apply(String... arguments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        String[] command = Stream.concat(Stream.of("apply", "--config", directory.resolve("bulwark.yml").toString()), Stream.of(arguments))
                .toArray(String[]::new);
        int code = Main.execute(command, System.in, out, new PrintWriter(err, true), Clock.systemUTC());
        stdout = out.toString(StandardCharsets.UTF_8);
        stderr = err.toString();
        return code;
    }

    private void configure(Path feed) throws Exception {
        Files.writeString(directory.resolve("bulwark.yml"), """
                state_dir: state
                feeds:
                  - { name: drop, url: %s, every: 1h }
                enforce:
                  - dry-run: {}
                  - file: { path: out/edl.txt }
                """.formatted(feed));
    }

    @Test
    void oneCycleFetchesDecidesAndEnforcesAndTheNextChangesNothing() throws Exception {
        Path feed = directory.resolve("drop.txt");
        Files.writeString(feed, "; a DROP list\n198.51.100.0/24 ; SBL1\n203.0.113.0/25 ; SBL2\n");
        configure(feed);

        assertThat(apply()).as(stderr).isZero();
        assertThat(stdout).contains("+ 198.51.100.0/24", "+ 203.0.113.0/25");
        assertThat(Files.readString(directory.resolve("out/edl.txt"))).isEqualTo("198.51.100.0/24\n203.0.113.0/25\n");
        assertThat(directory.resolve("state/decisions.db")).exists();

        Files.writeString(feed, "198.51.100.0/24\n");
        assertThat(apply()).as(stderr).isZero();
        assertThat(stdout).contains("- 203.0.113.0/25").doesNotContain("+ 198.51.100.0/24");
        assertThat(Files.readString(directory.resolve("out/edl.txt"))).isEqualTo("198.51.100.0/24\n");
    }

    /**
     * Another process holding state_dir/lock (a POSIX lock, as a running daemon holds it; here
     * Python's fcntl.lockf in a process of its own): apply is refused and says so, a dry run
     * still reads, and once the holder is gone apply works.
     */
    @Test
    void anotherBulwarkOnTheStateDirectoryIsRefusedUntilItIsGone() throws Exception {
        Path feed = directory.resolve("drop.txt");
        Files.writeString(feed, "198.51.100.0/24\n");
        configure(feed);
        Path lock = Files.createDirectories(directory.resolve("state")).resolve("lock");
        Process holder = new ProcessBuilder("/usr/bin/python3", "-c", """
                import fcntl, sys
                f = open(sys.argv[1], 'a+')
                fcntl.lockf(f, fcntl.LOCK_EX)
                f.truncate(0); f.write('bulwark run pid 4242\\n'); f.flush()
                print('held', flush=True)
                sys.stdin.read()
                """, lock.toString()).redirectErrorStream(true).start();
        try {
            assertThat(new String(holder.getInputStream().readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("held\n");

            assertThat(apply()).isEqualTo(1);
            assertThat(stderr).isEqualTo("bulwark apply: another bulwark (bulwark run pid 4242) is using the state directory "
                    + directory.resolve("state") + " (it holds " + lock + "): stop it first, or talk to the running daemon with "
                    + "bulwark ban, unban, list or status\n");
            assertThat(directory.resolve("out/edl.txt")).doesNotExist();
            assertThat(apply("--dry-run")).as(stderr).isZero();
        } finally {
            holder.getOutputStream().close();
            holder.waitFor();
        }
        assertThat(apply()).as(stderr).isZero();
        assertThat(Files.readString(directory.resolve("out/edl.txt"))).isEqualTo("198.51.100.0/24\n");
        assertThat(Files.readString(lock)).startsWith("bulwark apply pid ");
    }

    @Test
    void aDryRunShowsTheChangeAndWritesNothing() throws Exception {
        Path feed = directory.resolve("drop.txt");
        Files.writeString(feed, "198.51.100.0/24\n");
        configure(feed);
        assertThat(apply()).isZero();
        byte[] store = Files.readAllBytes(directory.resolve("state/decisions.db"));
        String edl = Files.readString(directory.resolve("out/edl.txt"));
        Files.writeString(feed, "198.51.100.0/24\n198.18.0.0/24\n");

        assertThat(apply("--dry-run")).as(stderr).isZero();

        assertThat(stdout).contains("+ 198.18.0.0/24");
        assertThat(Files.readString(directory.resolve("out/edl.txt"))).isEqualTo(edl);
        assertThat(Files.readAllBytes(directory.resolve("state/decisions.db"))).isEqualTo(store);
        assertThat(apply()).isZero();
        assertThat(stdout).as("the real run still has the change to make").contains("+ 198.18.0.0/24");
    }

    @Test
    void offlineEnforcesTheStoredDecisionsWithoutReadingTheFeed() throws Exception {
        Path feed = directory.resolve("drop.txt");
        Files.writeString(feed, "198.51.100.0/24\n");
        configure(feed);
        assertThat(apply()).isZero();
        Files.delete(directory.resolve("out/edl.txt"));
        Files.delete(feed);

        assertThat(apply("--offline")).as(stderr).isZero();

        assertThat(Files.readString(directory.resolve("out/edl.txt"))).isEqualTo("198.51.100.0/24\n");
    }

    @Test
    void aFeedTakenOutOfTheConfigurationTakesItsDecisionsWithIt() throws Exception {
        Path feed = directory.resolve("drop.txt");
        Files.writeString(feed, "198.51.100.0/24\n");
        configure(feed);
        assertThat(apply()).isZero();
        Files.writeString(directory.resolve("bulwark.yml"), """
                state_dir: state
                feeds: []
                enforce:
                  - file: { path: out/edl.txt }
                """);

        assertThat(apply()).as(stderr).isZero();

        assertThat(Files.readString(directory.resolve("out/edl.txt"))).isEmpty();
    }

    @Test
    void aBadConfigurationStartsNothingAndExitsTwo() throws Exception {
        Files.writeString(directory.resolve("bulwark.yml"), "feeds:\n  - { name: drop, url: x, evry: 1h }\n");

        assertThat(apply()).isEqualTo(2);
        assertThat(stderr).contains("bulwark.yml:2:", "evry");
        assertThat(directory.resolve("state")).doesNotExist();
    }
}
