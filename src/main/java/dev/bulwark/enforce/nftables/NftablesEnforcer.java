package dev.bulwark.enforce.nftables;

import dev.bulwark.enforce.AppliedState;
import dev.bulwark.enforce.ApplyReport;
import dev.bulwark.enforce.CommandRunner;
import dev.bulwark.enforce.DropCounters;
import dev.bulwark.enforce.ElementDiff;
import dev.bulwark.enforce.Elements;
import dev.bulwark.enforce.EnforceException;
import dev.bulwark.enforce.Enforcer;
import dev.bulwark.enforce.Hook;
import dev.bulwark.enforce.LockoutGuard;
import dev.bulwark.enforce.RuleSettings;
import dev.bulwark.enforce.StateFile;
import dev.bulwark.enforce.Tools;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.policy.Snapshot;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Enforces in nftables: table {@code inet bulwark} (name configurable) with, per family, an
 * interval set for prefixes ({@code v4}, {@code v6}) and a hash set for single addresses
 * ({@code v4_hosts}, {@code v6_hosts}), all with per-element timeouts; a base chain per hook
 * jumping to chain {@code block} (optional rate-limited log, then drop or reject); and named
 * counters per hook and family, which keep their values when the rules are rewritten.
 *
 * <p>Why two sets per family: nft (1.0.6, Debian 12) reads every interval set of the ruleset back
 * from the kernel before any element change, and the kernel's dump of a large set is quadratic:
 * one added element took 66 s with a million elements in an interval set, and 43 ms with them in
 * a hash set (docs/BENCHMARKS.md). Single addresses, most of any blocklist, therefore go to the
 * hash sets; prefixes and ranges still go, as ranges, to the interval sets.
 *
 * <p>Every apply is one {@code nft -f} transaction: the kernel sees the old state or the new one.
 * A full load (first run, no state, drift) flushes and refills the sets inside that transaction,
 * so there is no moment without them; an incremental one holds only the deletions and additions.
 * Each transaction also rewrites the rules of Bulwark's chains, which repairs a deleted rule.
 */
public final class NftablesEnforcer implements Enforcer {
    /** Table names nft accepts without quoting; also keeps the state file name safe. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,31}");
    private static final int PROBES_PER_SET = 8;
    /** How many kept elements one probe looks at for one that fits (right kind, not about to expire). */
    private static final int PROBE_SCAN = 256;
    /** Elements expiring within this many seconds are left to the kernel's timeout, not deleted. */
    private static final long EXPIRY_MARGIN_SECONDS = 5;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String table;
    private final RuleSettings rules;
    private final CommandRunner runner;
    private final LockoutGuard guard;
    private final StateFile state;
    private final Elements.Decompositions decompositions = new Elements.Decompositions();
    private final Memo ipv4Memo = new Memo();
    private final Memo ipv6Memo = new Memo();
    /** How many prefix probes were taken: moves the next one to another place in the list. */
    private long probeRounds;

    public NftablesEnforcer(String table, RuleSettings rules, CommandRunner runner, LockoutGuard guard, Path stateDirectory) {
        if (!NAME.matcher(table).matches()) {
            throw new IllegalArgumentException("table name '" + table + "' must be a letter then up to 31 letters, digits or underscores");
        }
        this.table = table;
        this.rules = rules;
        this.runner = runner;
        this.guard = guard;
        this.state = new StateFile(stateDirectory.resolve("nftables-" + table + ".state"), runner.isDryRun());
    }

    @Override
    public String name() {
        return "nftables";
    }

    /** The sets, chains and rules, as a string: a different one in the state means the next apply is a full load. */
    String layout() {
        return "nftables/1 table=" + table + " sets=v4,v4_hosts,v6,v6_hosts";
    }

