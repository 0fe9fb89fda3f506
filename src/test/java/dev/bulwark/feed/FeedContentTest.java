package dev.bulwark.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.feed.format.EntrySink;
import dev.bulwark.feed.format.FeedFormat;
import dev.bulwark.feed.format.TextFeedParser;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpFormat;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

class FeedContentTest {
    @Test
    void aPlainIpv4ListKeepsOnlyTheLowHalves() throws IOException {
        FeedContent.Builder builder = FeedContent.builder(0, List.of());
        new TextFeedParser().parse(new ByteArrayInputStream(TestFeeds.resource("spamhaus/drop.txt")), builder);

        FeedContent content = builder.build(FeedFormat.TEXT);

        assertThat(content.size()).isEqualTo(1360);
        assertThat(content.rejected()).isZero();
        assertThat(range(content, 0)).isEqualTo("1.10.16.0-1.10.31.255");
        assertThat(range(content, 1359)).isEqualTo("223.254.0.0-223.254.255.255");
        assertThat(content.family(5)).isEqualTo(IpFamily.IPV4);
        assertThat(content.score(5)).isEqualTo(EntrySink.NO_SCORE);
        assertThat(content.expiresEpochSecond(5)).isEqualTo(EntrySink.NO_EXPIRY);
        assertThat(content.categories(5)).isEmpty();
        // two long arrays of exactly 1360 slots, headers included: no family, high, score, expiry or category arrays
        assertThat(content.estimatedBytes()).isEqualTo(2 * (16 + 1360 * 8));
    }

    @Test
    void keepsFamiliesHighHalvesScoresExpiriesAndCategoriesOnlyOnceOneDiffers() {
        FeedContent.Builder builder = FeedContent.builder(0, List.of("feed"));
        for (int index = 0; index < 3000; index++) {
            builder.entry(IpFamily.IPV4, 0, index, 0, index, EntrySink.NO_SCORE, List.of());
        }
        builder.entry(IpFamily.IPV6, 0x20010db8_00000000L, 0, 0x20010db8_0000ffffL, -1L, 90, List.of("scanner"), 1_900_000_000L);
        builder.entry(IpFamily.IPV4, 0, 7, 0, 7, 40, List.of("scanner", "feed"));

        FeedContent content = builder.build(FeedFormat.STIX);

        assertThat(content.size()).isEqualTo(3002);
        assertThat(content.family(2999)).isEqualTo(IpFamily.IPV4);
        assertThat(content.firstLow(2999)).isEqualTo(2999);
        assertThat(content.firstHigh(2999)).isZero();
        assertThat(content.score(2999)).isEqualTo(EntrySink.NO_SCORE);
        assertThat(content.expiresEpochSecond(2999)).isEqualTo(EntrySink.NO_EXPIRY);
        assertThat(content.categories(2999)).containsExactly("feed");
        assertThat(range(content, 3000)).isEqualTo("2001:db8::-2001:db8:0:ffff:ffff:ffff:ffff:ffff");
        assertThat(content.score(3000)).isEqualTo(90);
        assertThat(content.expiresEpochSecond(3000)).isEqualTo(1_900_000_000L);
        assertThat(content.categories(3000)).containsExactly("scanner", "feed");
        assertThat(content.family(3001)).isEqualTo(IpFamily.IPV4);
        assertThat(content.score(3001)).isEqualTo(40);
        // the same categories, however the parser wrote them, are one shared list
        assertThat(content.categories(3001)).isSameAs(content.categories(3000));
        assertThat(content.format()).isEqualTo(FeedFormat.STIX);
    }

    @Test
    void leavesOutEntriesBelowTheMinimumScoreButKeepsUnscoredOnes() {
        FeedContent.Builder builder = FeedContent.builder(50, List.of());
        builder.entry(IpFamily.IPV4, 0, 1, 0, 1, 49, List.of());
        builder.entry(IpFamily.IPV4, 0, 2, 0, 2, 50, List.of());
        builder.entry(IpFamily.IPV4, 0, 3, 0, 3, EntrySink.NO_SCORE, List.of());
        builder.entry(IpFamily.IPV4, 0, 4, 0, 4, 0, List.of());

        FeedContent content = builder.build(FeedFormat.JSON);

        assertThat(content.size()).isEqualTo(2);
        assertThat(content.firstLow(0)).isEqualTo(2);
        assertThat(content.firstLow(1)).isEqualTo(3);
        assertThat(content.score(1)).isEqualTo(EntrySink.NO_SCORE);
        assertThat(content.parsed()).isEqualTo(4);
        assertThat(content.belowMinScore()).isEqualTo(2);
    }

    @Test
    void countsEveryRejectionAndKeepsTheFirstFewAsSamples() {
        FeedContent.Builder builder = FeedContent.builder(0, List.of());
        for (int line = 1; line <= 8; line++) {
            builder.rejected(line, "bad " + line, "not an address");
        }

        FeedContent content = builder.build(FeedFormat.TEXT);

        assertThat(content.rejected()).isEqualTo(8);
        assertThat(content.rejectionSamples()).hasSize(FeedContent.SAMPLES)
                .first().isEqualTo(new FeedContent.Rejection(1, "bad 1", "not an address"));
    }

    @Test
    void deliversEveryEntryWithItsExpiryInOrder() {
        FeedContent.Builder builder = FeedContent.builder(0, List.of("extra"));
        builder.entry(IpFamily.IPV4, 0, 1, 0, 1, 10, List.of("a"), 1_800_000_000L);
        builder.entry(IpFamily.IPV6, 1, 2, 1, 2, EntrySink.NO_SCORE, List.of());
        FeedContent content = builder.build(FeedFormat.STIX);
        List<String> delivered = new ArrayList<>();

        content.deliverTo(new EntrySink() {
            @Override
            public void entry(IpFamily family, long firstHigh, long firstLow, long lastHigh, long lastLow, int score, List<String> categories) {
                throw new AssertionError("the expiry must be delivered");
            }

            @Override
            public void entry(IpFamily family, long firstHigh, long firstLow, long lastHigh, long lastLow, int score, List<String> categories,
                              long expiresEpochSecond) {
                delivered.add(family + " " + firstHigh + ":" + firstLow + " " + score + " " + categories + " " + expiresEpochSecond);
            }

            @Override
            public void rejected(long line, String text, String reason) {
            }
        });

        assertThat(delivered).containsExactly("IPV4 0:1 10 [a, extra] 1800000000", "IPV6 1:2 -1 [extra] 0");
    }

    @Test
    void anIndexOutsideTheContentIsAnError() {
        FeedContent content = FeedContent.builder(0, List.of()).build(FeedFormat.TEXT);

        assertThat(content.size()).isZero();
        assertThatThrownBy(() -> content.firstLow(0)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessage("entry 0 of a feed content of 0");
    }

    private static String range(FeedContent content, int index) {
        IpFamily family = content.family(index);
        return IpFormat.address(family, content.firstHigh(index), content.firstLow(index)) + "-"
                + IpFormat.address(family, content.lastHigh(index), content.lastLow(index));
    }
}
