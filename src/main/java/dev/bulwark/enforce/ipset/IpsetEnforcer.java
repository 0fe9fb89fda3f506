package dev.bulwark.enforce.ipset;

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
import dev.bulwark.enforce.ScriptOutput;
import dev.bulwark.enforce.StateFile;
import dev.bulwark.enforce.Tools;
import dev.bulwark.enforce.Verdict;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.policy.Snapshot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Enforces with ipset and iptables, for systems without nftables: {@code hash:net} sets
 * {@code bulwark-v4} and {@code bulwark-v6} (per-element timeouts, sized from the list with room
 * to grow, so that "Hash is full" does not happen), a chain {@code BULWARK} matching sources
 * (jumped to from INPUT and FORWARD) and {@code BULWARK-OUTPUT} matching destinations (from
 * OUTPUT), each jump once and first in its chain. Works with iptables-nft and iptables-legacy.
 *
 * <p>A full load fills a new set with one {@code ipset restore} and swaps it for the live one
 * (atomic: packets see the old set or the new); an incremental update is one
 * {@code ipset restore -exist} batch of deletions and additions, where re-adding an element also
 * resets its timeout.
 */
public final class IpsetEnforcer implements Enforcer {
    /** ipset's largest timeout (seconds); longer expiries go in without one and are removed by Bulwark when due. */
    static final long MAX_TIMEOUT_SECONDS = 2_147_483;
    private static final long EXPIRY_MARGIN_SECONDS = 5;
    private static final Pattern ENTRIES = Pattern.compile("(?m)^Number of entries: (\\d+)");
    private static final Pattern MAX_ELEMENTS = Pattern.compile("maxelem (\\d+)");

    private final RuleSettings rules;
    private final String iptables;
    private final CommandRunner runner;
    private final LockoutGuard guard;
    private final StateFile state;
    private final Elements.Decompositions decompositions = new Elements.Decompositions();

    /** {@code iptables}: the command, {@code iptables}, {@code iptables-nft} or {@code iptables-legacy}; ip6tables is named after it. */
    public IpsetEnforcer(RuleSettings rules, String iptables, CommandRunner runner, LockoutGuard guard, Path stateDirectory) {
        if (!iptables.equals("iptables") && !iptables.equals("iptables-nft") && !iptables.equals("iptables-legacy")) {
            throw new IllegalArgumentException("--iptables must be iptables, iptables-nft or iptables-legacy, not '" + iptables + "'");
        }
        this.rules = rules;
        this.iptables = iptables;
        this.runner = runner;
        this.guard = guard;
        this.state = new StateFile(stateDirectory.resolve("ipset-bulwark.state"), runner.isDryRun());
    }

    @Override
    public String name() {
        return "ipset";
    }

    static String setName(IpFamily family) {
        return family == IpFamily.IPV4 ? "bulwark-v4" : "bulwark-v6";
    }

    private String layout() {
        return "ipset/1 sets=bulwark-v4,bulwark-v6 hash:net timeout";
    }

    @Override
    public ApplyReport apply(Snapshot desired, Instant now) throws EnforceException {
        long started = System.nanoTime();
        long nowSecond = now.getEpochSecond();
        Elements ipv4 = kernelForm(Elements.of(desired, IpFamily.IPV4, now, decompositions), nowSecond);
        Elements ipv6 = kernelForm(Elements.of(desired, IpFamily.IPV6, now, decompositions), nowSecond);
        guard.check(desired, now);
        Optional<AppliedState> applied = state.read();
        List<String> existing = setNames();
        long added = 0;
        long removed = 0;
        long refreshed = 0;
        long kept = 0;
        long leftToExpire = 0;
        List<String> reasons = new ArrayList<>();
        Elements[] recorded = {ipv4, ipv6};
        for (Elements elements : List.of(ipv4, ipv6)) {
            IpFamily family = elements.family();
            String reason = fullLoadReason(applied, existing, elements, nowSecond);
            if (reason == null) {
                ElementDiff diff = ElementDiff.between(applied.orElseThrow().of(family), elements, nowSecond, EXPIRY_MARGIN_SECONDS);
                if (!diff.isEmpty()) {
                    CommandRunner.Result result = runner.run(List.of("ipset", "restore", "-exist"), output -> {
                        ScriptOutput out = new ScriptOutput(output);
                        lines(out, "del " + setName(family) + " ", diff.removed(), nowSecond, false);
                        lines(out, "add " + setName(family) + " ", diff.added(), nowSecond, true);
                        lines(out, "add " + setName(family) + " ", diff.refreshed(), nowSecond, true);
                        out.flush();
                    });
                    if (!result.ok()) {
                        reason = "the incremental update failed (" + Tools.firstLine(result.message()) + ")";
                    }
                }
                if (reason == null) {
                    recorded[family.ordinal()] = diff.result();
                    added += diff.added().size();
                    removed += diff.removed().size();
                    refreshed += diff.refreshed().size();
                    kept += diff.keptCount();
                    leftToExpire += diff.leftToExpire();
                    continue;
                }
            }
            fullLoad(elements, existing, nowSecond);
            reasons.add(family.name() + ": " + reason);
            added += elements.size();
        }
        String ruleChange = ensureRules();
        if (!reasons.isEmpty() || added + removed + refreshed > 0 || applied.isEmpty()) {
            state.save(layout(), recorded[0], recorded[1]);
        }
        boolean full = !reasons.isEmpty();
        String reason = String.join("; ", reasons);
        if (ruleChange != null) {
            reason = reason.isEmpty() ? ruleChange : reason + "; " + ruleChange;
        }
        return new ApplyReport(name(), full, reason.isEmpty() ? null : reason, added, removed, refreshed, kept, leftToExpire,
                ipv4.size() + ipv6.size(), Duration.ofNanos(System.nanoTime() - started));
    }

