package dev.bulwark.daemon;

import dev.bulwark.decision.Decision;
import dev.bulwark.feed.FeedConfig;
import dev.bulwark.feed.FeedContent;
import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpRange;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A feed's content as decisions seen at one instant: each expires at the earlier of its own
 * expiry (e.g. STIX {@code valid_until}) and the feed's ({@code at + ttl}); entries already
 * expired and entries broader than the prefix limits are left out and counted.
 */
final class FeedDecisions {
    private FeedDecisions() {
    }

    static Result of(FeedConfig feed, FeedContent content, Instant at, Instant feedExpiry, int maxPrefixIpv4, int maxPrefixIpv6) {
        List<Decision> decisions = new ArrayList<>(content.size());
        long expired = 0;
        long tooBroad = 0;
        String reason = "listed by feed " + feed.name();
        long atSecond = at.getEpochSecond();
        long feedSecond = feedExpiry.getEpochSecond();
        // most entries share these: one object each instead of one per entry
        Instant sharedExpiry = Instant.ofEpochSecond(feedSecond);
        for (int index = 0; index < content.size(); index++) {
            IpFamily family = content.family(index);
            long firstHigh = content.firstHigh(index);
            long firstLow = content.firstLow(index);
            long lastHigh = content.lastHigh(index);
            long lastLow = content.lastLow(index);
            int limit = family == IpFamily.IPV4 ? maxPrefixIpv4 : maxPrefixIpv6;
            if (IpRange.isBroaderThan(family, firstHigh, firstLow, lastHigh, lastLow, limit)) {
                tooBroad++;
                continue;
            }
            long own = content.expiresEpochSecond(index);
            if (own != 0 && own <= atSecond) {
                expired++;
                continue;
            }
            Instant expiresAt = own != 0 && own < feedSecond ? Instant.ofEpochSecond(own) : sharedExpiry;
            IpRange target = new IpRange(new IpAddress(family, firstHigh, firstLow), new IpAddress(family, lastHigh, lastLow));
            decisions.add(new Decision(feed.name(), target, feed.action(), content.score(index), content.categories(index), reason,
                    at, at, expiresAt));
        }
        return new Result(decisions, expired, tooBroad);
    }

    record Result(List<Decision> decisions, long expired, long tooBroad) {
    }
}
