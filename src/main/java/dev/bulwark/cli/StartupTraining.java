package dev.bulwark.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpFormat;

/**
 * The training run behind the launcher's ahead-of-time cache (JDK 25+): what the JVM records
 * here, which classes load and how the hot methods behave, is what later runs start from. So
 * it does what users do: compiles a large plain list (generated here, seeded: 300,000 lines of
 * addresses and prefixes, as blocklists are) with an allowlist, and the shipped samples in
 * every output format, which loads the CSV, JSON and STIX readers too, and the sample logs with
 * {@code filter-test} and {@code detect}, which load the filter engine. Trained on the samples
 * alone (a few thousand lines), the cache was measured slower on a million lines than no cache
 * at all: the hot loops had been profiled on small inputs. Not a user command.
 */
public final class StartupTraining {
    private static final int LINES = 300_000;

    private StartupTraining() {
    }

    /** {@code StartupTraining [SAMPLES_DIRECTORY]}. */
    public static void main(String[] arguments) throws IOException {
        Path directory = Files.createTempDirectory("bulwark-training");
        try {
            Path list = directory.resolve("list.txt");
            Path allow = directory.resolve("allow.txt");
            writeList(list, allow);
            run("compile", list.toString(), "--allow", allow.toString(), "-q");
            if (arguments.length > 0 && Files.isDirectory(Path.of(arguments[0], "feeds"))) {
                List<String> samples = new ArrayList<>(List.of("compile"));
                try (Stream<Path> feeds = Files.list(Path.of(arguments[0], "feeds"))) {
                    feeds.map(Path::toString).sorted().forEach(samples::add);
                }
                samples.addAll(List.of("--allow", Path.of(arguments[0], "allow.txt").toString(), "--max-prefix", "8,24", "-q"));
                for (String format : List.of("plain", "nft", "ipset", "json")) {
                    List<String> withFormat = new ArrayList<>(samples);
                    withFormat.addAll(List.of("--output-format", format));
                    run(withFormat.toArray(String[]::new));
                }
            }
            Path logs = arguments.length > 0 ? Path.of(arguments[0], "logs") : null;
            if (logs != null && Files.isRegularFile(logs.resolve("auth.log")) && Files.isRegularFile(logs.resolve("access.log"))) {
                // the log commands: the filter engine, the date detection and the jails load and link here too
                String auth = logs.resolve("auth.log").toString();
                String access = logs.resolve("access.log").toString();
                run("filter-test", auth, "sshd", "--now", "2016-12-03T00:00:00Z");
                run("filter-test", access, "nginx-botsearch", "--json");
                run("filter-test", access, "nginx-4xx");
                run("detect", "--log", auth, "--filter", "sshd", "--now", "2016-12-03T00:00:00Z", "--json");
            }
        } finally {
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    private static void run(String... arguments) {
        Main.execute(arguments, InputStream.nullInputStream(), OutputStream.nullOutputStream(),
                new PrintWriter(Writer.nullWriter()), Clock.systemUTC());
    }

    private static void writeList(Path list, Path allow) throws IOException {
        Random random = new Random(20261123);
        byte[] buffer = new byte[IpFormat.MAX_PREFIX_LENGTH + 1];
        try (OutputStream out = Files.newOutputStream(list)) {
            out.write("# generated training list\n".getBytes(StandardCharsets.US_ASCII));
            for (int line = 0; line < LINES; line++) {
                int end;
                if (line % 100 == 0) {
                    end = IpFormat.appendPrefix(buffer, 0, IpFamily.IPV6, 0x2000000000000000L | random.nextLong() >>> 3, 0, 48);
                } else {
                    int length = random.nextInt(10) == 0 ? 16 + random.nextInt(13) : 32;
                    long address = random.nextLong(0x100000000L) & (0xffffffffL << (32 - length)) & 0xffffffffL;
                    end = IpFormat.appendPrefix(buffer, 0, IpFamily.IPV4, 0, address, length);
                }
                buffer[end++] = '\n';
                out.write(buffer, 0, end);
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (int line = 0; line < LINES / 100; line++) {
            allowed.append(IpFormat.address(IpFamily.IPV4, 0, random.nextLong(0x100000000L))).append('\n');
        }
        Files.writeString(allow, allowed);
    }
}