    @Override
    public ApplyReport apply(Snapshot desired, Instant now) throws EnforceException {
        long started = System.nanoTime();
        Elements.Split split4 = Elements.split(desired, IpFamily.IPV4, now, decompositions);
        Elements.Split split6 = Elements.split(desired, IpFamily.IPV6, now, decompositions);
        Elements ipv4 = split4.all();
        Elements ipv6 = split6.all();
        guard.check(desired, now);
        long nowSecond = now.getEpochSecond();
        Optional<AppliedState> applied = state.read();
        Kernel kernel = inspect();
        String reason = fullLoadReason(applied, kernel);
        if (reason == null) {
            AppliedState recorded = applied.orElseThrow();
            ElementDiff diff4 = ipv4Memo.diff(recorded.ipv4(), split4, nowSecond);
            ElementDiff diff6 = ipv6Memo.diff(recorded.ipv6(), split6, nowSecond);
            boolean reload4 = reloadPrefixes(diff4, ipv4);
            boolean reload6 = reloadPrefixes(diff6, ipv6);
            CommandRunner.Result result = nft(output -> {
                Script script = new Script(output, table);
                script.declare(rules, kernel.chains);
                // nft 1.0.6 rejects deleting from an interval set that the same batch flushes: no prefix probe then
                script.probe(samples(diff4, !reload4, nowSecond), samples(diff6, !reload6, nowSecond), nowSecond);
                script.changes(diff4, ipv4, reload4, nowSecond);
                script.changes(diff6, ipv6, reload6, nowSecond);
                script.rules(rules);
                script.flush();
            });
            if (result.ok()) {
                boolean changed = !diff4.isEmpty() || !diff6.isEmpty();
                if (changed) {
                    state.save(layout(), diff4, diff6);
                }
                ipv4Memo.applied(changed ? diff4.result() : recorded.ipv4());
                ipv6Memo.applied(changed ? diff6.result() : recorded.ipv6());
                return new ApplyReport(name(), false, null,
                        diff4.added().size() + diff6.added().size(), diff4.removed().size() + diff6.removed().size(),
                        diff4.refreshed().size() + diff6.refreshed().size(), diff4.keptCount() + diff6.keptCount(),
                        diff4.leftToExpire() + diff6.leftToExpire(), ipv4.size() + ipv6.size(), since(started));
            }
            reason = result.message().contains("No such file or directory")
                    ? "elements recorded as applied are missing from the sets (flushed?)"
                    : "the incremental update failed (" + Tools.firstLine(result.message()) + ")";
        }
        ipv4Memo.forget();
        ipv6Memo.forget();
        fullLoad(ipv4, ipv6, kernel, nowSecond);
        state.save(layout(), ipv4, ipv6);
        ipv4Memo.loaded(split4);
        ipv6Memo.loaded(split6);
        return new ApplyReport(name(), true, reason, ipv4.size() + ipv6.size(), 0, 0, 0, 0, ipv4.size() + ipv6.size(), since(started));
    }

    /**
     * Whether to rewrite a family's interval set whole rather than delete from it: nft 1.0.6 took
     * 0.49 s to delete 99 prefixes from a set of 10,000, and 0.14 s to flush and refill all 10,000
     * in one transaction (docs/BENCHMARKS.md), so past one deletion per few hundred prefixes a
     * rewrite is cheaper. Still one transaction: packets never see the set empty.
     */
    private static boolean reloadPrefixes(ElementDiff diff, Elements desired) {
        int deletions = countPrefixes(diff.removed()) + countPrefixes(diff.refreshed());
        return deletions > 0 && (long) deletions * 300 >= desired.size() - desired.hostCount();
    }

    private static int countPrefixes(Elements elements) {
        return elements.size() - elements.hostCount();
    }

    private void fullLoad(Elements ipv4, Elements ipv6, Kernel kernel, long nowSecond) throws EnforceException {
        CommandRunner.Result result = nft(output -> {
            Script script = new Script(output, table);
            script.declare(rules, kernel.chains);
            script.flushSets();
            script.elements("add", ipv4, nowSecond);
            script.elements("add", ipv6, nowSecond);
            script.rules(rules);
            script.flush();
        });
        if (result.ok()) {
            return;
        }
        // The table exists with other set flags or chain priorities (e.g. loaded from an older
        // script): replace it whole, still in one transaction, so its protection never lapses.
        CommandRunner.Result recreated = nft(output -> {
            Script script = new Script(output, table);
            script.text("table inet " + table + " {\n}\ndelete table inet " + table + "\n");
            script.declare(rules, Map.of());
            script.elements("add", ipv4, nowSecond);
            script.elements("add", ipv6, nowSecond);
            script.rules(rules);
            script.flush();
        });
        if (!recreated.ok()) {
            throw failure("loading the sets", recreated.message().isEmpty() ? result.message() : recreated.message());
        }
    }

