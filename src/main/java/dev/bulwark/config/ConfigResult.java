package dev.bulwark.config;

import static java.util.Objects.requireNonNull;

import dev.bulwark.daemon.DaemonConfig;

import java.nio.file.Path;
import java.util.List;

/**
 * What loading a configuration file gave: the configuration when it has no errors (null
 * otherwise), every error found, and the warnings, which do not stop it from being used.
 */
public record ConfigResult(Path source, DaemonConfig config, List<ConfigProblem> errors, List<ConfigProblem> warnings) {
    public ConfigResult {
        requireNonNull(source, "source is null");
        errors = List.copyOf(errors);
        warnings = List.copyOf(warnings);
        if ((config == null) == errors.isEmpty()) {
            throw new IllegalArgumentException("a result holds a configuration exactly when it has no errors");
        }
    }

    public boolean ok() {
        return errors.isEmpty();
    }

    /** The configuration, or a {@link ConfigException} listing every error. */
    public DaemonConfig orThrow() throws ConfigException {
        if (!ok()) {
            throw new ConfigException(errors);
        }
        return config;
    }
}
