package dev.bulwark.detect.tail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * What identifies a file while it lives, whatever its name: the device and inode
 * ({@code unix:dev}, {@code unix:ino}). A rename keeps it, a copy or a new file gets another
 * one; an inode number can be reused once a file is deleted, which the fingerprint catches.
 */
record FileKey(long device, long inode) {
    /** One file as it is now: its key, its size and whether it is a regular file. */
    record Stat(Path path, FileKey key, long size, boolean regular) {
    }

    /** The file at {@code path} (following links), or null if there is none. */
    static Stat stat(Path path) throws IOException {
        Map<String, Object> attributes;
        try {
            attributes = Files.readAttributes(path, "unix:dev,ino,size,isRegularFile");
        } catch (NoSuchFileException e) {
            return null;
        } catch (UnsupportedOperationException e) {
            throw new IOException("cannot read the device and inode of " + path
                    + ": this file system has no unix attributes, so rotation cannot be followed", e);
        }
        FileKey key = new FileKey((Long) attributes.get("dev"), (Long) attributes.get("ino"));
        return new Stat(path, key, (Long) attributes.get("size"), (Boolean) attributes.get("isRegularFile"));
    }

    @Override
    public String toString() {
        return device + ":" + inode;
    }
}
