package dev.bulwark.enforce;

import java.util.BitSet;

/**
 * What changes between the elements in the kernel ({@code applied}, as last recorded) and the
 * desired ones: elements to add, to remove, and to re-add with a new expiry. Elements the kernel
 * has already dropped by their timeout count as absent; elements about to be dropped by it (within
 * {@code marginSeconds}) are left to their timeout rather than deleted, so that a deletion never
 * races the kernel's expiry and fails the transaction. {@code kept} elements stay as they are;
 * {@code result} is what the kernel holds once the difference is applied, to be recorded;
 * {@code kept} marks the elements of {@code result} that stay as they are; {@code changes} is what
 * was added, removed ({@link Elements#DROPPED}) and refreshed, ascending, for the state's journal.
 */
public record ElementDiff(Elements added, Elements removed, Elements refreshed, int leftToExpire, Elements result, BitSet kept,
                          Elements changes) {

    public static ElementDiff between(Elements applied, Elements desired, long nowEpochSecond, long marginSeconds) {
        Elements added = new Elements(desired.family(), 16);
        Elements removed = new Elements(desired.family(), 16);
        Elements refreshed = new Elements(desired.family(), 16);
        Elements changes = new Elements(desired.family(), 16);
        // The result has one element for each desired one, at the same index, and differs from it
        // only where a kept element keeps its older, long enough expiry: until the first such
        // element it is the desired list itself, and most applies never copy it (a million
        // elements are 25 MB to copy on every ban).
        Elements result = null;
        BitSet keptElements = new BitSet();
        int leftToExpire = 0;
        int old = 0;
        int wanted = 0;
        while (old < applied.size() || wanted < desired.size()) {
            int order = old == applied.size() ? 1 : wanted == desired.size() ? -1 : Elements.compare(applied, old, desired, wanted);
            if (order < 0) {
                long expiry = applied.expiry(old);
                if (expiry == Elements.NEVER || expiry > nowEpochSecond + marginSeconds) {
                    copy(applied, old, removed);
                    changes.add(applied.high(old), applied.low(old), applied.length(old), Elements.DROPPED);
                } else if (expiry > nowEpochSecond) {
                    leftToExpire++;
                }
                old++;
                continue;
            }
            if (order > 0) {
                copy(desired, wanted, added);
                copy(desired, wanted, changes);
                if (result != null) {
                    copy(desired, wanted, result);
                }
                wanted++;
                continue;
            }
            long expiry = applied.expiry(old);
            int run = sameRun(applied, old, desired, wanted, nowEpochSecond);
            if (run > 0) {
                // the common case, most of a large list unchanged: one bulk step for the whole run
                keptElements.set(wanted, wanted + run);
                if (result != null) {
                    result.append(applied, old, old + run);
                }
                old += run;
                wanted += run;
                continue;
            }
            if (expiry != Elements.NEVER && expiry <= nowEpochSecond) {
                copy(desired, wanted, added);
                copy(desired, wanted, changes);
                if (result != null) {
                    copy(desired, wanted, result);
                }
            } else if (expiry == desired.expiry(wanted) || lastsLongEnough(expiry, desired.expiry(wanted), nowEpochSecond)) {
                keptElements.set(wanted);
                if (result == null && expiry != desired.expiry(wanted)) {
                    result = new Elements(desired.family(), desired.size());
                    result.append(desired, 0, wanted);
                }
                if (result != null) {
                    copy(applied, old, result);
                }
            } else {
                copy(desired, wanted, refreshed);
                copy(desired, wanted, changes);
                if (result != null) {
                    copy(desired, wanted, result);
                }
            }
            old++;
            wanted++;
        }
        return new ElementDiff(added, removed, refreshed, leftToExpire, result == null ? desired : result, keptElements, changes);
    }

    /**
     * The difference when the elements are {@code big} beside the rest, {@code big} the same on
     * both sides and disjoint from the rest: {@code rest}, the difference of the rest alone, with
     * {@code big} merged into its result. A ban beside a million unchanged feed elements then
     * compares a handful of elements, not a million.
     */
    public static ElementDiff beside(Elements big, ElementDiff rest) {
        BitSet kept = new BitSet(big.size() + rest.result().size());
        Elements result = Elements.merge(big, rest.result(), rest.kept(), kept);
        return new ElementDiff(rest.added(), rest.removed(), rest.refreshed(), rest.leftToExpire(), result, kept, rest.changes());
    }

    /** How many elements from {@code old} and {@code wanted} on are the same in both, with the same live expiry. */
    private static int sameRun(Elements applied, int old, Elements desired, int wanted, long nowEpochSecond) {
        int run = 0;
        while (old + run < applied.size() && wanted + run < desired.size()
                && Elements.compare(applied, old + run, desired, wanted + run) == 0) {
            long expiry = applied.expiry(old + run);
            if (expiry != desired.expiry(wanted + run) || (expiry != Elements.NEVER && expiry <= nowEpochSecond)) {
                break;
            }
            run++;
        }
        return run;
    }

    /**
     * An element whose kernel timeout is extended is re-added only once at least half of its new
     * lifetime has passed: a cron job that applies a list with a two-hour TTL every five minutes
     * then rewrites each element about once an hour, not every run, and the kernel still never
     * drops it while the runs go on.
     */
    private static boolean lastsLongEnough(long applied, long desired, long nowEpochSecond) {
        if (applied == Elements.NEVER || desired == Elements.NEVER || desired < applied) {
            return false;
        }
        return (applied - nowEpochSecond) * 2 >= desired - nowEpochSecond;
    }

    /** How many elements stay as they are. */
    public int keptCount() {
        return kept.cardinality();
    }

    public boolean isEmpty() {
        return added.size() == 0 && removed.size() == 0 && refreshed.size() == 0;
    }

    private static void copy(Elements from, int index, Elements to) {
        to.add(from.high(index), from.low(index), from.length(index), from.expiry(index));
    }
}
