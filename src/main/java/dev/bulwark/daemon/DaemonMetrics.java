package dev.bulwark.daemon;

import dev.bulwark.enforce.ApplyReport;
import dev.bulwark.enforce.DropCounters;
import dev.bulwark.feed.FeedConfig;
import dev.bulwark.feed.FeedRound;
import dev.bulwark.ip.IpFamily;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The daemon's Prometheus metrics: decisions per origin, enforced prefixes per family, feed
 * rounds by result with their durations and entries, apply durations and failures per
 * enforcer, and the packets the kernel dropped (read from the enforcers' counters now and then:
 * listing counters is slow next to a large set on older nft).
 */
final class DaemonMetrics implements Reconciler.ReconcileListener {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentHashMap<String, long[]> feedEntries = new ConcurrentHashMap<>();
    private final AtomicReference<DropCounters> dropped = new AtomicReference<>(new DropCounters(0, 0, 0, 0));
    /** Held here because a gauge holds what it reads only weakly: once collected, the gauge reads NaN. */
    private final Supplier<Published> current;

    /** {@code jailOrigins}: the origins of the jails' decisions ({@code jail:NAME}), counted as the feeds' are. */
    DaemonMetrics(Supplier<Published> current, List<FeedConfig> feeds, java.util.Collection<String> jailOrigins) {
        this.current = current;
        Gauge.builder("bulwark_blocked_prefixes", current, published -> published.get().blocked().prefixCount(IpFamily.IPV4))
                .tag("family", "ipv4").description("Prefixes enforced now").register(registry);
        Gauge.builder("bulwark_blocked_prefixes", current, published -> published.get().blocked().prefixCount(IpFamily.IPV6))
                .tag("family", "ipv6").description("Prefixes enforced now").register(registry);
        Gauge.builder("bulwark_state_version", current, published -> published.get().version())
                .description("Version of the published state").register(registry);
        List<String> origins = new java.util.ArrayList<>();
        origins.add(dev.bulwark.decision.Decision.MANUAL);
        feeds.forEach(feed -> origins.add(feed.name()));
        origins.addAll(jailOrigins);
        for (String origin : origins) {
            Gauge.builder("bulwark_decisions", current, published -> published.get().book().origin(origin).size())
                    .tag("origin", origin).description("Live decisions").register(registry);
        }
        for (FeedConfig feed : feeds) {
            long[] entries = feedEntries.computeIfAbsent(feed.name(), name -> new long[1]);
            Gauge.builder("bulwark_feed_entries", entries, value -> value[0]).tag("feed", feed.name())
                    .description("Entries of the feed's content in force").register(registry);
        }
        FunctionCounter.builder("bulwark_dropped_packets", dropped, counters -> counters.get().ipv4Packets()).tag("family", "ipv4")
                .description("Packets dropped by the kernel rules, as last read").register(registry);
        FunctionCounter.builder("bulwark_dropped_packets", dropped, counters -> counters.get().ipv6Packets()).tag("family", "ipv6")
                .description("Packets dropped by the kernel rules, as last read").register(registry);
    }

    void feedRound(FeedConfig feed, FeedRound round) {
        Counter.builder("bulwark_feed_rounds").tag("feed", feed.name()).tag("result", round.outcome().kind().label())
                .description("Feed rounds by result").register(registry).increment();
        Timer.builder("bulwark_feed_round_seconds").tag("feed", feed.name()).description("Feed round durations, retries included")
                .register(registry).record(round.duration());
        if (round.content() != null) {
            feedEntries.computeIfAbsent(feed.name(), name -> new long[1])[0] = round.content().size();
        }
    }

    void dropped(DropCounters counters) {
        if (counters != null) {
            dropped.set(counters);
        }
    }

    @Override
    public void applied(String enforcer, Duration took, ApplyReport report) {
        Timer.builder("bulwark_apply_seconds").tag("enforcer", enforcer).description("Apply durations").register(registry).record(took);
    }

    @Override
    public void failed(String enforcer, Duration took, Exception failure) {
        Counter.builder("bulwark_apply_failures").tag("enforcer", enforcer).description("Failed applies").register(registry).increment();
    }

    String scrape() {
        return registry.scrape();
    }
}