    /** Expiries as the kernel will hold them: beyond ipset's longest timeout an element goes in without one. */
    private static Elements kernelForm(Elements elements, long nowSecond) {
        return elements.mapExpiry(expiry -> expiry - nowSecond > MAX_TIMEOUT_SECONDS ? Elements.NEVER : expiry);
    }

    private String fullLoadReason(Optional<AppliedState> applied, List<String> existing, Elements desired, long nowSecond) throws EnforceException {
        String unusable = StateFile.unusable(applied, layout());
        if (unusable != null || runner.isDryRun()) {
            return unusable;
        }
        String name = setName(desired.family());
        if (!existing.contains(name)) {
            return "set " + name + " is missing";
        }
        CommandRunner.Result header = runner.query(List.of("ipset", "list", "-t", name));
        if (!header.ok()) {
            return "set " + name + " cannot be read (" + Tools.firstLine(header.message()) + ")";
        }
        if (!header.stdout().contains(" timeout ")) {
            return "set " + name + " was created without timeout support";
        }
        Matcher maximum = MAX_ELEMENTS.matcher(header.stdout());
        if (maximum.find() && desired.size() > Long.parseLong(maximum.group(1)) * 9 / 10) {
            return "set " + name + " needs more room";
        }
        Matcher entries = ENTRIES.matcher(header.stdout());
        Elements recorded = applied.get().of(desired.family());
        if (entries.find()) {
            long count = Long.parseLong(entries.group(1));
            // the kernel may still count entries that timed out but were not yet collected
            if (count < recorded.liveAt(nowSecond + EXPIRY_MARGIN_SECONDS) || count > recorded.size()) {
                return "set " + name + " holds " + count + " entries, not the " + recorded.liveAt(nowSecond) + " recorded";
            }
        }
        return null;
    }

    /** Fills a fresh set and swaps it for the live one. */
    private void fullLoad(Elements elements, List<String> existing, long nowSecond) throws EnforceException {
        String name = setName(elements.family());
        String fresh = name + "-new";
        long maxElements = Math.max(65_536, Long.highestOneBit(Math.max(1, elements.size()) * 2L - 1) << 1);
        long hashSize = Math.max(1024, Long.highestOneBit(Math.max(1, elements.size() / 2)));
        String create = " hash:net family " + (elements.family() == IpFamily.IPV4 ? "inet" : "inet6")
                + " hashsize " + hashSize + " maxelem " + maxElements + " timeout 0\n";
        CommandRunner.Result result = runner.run(List.of("ipset", "restore"), output -> {
            ScriptOutput out = new ScriptOutput(output);
            if (existing.contains(fresh)) {
                out.text("destroy " + fresh + "\n");
            }
            out.text("create " + fresh + create);
            lines(out, "add " + fresh + " ", elements, nowSecond, true);
            if (!existing.contains(name)) {
                out.text("create " + name + create);
            }
            out.text("swap " + fresh + " " + name + "\n");
            out.text("destroy " + fresh + "\n");
            out.flush();
        });
        if (!result.ok()) {
            throw failure("ipset", "loading set " + name, result.message());
        }
    }

