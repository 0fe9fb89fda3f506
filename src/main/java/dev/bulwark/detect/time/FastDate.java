package dev.bulwark.detect.time;

/** Hand-written matchers for the commonest templates. */
final class FastDate {
    private FastDate() {}

    static FastDate forRegex(String regex) {
        return null;
    }
}
