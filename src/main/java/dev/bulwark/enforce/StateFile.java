package dev.bulwark.enforce;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where one enforcer keeps its {@link AppliedState}; a dry run reads it but never writes.
 *
 * <p>The last state read or written is kept in memory, and read again from disk only when the
 * files changed behind this object's back (another {@code bulwark} process on the same state
 * directory). A save after a small change appends it to the journal; once the journal has grown
 * past a quarter of the whole state, the next save writes the whole state again.
 */
public final class StateFile {
    /** Below this, a journal is never worth compacting: a few thousand changed elements. */
    private static final long SMALL_JOURNAL_BYTES = 64 * 1024;

    private final Path file;
    private final Path journal;
    private final boolean readOnly;
    private Cached cached;

    public StateFile(Path file, boolean readOnly) {
        this.file = file;
        this.journal = AppliedState.journalOf(file);
        this.readOnly = readOnly;
    }

    /** What was read or written last, with the files' stamps at that moment and the journal's length and whether it needs rewriting. */
    private record Cached(AppliedState state, long id, String fileStamp, String journalStamp, long journalBytes, boolean compact) {
    }

    public Optional<AppliedState> read() throws EnforceException {
        try {
            String fileStamp = AppliedState.stamp(file);
            String journalStamp = AppliedState.stamp(journal);
            if (cached != null && Objects.equals(cached.fileStamp, fileStamp) && Objects.equals(cached.journalStamp, journalStamp)) {
                return Optional.of(cached.state);
            }
            AppliedState.Loaded loaded = AppliedState.load(file);
            if (loaded == null) {
                cached = null;
                return Optional.empty();
            }
            AppliedState state = loaded.state();
            cached = new Cached(state, loaded.id(), fileStamp, journalStamp, loaded.journalBytes(),
                    loaded.tornTail() || loaded.journalBytes() > limit(state.ipv4().size() + state.ipv6().size()));
            return Optional.of(loaded.state());
        } catch (IOException e) {
            throw new EnforceException("cannot read the state file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Why {@code applied} cannot be the base of an incremental update, or null if it can: there is
     * none, or it was written for another layout of sets and rules.
     */
    public static String unusable(Optional<AppliedState> applied, String layout) {
        if (applied.isEmpty()) {
            return "no state from an earlier apply";
        }
        if (!applied.get().layout().equals(layout)) {
            return "the state was written for another layout";
        }
        return null;
    }

    /**
     * Records that the kernel holds {@code ipv4} and {@code ipv6}: as a journal entry when the
     * state last read or written is still on disk under the same layout, else as a whole state.
     */
    public void save(String layout, Elements ipv4, Elements ipv6) throws EnforceException {
        save(layout, ipv4, ipv6, null, null);
    }

    /**
     * The same, told the changes since the state last read or written ({@link ElementDiff#changes}),
     * so that they need not be found by comparing the two. Elements the kernel dropped by their
     * timeout may be missing from them: a recorded element that has expired counts as absent.
     */
    public void save(String layout, ElementDiff ipv4, ElementDiff ipv6) throws EnforceException {
        save(layout, ipv4.result(), ipv6.result(), ipv4.changes(), ipv6.changes());
    }

    private void save(String layout, Elements ipv4, Elements ipv6, Elements changes4, Elements changes6) throws EnforceException {
        if (readOnly) {
            return;
        }
        try {
            AppliedState state = new AppliedState(layout, ipv4, ipv6);
            Cached base = cached;
            if (base != null && !base.compact && base.state.layout().equals(layout)
                    && Objects.equals(base.fileStamp, AppliedState.stamp(file))
                    && Objects.equals(base.journalStamp, AppliedState.stamp(journal))) {
                Elements change4 = changes4 != null ? changes4 : base.state.ipv4().changesTo(ipv4);
                Elements change6 = changes6 != null ? changes6 : base.state.ipv6().changesTo(ipv6);
                // a large change (the first round of a big feed) goes straight into a whole state
                long journalAfter = base.journalBytes + 25L * (change4.size() + change6.size());
                if (journalAfter <= limit(ipv4.size() + ipv6.size())) {
                    long bytes = AppliedState.append(file, base.id, base.journalBytes, change4, change6);
                    cached = new Cached(state, base.id, base.fileStamp, AppliedState.stamp(journal), bytes, false);
                    return;
                }
            }
            cached = null;
            long id = state.write(file);
            cached = new Cached(state, id, AppliedState.stamp(file), AppliedState.stamp(journal), 0, false);
        } catch (IOException e) {
            cached = null;
            throw new EnforceException("the kernel was updated, but the state file " + file + " could not be written ("
                    + e.getMessage() + "); the next apply will be a full load", e);
        }
    }

    /** The journal's largest size before a whole state is written instead: a quarter of the whole state's. */
    private static long limit(int elements) {
        return Math.max(SMALL_JOURNAL_BYTES, 25L * elements / 4);
    }

    public void delete() throws EnforceException {
        cached = null;
        if (readOnly) {
            return;
        }
        try {
            Files.deleteIfExists(journal);
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new EnforceException("removed from the kernel, but not the state file " + file + ": " + e.getMessage(), e);
        }
    }
}
