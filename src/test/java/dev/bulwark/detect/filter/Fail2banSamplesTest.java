package dev.bulwark.detect.filter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** fail2ban's own annotated test logs, every stock filter, through Bulwark's engine (see {@link Fail2banSamples}). */
class Fail2banSamplesTest {
    @Test
    void everyStockFilterAgreesWithFail2bansAnnotations() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(Fail2banSamples.STOCK_FILTERS) && Files.isDirectory(Fail2banSamples.LOGS),
                "fail2ban's filters and test logs are not installed (apt-get install fail2ban)");
        List<Fail2banSamples.FilterResult> results = Fail2banSamples.runAll(DateFinders::of);
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        Fail2banSamples.report(results, new PrintStream(report, true, StandardCharsets.UTF_8), true);
        System.out.print(report.toString(StandardCharsets.UTF_8));

        int agreed = 0;
        int annotated = 0;
        List<String> required = new ArrayList<>();
        for (Fail2banSamples.FilterResult result : results) {
            agreed += result.agreed();
            annotated += result.annotated();
            String name = result.filter();
            boolean mustAgree = name.equals("sshd") || name.startsWith("nginx-") || name.startsWith("apache-") || name.equals("postfix")
                    || name.equals("dovecot");
            if (mustAgree && (result.disagreed() > 0 || result.unannotatedMatched() > 0 || result.notLoaded() != null)) {
                required.add(name + ": " + result.disagreements());
            }
        }
        assertThat(required).as("sshd, nginx-*, apache-*, postfix and dovecot must agree on every annotation").isEmpty();
        assertThat(results.stream().filter(result -> result.filter().equals("sshd")).findFirst().orElseThrow().agreed())
                .as("sshd's log is read under all its option sets").isGreaterThan(400);
        assertThat(annotated).isGreaterThan(1000);
        assertThat(agreed).as("annotations agreed across all filters").isGreaterThanOrEqualTo((int) Math.ceil(annotated * 0.95));
    }
}
