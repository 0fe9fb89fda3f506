package dev.bulwark.enforce;

import static java.util.Objects.requireNonNull;

import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the kernel rules of an enforcer look: the hooks checked, the verdict, an optional
 * rate-limited log line before it ({@code logPrefix} null for none) and the nftables priority.
 */
public record RuleSettings(Set<Hook> hooks, Verdict verdict, String logPrefix, int priority) {
    /** Printable ASCII without quotes or backslashes: it goes into an nft script and an iptables argument. */
    private static final Pattern LOG_PREFIX = Pattern.compile("[ !#-\\[\\]-~]{1,28}");
    public static final int DEFAULT_PRIORITY = -10;

    public RuleSettings {
        requireNonNull(verdict, "verdict is null");
        if (hooks.isEmpty()) {
            throw new IllegalArgumentException("at least one hook is needed");
        }
        hooks = Set.copyOf(EnumSet.copyOf(hooks));
        if (logPrefix != null && !LOG_PREFIX.matcher(logPrefix).matches()) {
            throw new IllegalArgumentException("log prefix '" + logPrefix
                    + "' must be 1 to 28 printable ASCII characters without quotes or backslashes (iptables' limit is 29 with its terminator)");
        }
        if (priority < -400 || priority > 400) {
            throw new IllegalArgumentException("priority " + priority + " is out of the usual range -400..400");
        }
    }

    public static RuleSettings defaults() {
        return new RuleSettings(EnumSet.of(Hook.INPUT), Verdict.DROP, null, DEFAULT_PRIORITY);
    }

    /** Hooks in a stable order. */
    public Hook[] orderedHooks() {
        return EnumSet.copyOf(hooks).toArray(new Hook[0]);
    }
}
