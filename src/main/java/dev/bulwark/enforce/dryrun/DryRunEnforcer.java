package dev.bulwark.enforce.dryrun;

import dev.bulwark.enforce.AppliedState;
import dev.bulwark.enforce.ApplyReport;
import dev.bulwark.enforce.DropCounters;
import dev.bulwark.enforce.ElementDiff;
import dev.bulwark.enforce.Elements;
import dev.bulwark.enforce.EnforceException;
import dev.bulwark.enforce.Enforcer;
import dev.bulwark.enforce.ScriptOutput;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.policy.Snapshot;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An enforcer whose target is a report: it keeps what it "holds" in its state file like a real
 * one, and prints the difference each apply would make, one element a line: {@code + PREFIX}
 * (with {@code until ISO-8601} when it expires), {@code - PREFIX}, {@code ~ PREFIX until ...}
 * for a new expiry. Needs no root and touches no kernel: for trying Bulwark out, and for hosts
 * where another tool enforces.
 */
public final class DryRunEnforcer implements Enforcer {
    private final OutputStream output;
    private final Path stateFile;

    public DryRunEnforcer(OutputStream output, Path stateDirectory) {
        this.output = output;
        this.stateFile = stateDirectory.resolve("dry-run.state");
    }

    @Override
    public String name() {
        return "dry-run";
    }

    @Override
    public ApplyReport apply(Snapshot desired, Instant now) throws EnforceException {
        long started = System.nanoTime();
        long nowSecond = now.getEpochSecond();
        Elements ipv4 = Elements.of(desired, IpFamily.IPV4, now);
        Elements ipv6 = Elements.of(desired, IpFamily.IPV6, now);
        Optional<AppliedState> applied;
        try {
            applied = AppliedState.read(stateFile);
        } catch (IOException e) {
            throw new EnforceException("cannot read the state file " + stateFile + ": " + e.getMessage(), e);
        }
        long added = 0;
        long removed = 0;
        long refreshed = 0;
        long kept = 0;
        Elements[] recorded = new Elements[2];
        try {
            ScriptOutput out = new ScriptOutput(output);
            for (Elements elements : List.of(ipv4, ipv6)) {
                Elements before = applied.map(state -> state.of(elements.family())).orElse(new Elements(elements.family(), 0));
                ElementDiff diff = ElementDiff.between(before, elements, nowSecond, 0);
                print(out, "- ", diff.removed(), false);
                print(out, "+ ", diff.added(), true);
                print(out, "~ ", diff.refreshed(), true);
                added += diff.added().size();
                removed += diff.removed().size();
                refreshed += diff.refreshed().size();
                kept += diff.keptCount();
                recorded[elements.family().ordinal()] = diff.result();
            }
            out.flush();
            if (applied.isEmpty() || added + removed + refreshed > 0) {
                new AppliedState("dry-run/1", recorded[0], recorded[1]).write(stateFile);
            }
        } catch (IOException e) {
            throw new EnforceException("dry run: " + e.getMessage(), e);
        }
        return new ApplyReport(name(), applied.isEmpty(), applied.isEmpty() ? "no state from an earlier apply" : null,
                added, removed, refreshed, kept, 0, ipv4.size() + ipv6.size(), Duration.ofNanos(System.nanoTime() - started));
    }

    private static void print(ScriptOutput out, String mark, Elements elements, boolean expiry) throws IOException {
        for (int index = 0; index < elements.size(); index++) {
            out.text(mark).element(elements, index);
            if (expiry && elements.expiry(index) != Elements.NEVER) {
                out.text(" until " + Instant.ofEpochSecond(elements.expiry(index)));
            }
            out.text("\n");
        }
    }

    @Override
    public void remove() throws EnforceException {
        try {
            Files.deleteIfExists(stateFile);
        } catch (IOException e) {
            throw new EnforceException("cannot delete " + stateFile + ": " + e.getMessage(), e);
        }
    }

    @Override
    public DropCounters counters() {
        return null;
    }
}
