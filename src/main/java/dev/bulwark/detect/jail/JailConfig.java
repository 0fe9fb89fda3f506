package dev.bulwark.detect.jail;

import static java.util.Objects.requireNonNull;

/**
 * One jail of the daemon's configuration ({@code jails:} in bulwark.yml): what it reads, with
 * which filter, and how it counts and bans.
 *
 * @param fromStart read what the files already hold when the jail first starts (failures older
 *                  than findtime are then ignored, as fail2ban does), instead of only new lines
 */
public record JailConfig(JailRules rules, JailFilter filter, JailSource source, boolean fromStart) {
    public JailConfig {
        requireNonNull(rules, "rules is null");
        requireNonNull(filter, "filter is null");
        requireNonNull(source, "source is null");
    }

    public String name() {
        return rules.name();
    }
}
