package dev.bulwark.detect.tail;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One configured file source (a jail's {@code logpath}): its name, given with every line, and
 * the files it follows, each an absolute path or a glob in the file name only
 * ({@code /var/log/nginx/*access.log}). Files that exist at the first start are read from their
 * end, or from their start with {@code fromStart}; files that appear later (a rotation, a new
 * match of a glob) are always read from their start.
 *
 * <p>Two sources naming the same file each read it, as two fail2ban jails would.
 */
public record FileSource(String name, List<String> paths, boolean fromStart) {
    /** The names a source may have: they become file names under the state directory. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public FileSource {
        requireNonNull(name, "name is null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a source name: '" + name
                    + "' (letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64)");
        }
        paths = List.copyOf(paths);
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("source " + name + " follows no file: give at least one path");
        }
        Set<String> seen = new HashSet<>();
        for (String path : paths) {
            checkPath(name, path);
            if (!seen.add(path)) {
                throw new IllegalArgumentException("source " + name + " names " + path + " twice");
            }
        }
    }

    private static void checkPath(String source, String path) {
        Path parsed = Path.of(path);
        if (!parsed.isAbsolute()) {
            throw new IllegalArgumentException("source " + source + ": " + path + " is not an absolute path");
        }
        Path parent = parsed.getParent();
        if (parent == null || parsed.getFileName() == null) {
            throw new IllegalArgumentException("source " + source + ": " + path + " names no file");
        }
        if (isGlob(parent.toString())) {
            throw new IllegalArgumentException("source " + source + ": " + path
                    + " has a wildcard in a directory; wildcards are allowed in the file name only");
        }
    }

    static boolean isGlob(String text) {
        for (int i = 0; i < text.length(); i++) {
            if ("*?[{".indexOf(text.charAt(i)) >= 0) {
                return true;
            }
        }
        return false;
    }
}
