package dev.bulwark.enforce;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Where one enforcer keeps its {@link AppliedState}; a dry run reads it but never writes. */
public final class StateFile {
    private final Path file;
    private final boolean readOnly;

    public StateFile(Path file, boolean readOnly) {
        this.file = file;
        this.readOnly = readOnly;
    }

    public Optional<AppliedState> read() throws EnforceException {
        try {
            return AppliedState.read(file);
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

    public void save(String layout, Elements ipv4, Elements ipv6) throws EnforceException {
        if (readOnly) {
            return;
        }
        try {
            new AppliedState(layout, ipv4, ipv6).write(file);
        } catch (IOException e) {
            throw new EnforceException("the kernel was updated, but the state file " + file + " could not be written ("
                    + e.getMessage() + "); the next apply will be a full load", e);
        }
    }

    public void delete() throws EnforceException {
        if (readOnly) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new EnforceException("removed from the kernel, but not the state file " + file + ": " + e.getMessage(), e);
        }
    }
}
