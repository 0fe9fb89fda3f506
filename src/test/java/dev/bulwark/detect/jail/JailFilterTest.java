package dev.bulwark.detect.jail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JailFilterTest {
    @Test
    void aReferenceSplitsIntoItsNameAndFail2banStyleOptions() {
        JailFilter.Reference plain = JailFilter.parse("sshd");
        assertThat(plain.target()).isEqualTo("sshd");
        assertThat(plain.options()).isEmpty();

        JailFilter.Reference options = JailFilter.parse(" sshd[mode=aggressive, port=\"22,2222\", prefix='a\\'b', empty=] ");
        assertThat(options.target()).isEqualTo("sshd");
        assertThat(options.options()).containsExactly(Map.entry("mode", "aggressive"), Map.entry("port", "22,2222"), Map.entry("prefix", "a'b"),
                Map.entry("empty", ""));

        assertThat(JailFilter.parse("/etc/fail2ban/filter.d/nginx-http-auth.conf[mode=fallback]").target())
                .isEqualTo("/etc/fail2ban/filter.d/nginx-http-auth.conf");
        assertThat(JailFilter.isFile("filter.d/custom.local")).isTrue();
        assertThat(JailFilter.isFile("nginx-http-auth")).isFalse();
        assertThat(new JailFilter(null, Path.of("/etc/f.conf"), Map.of("mode", "ddos")).toString()).isEqualTo("/etc/f.conf[mode=ddos]");
    }

    @Test
    void malformedOptionsAndNamesAreRefusedSayingWhatToWrite() {
        assertThatThrownBy(() -> JailFilter.parse("sshd[mode aggressive]")).hasMessage(
                "cannot read the filter's options 'mode aggressive': write them as name=value, separated by commas, e.g. sshd[mode=aggressive]");
        assertThatThrownBy(() -> JailFilter.parse("sshd[mode=a, mode=b]")).hasMessage("filter option mode is given twice");
        assertThatThrownBy(() -> new JailFilter("ss hd", null, Map.of())).hasMessageStartingWith("'ss hd' is not a filter name");
        assertThatThrownBy(() -> new JailFilter("sshd", Path.of("/x.conf"), Map.of())).hasMessage("a filter is a name or a file, exactly one of them");
    }
}
