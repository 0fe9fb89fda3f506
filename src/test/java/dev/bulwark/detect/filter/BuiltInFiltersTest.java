package dev.bulwark.detect.filter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The filters built into Bulwark, through its engine, over their own annotated logs
 * (src/test/resources/dev/bulwark/detect/filters/, fail2ban's failJSON format: lawful lines,
 * attacks, injection attempts) and, where fail2ban is installed, over fail2ban's logs for the
 * same services, where they differ from the stock filters only where their comments say why.
 */
class BuiltInFiltersTest {
    @Test
    void everyBuiltInFilterAgreesWithItsOwnAnnotatedLog() throws Exception {
        Path logs = Path.of(getClass().getResource("/dev/bulwark/detect/filters/sshd").toURI()).getParent();
        List<Fail2banSamples.FilterResult> results = new ArrayList<>();
        for (String name : FilterDefinition.BUILT_IN_NAMES) {
            results.add(Fail2banSamples.run(options -> FilterDefinition.builtIn(name, options), logs, name, DateFinders::of));
        }
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        Fail2banSamples.report(results, new PrintStream(report, true, StandardCharsets.UTF_8), true);
        System.out.print(report.toString(StandardCharsets.UTF_8));
        for (Fail2banSamples.FilterResult result : results) {
            assertThat(result.notLoaded()).as(result.filter()).isNull();
            assertThat(result.annotated()).as(result.filter() + " has annotated lines").isGreaterThanOrEqualTo(15);
            assertThat(result.disagreements()).as(result.filter()).isEmpty();
        }
    }

    @Test
    void builtInFiltersOnFail2bansLogsOfTheSameServices() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Fail2banSamples.LOGS), "fail2ban's test logs are not installed");
        List<Fail2banSamples.FilterResult> results = new ArrayList<>();
        for (String name : FilterDefinition.BUILT_IN_NAMES) {
            results.add(Fail2banSamples.run(options -> FilterDefinition.builtIn(name, options), Fail2banSamples.LOGS, name, DateFinders::of));
        }
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        Fail2banSamples.report(results, new PrintStream(report, true, StandardCharsets.UTF_8), true);
        System.out.print(report.toString(StandardCharsets.UTF_8));
        int agreed = results.stream().mapToInt(Fail2banSamples.FilterResult::agreed).sum();
        int annotated = results.stream().mapToInt(Fail2banSamples.FilterResult::annotated).sum();
        // the deliberate differences (a user name that cannot inject an address, a connection counted once) are few
        assertThat(agreed).isGreaterThanOrEqualTo((int) Math.ceil(annotated * 0.97));
    }
}
