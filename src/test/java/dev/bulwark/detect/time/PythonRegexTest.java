package dev.bulwark.detect.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

class PythonRegexTest {
    private static Matcher find(String python, String text) {
        Matcher matcher = PythonRegex.compile(python).pattern().matcher(text);
        return matcher.find() ? matcher : null;
    }

    @Test
    void namedGroupsBecomeNumberedWithTheirNamesKept() {
        PythonRegex.Translated translated = PythonRegex.compile("(?P<_sep>[-/])(?P<d>\\d+)(?P=_sep)");
        assertThat(translated.group("_sep")).isEqualTo(1);
        assertThat(translated.group("d")).isEqualTo(2);
        Matcher matcher = find("(?P<_sep>[-/])(?P<d>\\d+)(?P=_sep)", "x/12/y");
        assertThat(matcher.group(2)).isEqualTo("12");
        assertThat(find("(?P<_sep>[-/])(?P<d>\\d+)(?P=_sep)", "x/12-y")).isNull();
    }

    @Test
    void bracesThatAreNoQuantifierAreLiterals() {
        assertThat(find("{DATE}", "a {DATE} b").group()).isEqualTo("{DATE}");
        assertThat(find("a{,2}b", "aaab").group()).isEqualTo("aab");
        assertThat(find("a{2}", "aaa").group()).isEqualTo("aa");
        assertThat(find("x{}", "x{}").group()).isEqualTo("x{}");
    }

    @Test
    void pythonsEscapesAndClassesMeanWhatTheyMeanInPython() {
        assertThat(find("a\\Z", "ba").group()).isEqualTo("a");
        assertThat(find("a\\Z", "a\n")).isNull(); // \Z is the very end in Python
        assertThat(find("a$", "a\n").group()).isEqualTo("a");
        assertThat(find("[[]x", "[x").group()).isEqualTo("[x");
        assertThat(find("[]a]+", "]a]").group()).isEqualTo("]a]");
        assertThat(find("[a&&b]+", "&&").group()).isEqualTo("&&");
        assertThat(find("\\d+", "\u0661\u0662").group()).isEqualTo("\u0661\u0662"); // Unicode digits, as Python
        assertThat(find("(a)\\1", "aa").group()).isEqualTo("aa");
        assertThat(find("\\101", "A").group()).isEqualTo("A");
        assertThat(find("(?#comment)x", "x").group()).isEqualTo("x");
        assertThat(find("(?iu)jan", "JAN").group()).isEqualTo("JAN");
    }

    @Test
    void whatPythonOrJavaCannotCompileIsRefused() {
        assertThatThrownBy(() -> PythonRegex.compile("(?P<a>x)(?P<a>y)")).hasMessageContaining("redefinition");
        assertThatThrownBy(() -> PythonRegex.compile("(a)?(?(1)b|c)")).hasMessageContaining("conditional");
        assertThatThrownBy(() -> PythonRegex.compile("a(?i)b")).hasMessageContaining("global flags");
        assertThatThrownBy(() -> PythonRegex.compile("\\q")).hasMessageContaining("bad escape");
        assertThatThrownBy(() -> PythonRegex.compile("(%ExY")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PythonRegex.compile("\\2(a)")).hasMessageContaining("invalid group reference");
    }
}