    private String fullLoadReason(Optional<AppliedState> applied, Kernel kernel) {
        String unusable = StateFile.unusable(applied, layout());
        if (unusable != null || runner.isDryRun()) {
            return unusable;
        }
        if (!kernel.tableFound) {
            return "table inet " + table + " is missing";
        }
        for (Hook hook : rules.orderedHooks()) {
            JsonNode chain = kernel.chains.get(hook.lowerName());
            if (chain == null) {
                return "chain " + hook.lowerName() + " is missing";
            }
            if (!hook.lowerName().equals(chain.path("hook").asString("")) || chain.path("prio").asInt(Integer.MIN_VALUE) != rules.priority()) {
                return "chain " + hook.lowerName() + " has another hook or priority";
            }
        }
        return null;
    }

    /**
     * A few kept elements, spread over the list, that the incremental transaction deletes and
     * re-adds unchanged: if the sets were flushed or the elements deleted behind Bulwark's back,
     * the deletion fails, the transaction changes nothing, and a full load repairs the sets. This
     * costs no extra nft run, unlike a listing (tens of seconds for a million elements).
     */
    private Elements samples(ElementDiff diff, boolean withPrefixes, long nowSecond) {
        Elements kept = diff.result();
        Elements samples = new Elements(kept.family(), PROBES_PER_SET + 1);
        // the first fitting element from each of PROBES_PER_SET evenly spaced places: a look at a
        // few hundred elements at most, not a pass over the million (it runs on every ban)
        for (int probe = 0, last = -1; probe < PROBES_PER_SET; probe++) {
            int found = probeFrom(diff, Math.max(last + 1, (int) ((long) kept.size() * probe / PROBES_PER_SET)), true, nowSecond);
            if (found >= 0) {
                samples.add(kept.high(found), kept.low(found), kept.length(found), kept.expiry(found));
                last = found;
            }
        }
        if (withPrefixes) {
            // One prefix, from a place that moves on with every apply: nft 1.0.6 takes about 5 ms
            // per deletion from an interval set of 10,000 (docs/BENCHMARKS.md), eight would double
            // the time of a ban. One still finds a flushed set at once; a few prefixes deleted by
            // hand are found over the next applies.
            probeRounds++;
            int from = (int) (((probeRounds * 0x9E3779B97F4A7C15L) >>> 33) * kept.size() >>> 31);
            int found = probeFrom(diff, from, false, nowSecond);
            found = found >= 0 ? found : probeFrom(diff, 0, false, nowSecond);
            if (found >= 0) {
                samples.add(kept.high(found), kept.low(found), kept.length(found), kept.expiry(found));
            }
        }
        return samples;
    }

    /** The first kept element from {@code from} on, among the next {@link #PROBE_SCAN}, that can be probed; -1 for none. */
    private static int probeFrom(ElementDiff diff, int from, boolean hosts, long nowSecond) {
        int scanned = 0;
        for (int index = diff.kept().nextSetBit(from); index >= 0 && scanned < PROBE_SCAN; index = diff.kept().nextSetBit(index + 1)) {
            scanned++;
            if (probeable(diff.result(), index, hosts, nowSecond)) {
                return index;
            }
        }
        return -1;
    }

    private static boolean probeable(Elements elements, int index, boolean hosts, long nowSecond) {
        long expiry = elements.expiry(index);
        return elements.isHost(index) == hosts && (expiry == Elements.NEVER || expiry > nowSecond + 60);
    }

    /** What {@code nft -j list chains} says of our table: cheap, unlike any listing that includes sets. */
    private Kernel inspect() throws EnforceException {
        CommandRunner.Result result = runner.query(List.of("nft", "-j", "list", "chains", "inet"));
        if (result == null) {
            return new Kernel(false, Map.of());
        }
        if (!result.ok()) {
            throw failure("listing the chains", result.message());
        }
        Map<String, JsonNode> chains = new HashMap<>();
        boolean found = false;
        for (JsonNode item : JSON.readTree(result.stdout()).path("nftables")) {
            JsonNode chain = item.path("chain");
            if (chain.isObject() && table.equals(chain.path("table").asString(""))) {
                found = true;
                chains.put(chain.path("name").asString(""), chain);
            }
        }
        return new Kernel(found, chains);
    }

    private record Kernel(boolean tableFound, Map<String, JsonNode> chains) {
    }

