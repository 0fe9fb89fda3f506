package dev.bulwark.detect.regex;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class PcreTest {
    @Test
    void takesThePatternsThatMeanTheSameInPcre2() {
        assertThat(Pcre.accepts("^Failed (?:(?<p1>publickey)|\\S+) for (?<p2>invalid user (?<c2>))?\\k<c2>(?:(?! from ).)*?$")).isTrue();
        assertThat(Pcre.accepts("(?i:user) [\\w\\-.^_]*\\w (?<=:):")).isTrue();
        assertThat(Pcre.accepts("[\\[\\(]?sshd[\\]\\)]?")).isTrue();
    }

    @Test
    void leavesToJavaWhatPcre2ReadsOtherwise() {
        assertThat(Pcre.accepts("(?x) a b")).as("Java's x ignores blanks in classes").isFalse();
        assertThat(Pcre.accepts("(?U)\\w+")).as("U is ungreedy in PCRE2").isFalse();
        assertThat(Pcre.accepts("[a-z&&[^q]]")).as("an intersection").isFalse();
        assertThat(Pcre.accepts("[a[b]]")).as("a union").isFalse();
        assertThat(Pcre.accepts("(a)\\1")).as("a numbered back-reference").isFalse();
        assertThat(Pcre.accepts("\\p{Alpha}+")).isFalse();
        assertThat(Pcre.accepts("\\Qa.b\\E")).isFalse();
        assertThat(Pcre.accepts("für")).as("not ASCII").isFalse();
        assertThat(Pcre.accepts("[]a]")).isFalse();
        assertThat(Pcre.accepts("[a")).isFalse();
    }

    @Test
    void spansReadAsAMatchResult() {
        Pcre.Engine engine = Pcre.engine();
        Assumptions.assumeTrue(engine != null, "no PCRE2 here");
        Pcre.Code code = engine.compile("^(?<p1>\\w+) (?:(?<p2>x)|y)$", false, 2);
        Pcre.Text text = engine.newText();
        SpanMatch match = new SpanMatch(2);
        text.load("-- user y\n");
        assertThat(code.match(text, 3, match.spans())).isEqualTo(3);
        match.of("-- user y\n");
        assertThat(match.group()).isEqualTo("user y");
        assertThat(match.start(1)).isEqualTo(3);
        assertThat(match.group(1)).isEqualTo("user");
        assertThat(match.group(2)).isNull();
        assertThat(match.start(2)).isEqualTo(-1);
        assertThat(code.match(text, 0, match.spans())).as("^ at the start of the region").isEqualTo(Pcre.NO_MATCH);
        assertThat(engine.compile("(a)(", false, 1)).as("PCRE2 refuses it").isNull();
        assertThat(engine.compile("(a)(b)", false, 1)).as("groups counted otherwise").isNull();
    }

    @Test
    void stopsAtItsMatchLimitWithoutDeciding() {
        Pcre.Engine engine = Pcre.engine();
        Assumptions.assumeTrue(engine != null, "no PCRE2 here");
        Pcre.Code code = engine.compile("^(\\w+\\s?)*$", false, 1);
        Pcre.Text text = engine.newText();
        text.load("word ".repeat(200) + "!\n");
        assertThat(code.match(text, 0, new int[4])).isEqualTo(Pcre.UNDECIDED);
    }

    @Test
    void stopsAtItsJitStackWithoutDeciding() {
        Pcre.Engine engine = Pcre.engine();
        Assumptions.assumeTrue(engine != null, "no PCRE2 here");
        Pcre.Code code = engine.compile("^(a|b)*c", false, 1);
        Pcre.Text text = engine.newText();
        text.load("ab".repeat(2000) + "c\n");
        assertThat(code.match(text, 0, new int[4])).isEqualTo(Pcre.UNDECIDED);
    }
}