    private static void lines(ScriptOutput out, String head, Elements elements, long nowSecond, boolean timeouts) throws IOException {
        for (int index = 0; index < elements.size(); index++) {
            out.text(head);
            if (elements.length(index) == 0) {
                // hash:net takes prefixes of 1 to 32 (128) bits: /0 goes in as its two halves
                out.text(elements.family() == IpFamily.IPV4 ? "0.0.0.0/1" : "::/1");
                timeout(out, elements, index, nowSecond, timeouts);
                out.text("\n" + head + (elements.family() == IpFamily.IPV4 ? "128.0.0.0/1" : "8000::/1"));
            } else {
                out.element(elements, index);
            }
            timeout(out, elements, index, nowSecond, timeouts);
            out.text("\n");
        }
    }

    private static void timeout(ScriptOutput out, Elements elements, int index, long nowSecond, boolean timeouts) throws IOException {
        long expiry = elements.expiry(index);
        if (timeouts && expiry != Elements.NEVER) {
            out.text(" timeout ").number(Math.max(1, expiry - nowSecond));
        }
    }

    private List<String> setNames() throws EnforceException {
        CommandRunner.Result result = runner.query(List.of("ipset", "list", "-n"));
        if (result == null) {
            return List.of();
        }
        if (!result.ok()) {
            throw failure("ipset", "listing the sets", result.message());
        }
        return result.stdout().lines().map(String::trim).toList();
    }

    // --- iptables ------------------------------------------------------------------------

    private String tool(IpFamily family) {
        return family == IpFamily.IPV4 ? iptables : iptables.replace("iptables", "ip6tables");
    }

    private static String chain(Hook hook) {
        return hook.matchesDestination() ? "BULWARK-OUTPUT" : "BULWARK";
    }

    /** The rules of one of Bulwark's chains, as arguments after {@code -A CHAIN}. */
    private List<List<String>> chainRules(IpFamily family, boolean destination) {
        List<String> match = List.of("-m", "set", "--match-set", setName(family), destination ? "dst" : "src");
        List<List<String>> chainRules = new ArrayList<>();
        if (rules.logPrefix() != null) {
            List<String> log = new ArrayList<>(match);
            log.addAll(List.of("-m", "limit", "--limit", "10/min", "--limit-burst", "5", "-j", "LOG", "--log-prefix", rules.logPrefix()));
            chainRules.add(log);
        }
        List<String> verdict = new ArrayList<>(match);
        if (rules.verdict() == Verdict.DROP) {
            verdict.addAll(List.of("-j", "DROP"));
        } else {
            verdict.addAll(List.of("-j", "REJECT", "--reject-with", family == IpFamily.IPV4 ? "icmp-admin-prohibited" : "icmp6-adm-prohibited"));
        }
        chainRules.add(verdict);
        return chainRules;
    }

    /** Makes the chains and jumps exactly as configured; returns what it had to fix, or null. */
    private String ensureRules() throws EnforceException {
        List<String> fixed = new ArrayList<>();
        for (IpFamily family : IpFamily.values()) {
            String tool = tool(family);
            for (boolean destination : new boolean[] {false, true}) {
                String chain = destination ? "BULWARK-OUTPUT" : "BULWARK";
                boolean used = rules.hooks().stream().anyMatch(hook -> hook.matchesDestination() == destination);
                if (!used) {
                    continue;
                }
                List<List<String>> wanted = chainRules(family, destination);
                if (!chainMatches(tool, chain, wanted)) {
                    restoreChain(tool, chain, wanted);
                    fixed.add(tool + " chain " + chain + " rewritten");
                }
            }
            for (Hook hook : Hook.values()) {
                String builtin = hook.name();
                boolean wanted = rules.hooks().contains(hook);
                String jump = "-A " + builtin + " -j " + chain(hook);
                List<Integer> positions = positions(tool, builtin, jump);
                if (wanted && (positions.isEmpty() || positions.getFirst() != 1)) {
                    iptables(tool, "-I", builtin, "1", "-j", chain(hook));
                    positions = positions.stream().map(position -> position + 1).toList();
                    fixed.add(tool + " jump from " + builtin + " put first");
                } else if (wanted) {
                    positions = positions.subList(1, positions.size());
                }
                for (int index = positions.size() - 1; index >= 0; index--) {
                    iptables(tool, "-D", builtin, Integer.toString(positions.get(index)));
                    fixed.add(tool + " extra jump from " + builtin + " removed");
                }
            }
        }
        return fixed.isEmpty() ? null : String.join(", ", fixed);
    }

    private boolean chainMatches(String tool, String chain, List<List<String>> wanted) throws EnforceException {
        CommandRunner.Result listed = runner.query(List.of(tool, "-w", "-S", chain));
        if (listed == null) {
            return false;
        }
        if (!listed.ok()) {
            return false;
        }
        long count = listed.stdout().lines().filter(line -> line.startsWith("-A " + chain + " ")).count();
        if (count != wanted.size()) {
            return false;
        }
        for (List<String> rule : wanted) {
            List<String> check = new ArrayList<>(List.of(tool, "-w", "-C", chain));
            check.addAll(rule);
            if (!runner.query(check).ok()) {
                return false;
            }
        }
        return true;
    }

