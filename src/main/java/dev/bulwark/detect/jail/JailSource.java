package dev.bulwark.detect.jail;

import java.util.List;

/** Where a jail reads its lines: log files, or the systemd journal. */
public sealed interface JailSource {
    /** Files by path or glob ({@code /var/log/nginx/*error.log}), absolute. */
    record LogFiles(List<String> patterns) implements JailSource {
        public LogFiles {
            patterns = List.copyOf(patterns);
            if (patterns.isEmpty()) {
                throw new IllegalArgumentException("a jail reading files needs at least one logpath");
            }
        }
    }

    /**
     * The journal, with journalctl matches ({@code _SYSTEMD_UNIT=sshd.service}, {@code +} for
     * or); none: the filter's own {@code journalmatch}. {@code directory}: the journal files'
     * directory (fail2ban's {@code journalpath}, journalctl's {@code --directory}), absolute; null
     * for the system's journal.
     */
    record Journal(List<String> matches, String directory) implements JailSource {
        public Journal {
            matches = List.copyOf(matches);
            if (directory != null && !directory.startsWith("/")) {
                throw new IllegalArgumentException("the journal directory must be an absolute path: " + directory);
            }
        }

        /** The system's journal. */
        public Journal(List<String> matches) {
            this(matches, null);
        }
    }
}
