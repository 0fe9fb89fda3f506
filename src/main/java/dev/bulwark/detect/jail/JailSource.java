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
     * or); none: the filter's own {@code journalmatch}.
     */
    record Journal(List<String> matches) implements JailSource {
        public Journal {
            matches = List.copyOf(matches);
        }
    }
}