    /** Replaces a chain's rules in one iptables-restore commit, which also creates the chain. */
    private void restoreChain(String tool, String chain, List<List<String>> wanted) throws EnforceException {
        StringBuilder script = new StringBuilder("*filter\n:").append(chain).append(" - [0:0]\n");
        for (List<String> rule : wanted) {
            script.append("-A ").append(chain);
            for (String argument : rule) {
                script.append(' ').append(argument.contains(" ") ? "\"" + argument + "\"" : argument);
            }
            script.append('\n');
        }
        script.append("COMMIT\n");
        byte[] bytes = script.toString().getBytes(StandardCharsets.US_ASCII);
        CommandRunner.Result result = runner.run(List.of(tool + "-restore", "-w", "--noflush"), output -> output.write(bytes));
        if (!result.ok()) {
            throw failure(tool, "writing chain " + chain, result.message());
        }
    }

    /** 1-based positions of {@code rule} (as {@code -S} prints it) in a built-in chain. */
    private List<Integer> positions(String tool, String builtin, String rule) throws EnforceException {
        CommandRunner.Result listed = runner.query(List.of(tool, "-w", "-S", builtin));
        if (listed == null) {
            return List.of();
        }
        if (!listed.ok()) {
            throw failure(tool, "listing chain " + builtin, listed.message());
        }
        List<Integer> positions = new ArrayList<>();
        int position = 0;
        for (String line : listed.stdout().split("\n")) {
            if (!line.startsWith("-A ")) {
                continue;
            }
            position++;
            if (line.trim().equals(rule)) {
                positions.add(position);
            }
        }
        return positions;
    }

    private void iptables(String tool, String... arguments) throws EnforceException {
        List<String> command = new ArrayList<>(List.of(tool, "-w"));
        command.addAll(List.of(arguments));
        CommandRunner.Result result = runner.run(command);
        if (!result.ok()) {
            throw failure(tool, String.join(" ", arguments), result.message());
        }
    }

    @Override
    public void remove() throws EnforceException {
        for (IpFamily family : IpFamily.values()) {
            String tool = tool(family);
            for (Hook hook : Hook.values()) {
                List<Integer> positions = positions(tool, hook.name(), "-A " + hook.name() + " -j " + chain(hook));
                for (int index = positions.size() - 1; index >= 0; index--) {
                    iptables(tool, "-D", hook.name(), Integer.toString(positions.get(index)));
                }
            }
            for (String chain : List.of("BULWARK", "BULWARK-OUTPUT")) {
                CommandRunner.Result exists = runner.query(List.of(tool, "-w", "-S", chain));
                if (exists == null || exists.ok()) {
                    iptables(tool, "-F", chain);
                    iptables(tool, "-X", chain);
                }
            }
        }
        List<String> existing = setNames();
        for (IpFamily family : IpFamily.values()) {
            for (String name : List.of(setName(family), setName(family) + "-new")) {
                if (runner.isDryRun() || existing.contains(name)) {
                    CommandRunner.Result result = runner.run(List.of("ipset", "destroy", name));
                    if (!result.ok()) {
                        throw failure("ipset", "destroying " + name, result.message());
                    }
                }
            }
        }
        state.delete();
    }

    @Override
    public DropCounters counters() throws EnforceException {
        long[] sums = new long[4];
        for (IpFamily family : IpFamily.values()) {
            for (String chain : List.of("BULWARK", "BULWARK-OUTPUT")) {
                CommandRunner.Result listed = runner.query(List.of(tool(family), "-w", "-n", "-v", "-x", "-L", chain));
                if (listed == null) {
                    return null;
                }
                if (!listed.ok()) {
                    continue;
                }
                for (String line : listed.stdout().split("\n")) {
                    String[] columns = line.trim().split("\\s+");
                    if (columns.length > 2 && (columns[2].equals("DROP") || columns[2].equals("REJECT")) && columns[0].matches("\\d+")) {
                        int offset = family == IpFamily.IPV4 ? 0 : 2;
                        sums[offset] += Long.parseLong(columns[0]);
                        sums[offset + 1] += Long.parseLong(columns[1]);
                    }
                }
            }
        }
        return new DropCounters(sums[0], sums[1], sums[2], sums[3]);
    }



    private static EnforceException failure(String program, String what, String message) {
        String hint = Tools.diagnose(program, message);
        return new EnforceException(program + " failed " + what + ": " + Tools.firstLine(message) + (hint == null ? "" : ". " + hint));
    }

}
