package dev.bulwark.detect.regex;

/**
 * PCRE2 with its JIT compiler (the system's {@code libpcre2-8}, Debian package
 * {@code libpcre2-8-0}), for the filters' regexes on all-ASCII text: several times as fast as
 * java.util.regex on fail2ban's filters, whose regexes backtrack a great deal (docs/BENCHMARKS.md).
 *
 * <p>It takes the Java pattern that {@link PythonRegex} wrote, which PCRE2 reads with the same
 * meaning on ASCII text, and gives the same groups at the same places: for a pattern it cannot
 * read so (see {@link #accepts}), or with no PCRE2 at hand, the caller keeps java.util.regex. The
 * binding uses the Foreign Function and Memory API, final since Java 22: it is built and used on
 * JDK 22 and later ({@code dev.bulwark.detect.regex.Pcre2}, under {@code src/main/java22}); on
 * Java 21, or when the library is missing, {@link #engine} is null. {@code BULWARK_REGEX=java}
 * in the environment turns it off.
 */
public final class Pcre {
    /** What {@link Code#match} returns when PCRE2 stopped short (a match or stack limit): ask java.util.regex. */
    public static final int UNDECIDED = -2;
    /** What {@link Code#match} returns for no match. */
    public static final int NO_MATCH = -1;

    private static final Engine ENGINE = load();

    private Pcre() {
    }

    /** The native library at work. */
    public interface Engine {
        /** PCRE2's version and whether its JIT compiler is there, e.g. {@code "PCRE2 10.42 (JIT)"}. */
        String describe();

        /** A native copy of the text being matched, for one thread: the codes that share it match without copying again. */
        Text newText();

        /**
         * {@code pattern} (as {@link #accepts} took it) compiled, and JIT-compiled when it can be;
         * {@code groups}: how many capturing groups java.util.regex counts in it. Null when PCRE2
         * refuses it or counts other groups.
         */
        Code compile(String pattern, boolean multiline, int groups);
    }

    /** The subject, copied to native memory once for all the codes matched against it. */
    public interface Text {
        /** Makes {@code ascii} (all ASCII) the text; nothing to do when it is the same string as the last one. */
        void load(String ascii);
    }

    /** A compiled pattern with its match data: for one thread. */
    public interface Code {
        /**
         * Searches the loaded text from {@code from} on, as java.util.regex's {@code find} searches
         * a region that starts there ({@code ^} and lookbehinds see it as the start; a pattern
         * that starts with {@code ^} is anchored there, as {@code lookingAt} is). Fills
         * {@code spans} with each group's start and end in the whole text, -1 for a group that
         * took no part, and returns how many groups there are with the whole match, or
         * {@link #NO_MATCH}, or {@link #UNDECIDED}.
         */
        int match(Text text, int from, int[] spans);
    }

    /** PCRE2, or null when this Java or this system has none (or {@code BULWARK_REGEX=java}). */
    public static Engine engine() {
        return ENGINE;
    }

    private static Engine load() {
        if (Runtime.version().feature() < 22 || "java".equals(System.getenv("BULWARK_REGEX"))) {
            return null;
        }
        try {
            Class<?> type = Class.forName("dev.bulwark.detect.regex.Pcre2");
            return (Engine) type.getMethod("load").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    /**
     * Whether PCRE2 reads the Java pattern {@code java} as java.util.regex does on ASCII text:
     * all ASCII; inline flags among {@code i}, {@code m} and {@code s} only (Java's {@code x}
     * ignores blanks in classes, {@code U} is ungreedy in PCRE2, {@code d} and {@code u} it lacks);
     * no class inside a class and no {@code &&} (Java's union and intersection); no numbered
     * back-reference ({@link PythonRegex} writes named ones); no {@code \Q}, no {@code \p}.
     */
    public static boolean accepts(String java) {
        boolean inClass = false;
        for (int at = 0; at < java.length(); at++) {
            char c = java.charAt(at);
            if (c >= 0x80) {
                return false;
            }
            if (c == '\\') {
                if (at + 1 >= java.length()) {
                    return false;
                }
                char escaped = java.charAt(++at);
                if ((escaped >= '1' && escaped <= '9') || escaped == 'Q' || escaped == 'E' || escaped == 'p' || escaped == 'P'
                        || escaped == 'N' || escaped == 'X' || escaped == 'R' || escaped >= 0x80) {
                    return false;
                }
                continue;
            }
            if (inClass) {
                if (c == '[' || (c == '&' && at + 1 < java.length() && java.charAt(at + 1) == '&')) {
                    return false;
                }
                if (c == ']') {
                    inClass = false;
                }
                continue;
            }
            if (c == '[') {
                inClass = true;
                // a ] right after [ or [^ closes the class in Java and is literal in PCRE2
                int first = at + 1 < java.length() && java.charAt(at + 1) == '^' ? at + 2 : at + 1;
                if (first < java.length() && java.charAt(first) == ']') {
                    return false;
                }
                at = first - 1;
            } else if (c == '(' && at + 2 < java.length() && java.charAt(at + 1) == '?' && isFlag(java.charAt(at + 2))) {
                int end = at + 2;
                while (end < java.length() && isFlag(java.charAt(end))) {
                    if ("ims-".indexOf(java.charAt(end)) < 0) {
                        return false;
                    }
                    end++;
                }
                at = end - 1;
            }
        }
        return !inClass;
    }

    private static boolean isFlag(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
    }
}