    @Override
    public void remove() throws EnforceException {
        CommandRunner.Result result = nft(output -> output.write(("table inet " + table + " {\n}\ndelete table inet " + table + "\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        if (!result.ok()) {
            throw failure("removing table inet " + table, result.message());
        }
        state.delete();
    }

    @Override
    public DropCounters counters() throws EnforceException {
        CommandRunner.Result result = runner.query(List.of("nft", "-j", "list", "counters", "table", "inet", table));
        if (result == null) {
            return null;
        }
        if (!result.ok()) {
            throw failure("reading the counters", result.message());
        }
        long[] sums = new long[4];
        for (JsonNode item : JSON.readTree(result.stdout()).path("nftables")) {
            JsonNode counter = item.path("counter");
            String name = counter.path("name").asString("");
            int offset = name.endsWith("_v4") ? 0 : name.endsWith("_v6") ? 2 : -1;
            if (counter.isObject() && offset >= 0) {
                sums[offset] += counter.path("packets").asLong(0);
                sums[offset + 1] += counter.path("bytes").asLong(0);
            }
        }
        return new DropCounters(sums[0], sums[1], sums[2], sums[3]);
    }

    private CommandRunner.Result nft(CommandRunner.Input script) throws EnforceException {
        return runner.run(List.of("nft", "-f", "-"), script);
    }



    private static EnforceException failure(String what, String message) {
        String hint = Tools.diagnose("nft", message);
        return new EnforceException("nft failed " + what + ": " + Tools.firstLine(message) + (hint == null ? "" : ". " + hint));
    }


    /**
     * What the last apply left in the kernel of one family, in parts: the elements of the large
     * group ({@link Elements.Split#big}, kept by {@link Elements.Decompositions}) as the kernel
     * holds them, beside the rest. While the large group stays the same object, the state read is
     * the one recorded, and no kept element of the large group has come due for a refresh, the
     * next difference is that of the rest alone: a ban beside a million feed elements compares a
     * handful of elements, not a million.
     */
    private static final class Memo {
        /** The large group's elements as held, the rest as held, and the second from which the large group needs a new look. */
        private record Parts(Elements desiredBig, Elements heldBig, Elements heldRest, long stableUntil) {
        }

        private Parts parts;
        private Elements recorded;
        private Parts pending;

        ElementDiff diff(Elements applied, Elements.Split desired, long nowSecond) {
            Parts held = parts;
            if (held != null && desired.big() == held.desiredBig && applied == recorded && nowSecond < held.stableUntil) {
                ElementDiff rest = ElementDiff.between(held.heldRest, desired.small(), nowSecond, EXPIRY_MARGIN_SECONDS);
                pending = new Parts(held.desiredBig, held.heldBig, rest.result(), held.stableUntil);
                return ElementDiff.beside(held.heldBig, rest);
            }
            ElementDiff diff = ElementDiff.between(applied, desired.all(), nowSecond, EXPIRY_MARGIN_SECONDS);
            pending = desired.big() == null ? null : parts(desired, diff.result());
            return diff;
        }

        /** The parts of {@code held}, the result of a whole difference, which lines up with {@code desired.all()}. */
        private static Parts parts(Elements.Split desired, Elements held) {
            if (held == desired.all()) {
                return new Parts(desired.big(), desired.big(), desired.small(), expiryBound(desired.big(), desired.big()));
            }
            Elements heldBig = held.select(desired.bigPositions(), true);
            return new Parts(desired.big(), heldBig, held.select(desired.bigPositions(), false), expiryBound(desired.big(), heldBig));
        }

        /**
         * The first second at which a whole difference could find another answer for the large
         * group: its expiry, or for an element kept with an earlier expiry (see {@link ElementDiff}),
         * the second past which that expiry no longer lasts long enough.
         */
        private static long expiryBound(Elements desiredBig, Elements heldBig) {
            long wanted = desiredBig.size() == 0 ? Elements.NEVER : desiredBig.expiry(0); // one group: one expiry
            long bound = wanted == Elements.NEVER ? Long.MAX_VALUE : wanted;
            for (int index = 0; index < heldBig.size(); index++) {
                long held = heldBig.expiry(index);
                if (held != wanted) {
                    bound = Math.min(bound, 2 * held - wanted + 1);
                }
            }
            return bound;
        }

        /** The kernel and the state file now hold {@code elements}, from the last {@link #diff}. */
        void applied(Elements elements) {
            parts = pending;
            recorded = parts == null ? null : elements;
        }

        void loaded(Elements.Split split) {
            parts = split.big() == null ? null : new Parts(split.big(), split.big(), split.small(), expiryBound(split.big(), split.big()));
            recorded = parts == null ? null : split.all();
        }

        void forget() {
            parts = null;
            recorded = null;
        }
    }

    private static Duration since(long started) {
        return Duration.ofNanos(System.nanoTime() - started);
    }
}
