package dev.bulwark.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.ip.IpSet;

/**
 * Compiles feeds into one blocklist: every accepted entry of every feed, merged into the
 * minimal set, minus the allowlist and the protected ranges. Allowed and protected addresses
 * inside a blocked prefix split the prefix; the rest of it stays blocked.
 */
public final class BlocklistCompiler {
    private final CompilePolicy policy;
    private final IpSet.Builder entries = IpSet.builder();

    public BlocklistCompiler(CompilePolicy policy) {
        this.policy = requireNonNull(policy, "policy is null");
    }

    /** The sink for one feed's entries. */
    public FeedIntake intake(String feed) {
        return new FeedIntake(feed, policy, entries);
    }

    public Result compile(IpSet allow) {
        IpSet named = entries.build();
        // one pass over the big set: the small sets are joined first
        IpSet blocked = named.difference(allow.union(policy.protection().ranges()));
        return new Result(named, blocked);
    }

    /** Everything the feeds named (after score and prefix limits), and what stays blocked. */
    public record Result(IpSet named, IpSet blocked) {
    }
}
