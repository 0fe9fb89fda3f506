package dev.bulwark.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

/**
 * One {@code bulwark} command. Commands describe their options with picocli's programmatic
 * API rather than annotations: reading annotations costs the JVM a dynamic proxy per annotation
 * type, about a third of a second of start-up on a two-core machine (see docs/BENCHMARKS.md).
 */
interface Subcommand {
    /** The command's name, options and help text. */
    CommandSpec spec();

    /** Runs the parsed command; returns the exit code. */
    int run(ParseResult parsed) throws Exception;
}
