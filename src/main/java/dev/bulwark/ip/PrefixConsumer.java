package dev.bulwark.ip;

/** Receives prefixes as primitives, so that writing a million of them allocates nothing. */
@FunctionalInterface
public interface PrefixConsumer {
    /** A prefix of {@code length} bits whose network address is {@code (high, low)}. */
    void accept(long high, long low, int length);
}
