package dev.bulwark.config;

import java.util.List;

/** A configuration that cannot be used; its message lists every error, one a line. */
public final class ConfigException extends Exception {
    private final transient List<ConfigProblem> errors;

    public ConfigException(List<ConfigProblem> errors) {
        super(String.join("\n", errors.stream().map(ConfigProblem::toString).toList()));
        this.errors = List.copyOf(errors);
    }

    public List<ConfigProblem> errors() {
        return errors;
    }
}
