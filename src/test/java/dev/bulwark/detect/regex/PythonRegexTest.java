package dev.bulwark.detect.regex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

class PythonRegexTest {
    private static Matcher find(String python, String text) {
        // the Unicode pattern, as Python's for any text; the ASCII one serves all-ASCII text alone
        Matcher matcher = PythonRegex.compile(python, false).pattern(PythonRegex.isAscii(text)).matcher(text);
        return matcher.find() ? matcher : null;
    }

    @Test
    void namedGroupsBecomeNumberedWithTheirNamesKept() {
        PythonRegex translated = PythonRegex.compile("(?P<_sep>[-/])(?P<d>\\d+)(?P=_sep)", false);
        assertThat(translated.groupIndex()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of("_sep", 1, "d", 2));
        assertThat(translated.groupNames()).containsExactly(null, "_sep", "d");
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
        assertThatThrownBy(() -> PythonRegex.compile("(?P<a>x)(?P<a>y)", false)).hasMessageContaining("redefinition");
        assertThatThrownBy(() -> PythonRegex.compile("a(?i)b", false)).hasMessageContaining("global flags");
        assertThatThrownBy(() -> PythonRegex.compile("\\q", false)).hasMessageContaining("bad escape \\q");
        assertThatThrownBy(() -> PythonRegex.compile("(%ExY", false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PythonRegex.compile("\\2(a)", false)).hasMessageContaining("invalid group reference 2");
        assertThatThrownBy(() -> PythonRegex.compile("(?(x)a|b)", false)).hasMessageContaining("unknown group name 'x'");
    }

    @Test
    void leadingGlobalFlagsAndEscapesPythonKnowsAreAccepted() {
        assertThat(find("(?i)(?s)a.b", "A\nB").group()).isEqualTo("A\nB");
        assertThat(find("\\x41\\u0042\\N{LATIN SMALL LETTER C}\\a", "ABc\u0007").group()).isEqualTo("ABc\u0007");
    }

    @Test
    void aConditionalTakesTheFirstBranchWhenItsGroupTookPartAndTheOtherWhenNot() {
        PythonRegex conditional = PythonRegex.compile("^(?P<open><)?\\w+(?(open)>|$)", false);
        assertThat(conditional.hasConditionals()).isTrue();
        assertThat(find("^(?P<open><)?\\w+(?(open)>|$)", "<user>").group()).isEqualTo("<user>");
        assertThat(find("^(?P<open><)?\\w+(?(open)>|$)", "user").group()).isEqualTo("user");
        assertThat(find("^(?P<open><)?\\w+(?(open)>|$)", "<user")).isNull();
        assertThat(find("^(?P<open><)?\\w+(?(open)>|$)", "user>")).isNull();
        assertThat(PythonRegex.compile("(?P<a>x)", false).hasConditionals()).isFalse();
    }
}
