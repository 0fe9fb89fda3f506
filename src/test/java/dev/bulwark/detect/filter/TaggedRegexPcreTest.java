package dev.bulwark.detect.filter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.detect.regex.Pcre;
import dev.bulwark.detect.regex.SpanMatch;

import java.util.regex.MatchResult;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class TaggedRegexPcreTest {
    @Test
    void asciiLinesGoToPcre2AndTheOthersToJava() {
        Assumptions.assumeTrue(Pcre.engine() != null, "no PCRE2 here");
        TaggedRegex regex = TaggedRegex.of("^user <F-USER>\\w+</F-USER> from <HOST>$", false, "yes");
        MatchResult ascii = regex.search("user bob from 192.0.2.7\n");
        assertThat(ascii).isInstanceOf(SpanMatch.class);
        assertThat(regex.groups(ascii)).containsEntry("user", "bob").containsEntry("ip4", "192.0.2.7");
        MatchResult unicode = regex.search("user jürgen from 192.0.2.8\n");
        assertThat(unicode).isNotInstanceOf(SpanMatch.class);
        assertThat(regex.groups(unicode)).containsEntry("user", "jürgen").containsEntry("ip4", "192.0.2.8");
    }

    @Test
    void javaDecidesWherePcre2StoppedAtALimit() throws InterruptedException {
        Assumptions.assumeTrue(Pcre.engine() != null, "no PCRE2 here");
        // PCRE2 gives up on this line at its match limit (PcreTest); java.util.regex says no match
        TaggedRegex noMatch = TaggedRegex.of("^(\\w+\\s?)*$", false, "yes");
        assertThat(noMatch.search("word ".repeat(200) + "!\n")).isNull();
        // and on this one at its JIT stack (PcreTest), where java.util.regex finds the match: a thread
        // with a large stack gives Java's recursion the room it needs
        TaggedRegex longLine = TaggedRegex.of("^(a|b)*c", false, "yes");
        String line = "ab".repeat(2000) + "c\n";
        MatchResult[] found = new MatchResult[1];
        Thread thread = new Thread(null, () -> found[0] = longLine.search(line), "large-stack", 512L << 20);
        thread.start();
        thread.join();
        assertThat(found[0]).isNotNull().isNotInstanceOf(SpanMatch.class);
        assertThat(found[0].end()).isEqualTo(line.length() - 1);
        assertThat(found[0].group(1)).isEqualTo("b");
    }
}
