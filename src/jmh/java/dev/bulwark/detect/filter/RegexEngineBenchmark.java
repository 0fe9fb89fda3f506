package dev.bulwark.detect.filter;

import dev.bulwark.detect.regex.Pcre;
import dev.bulwark.detect.regex.PythonRegex;
import dev.bulwark.detect.regex.SpanMatch;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One search with fail2ban's stock sshd filter's prefregex (on a whole line, its date cut out) or
 * its "Failed password" failregex (on the content after the prefix), by java.util.regex or by
 * PCRE2, the line copied to native memory included; the lines vary in user, address and port.
 * Run: {@code ./mvnw -Pjmh -DskipTests package && java -jar target/benchmarks.jar RegexEngineBenchmark}
 * (fail2ban installed, for its filter; a JDK 22+ with libpcre2-8 for the pcre2 rows).
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RegexEngineBenchmark {
    @Param({"prefregex", "failed-password"})
    public String regex;

    @Param({"java", "pcre2"})
    public String engine;

    private String[] lines;
    private int next;
    private Matcher matcher;
    private Pcre.Code code;
    private Pcre.Text text;
    private SpanMatch match;

    @Setup
    public void setUp() {
        FilterDefinition sshd = FilterDefinition.load(Path.of("/etc/fail2ban/filter.d/sshd.conf"), Map.of());
        String python = regex.equals("prefregex") ? sshd.prefRegex()
                : sshd.failRegex().stream().filter(each -> each.startsWith("^Failed ") && each.contains("cond_inv")).findFirst().orElseThrow();
        PythonRegex compiled = PythonRegex.compile(TaggedRegex.prepare(python, sshd.useDns()), false);
        matcher = compiled.ascii().matcher("");
        int groups = matcher.groupCount();
        if (engine.equals("pcre2")) {
            if (Pcre.engine() == null) {
                throw new IllegalStateException("no PCRE2 here: run on JDK 22+ with libpcre2-8");
            }
            code = Pcre.engine().compile(compiled.ascii().pattern(), false, groups);
            text = Pcre.engine().newText();
            match = new SpanMatch(groups);
        }
        Random random = new Random(42);
        String[] users = {"root", "admin", "oracle", "test", "ubuntu"};
        lines = new String[1024];
        for (int index = 0; index < lines.length; index++) {
            String address = (1 + random.nextInt(223)) + "." + random.nextInt(256) + "." + random.nextInt(256) + "." + (1 + random.nextInt(254));
            String content = "Failed password for " + (index % 2 == 0 ? "invalid user " : "") + users[index % users.length] + " from "
                    + address + " port " + (1024 + random.nextInt(60_000)) + " ssh2";
            lines[index] = regex.equals("prefregex") ? " web-01 sshd[" + (1000 + random.nextInt(60_000)) + "]: " + content + "\n" : content + "\n";
        }
    }

    @Benchmark
    public int search() {
        String line = lines[next++ & (lines.length - 1)];
        if (code == null) {
            return matcher.reset(line).find() ? matcher.end() : -1;
        }
        text.load(line);
        return code.match(text, 0, match.spans()) > 0 ? match.end() : -1;
    }
}
