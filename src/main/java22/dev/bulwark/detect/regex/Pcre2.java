package dev.bulwark.detect.regex;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * The binding to {@code libpcre2-8} behind {@link Pcre}, through the Foreign Function and
 * Memory API (Java 22 and later; this source set is compiled only by a JDK that has it).
 * A handful of calls: compile, JIT-compile, count the groups, create match data, match, and the
 * frees, which run when the Java objects are collected.
 *
 * <p>Hand-written because no library could serve here: PCRE4J is not available to this build,
 * and jpr_01 (JNA structures, a map of strings per match) took 15 µs a call where
 * java.util.regex took 0.4 µs (docs/BENCHMARKS.md).
 */
@SuppressWarnings("restricted")
public final class Pcre2 implements Pcre.Engine {
    private static final int PCRE2_MULTILINE = 0x00000400;
    private static final int PCRE2_JIT_COMPLETE = 0x00000001;
    private static final int PCRE2_INFO_CAPTURECOUNT = 4;
    private static final int PCRE2_CONFIG_JIT = 1;
    private static final int PCRE2_CONFIG_VERSION = 11;
    private static final int PCRE2_ERROR_NOMATCH = -1;

    private final MethodHandle compile;
    private final MethodHandle jitCompile;
    private final MethodHandle patternInfo;
    private final MethodHandle matchDataCreate;
    private final MethodHandle match;
    private final MethodHandle ovector;
    private final MethodHandle codeFree;
    private final MethodHandle matchDataFree;
    private final String description;

    private Pcre2(SymbolLookup library) throws Throwable {
        Linker linker = Linker.nativeLinker();
        compile = linker.downcallHandle(find(library, "pcre2_compile_8"),
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        jitCompile = linker.downcallHandle(find(library, "pcre2_jit_compile_8"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        patternInfo = linker.downcallHandle(find(library, "pcre2_pattern_info_8"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        matchDataCreate = linker.downcallHandle(find(library, "pcre2_match_data_create_from_pattern_8"),
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        match = linker.downcallHandle(find(library, "pcre2_match_8"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
        ovector = linker.downcallHandle(find(library, "pcre2_get_ovector_pointer_8"), FunctionDescriptor.of(ADDRESS, ADDRESS));
        codeFree = linker.downcallHandle(find(library, "pcre2_code_free_8"), FunctionDescriptor.ofVoid(ADDRESS));
        matchDataFree = linker.downcallHandle(find(library, "pcre2_match_data_free_8"), FunctionDescriptor.ofVoid(ADDRESS));
        MethodHandle config = linker.downcallHandle(find(library, "pcre2_config_8"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment version = arena.allocate(64);
            int length = (int) config.invokeExact(PCRE2_CONFIG_VERSION, version);
            MemorySegment jit = arena.allocate(JAVA_INT);
            int jitResult = (int) config.invokeExact(PCRE2_CONFIG_JIT, jit);
            String text = length > 0 ? version.getString(0, StandardCharsets.US_ASCII) : "?";
            description = "PCRE2 " + text + (jitResult >= 0 && jit.get(JAVA_INT, 0) == 1 ? " (JIT)" : " (no JIT)");
        }
    }

    private static MemorySegment find(SymbolLookup library, String name) {
        return library.find(name).orElseThrow(() -> new IllegalArgumentException("libpcre2-8 has no " + name));
    }

    /** The engine, found by {@link Pcre} by reflection; throws when the library cannot be loaded. */
    public static Pcre.Engine load() throws Throwable {
        return new Pcre2(SymbolLookup.libraryLookup("libpcre2-8.so.0", Arena.global()));
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public Pcre.Text newText() {
        return new Text();
    }

    @Override
    public Pcre.Code compile(String pattern, boolean multiline, int groups) {
        try (Arena arena = Arena.ofConfined()) {
            // (*LF): only \n ends a line, as with Java's UNIX_LINES, whatever the library's default
            byte[] bytes = ("(*LF)" + pattern).getBytes(StandardCharsets.US_ASCII);
            MemorySegment source = arena.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, source, JAVA_BYTE, 0, bytes.length);
            MemorySegment error = arena.allocate(JAVA_INT);
            MemorySegment offset = arena.allocate(JAVA_LONG);
            MemorySegment code = (MemorySegment) compile.invokeExact(source, (long) bytes.length, multiline ? PCRE2_MULTILINE : 0, error,
                    offset, MemorySegment.NULL);
            if (code.equals(MemorySegment.NULL)) {
                return null;
            }
            MemorySegment owned = code.reinterpret(Arena.ofAuto(), segment -> free(codeFree, segment));
            MemorySegment count = arena.allocate(JAVA_INT);
            int info = (int) patternInfo.invokeExact(owned, PCRE2_INFO_CAPTURECOUNT, count);
            if (info != 0 || count.get(JAVA_INT, 0) != groups) {
                return null;
            }
            // without the JIT (none for this CPU, or no memory for it) the interpreter matches, slower
            int ignored = (int) jitCompile.invokeExact(owned, PCRE2_JIT_COMPLETE);
            MemorySegment data = (MemorySegment) matchDataCreate.invokeExact(owned, MemorySegment.NULL);
            if (data.equals(MemorySegment.NULL)) {
                return null;
            }
            MemorySegment ownedData = data.reinterpret(Arena.ofAuto(), segment -> free(matchDataFree, segment));
            MemorySegment pairs = ((MemorySegment) ovector.invokeExact(ownedData)).reinterpret(16L * (groups + 1));
            return new Code(owned, ownedData, pairs, groups);
        } catch (Throwable e) {
            throw new IllegalStateException("libpcre2-8: " + e, e);
        }
    }

    private static void free(MethodHandle function, MemorySegment segment) {
        try {
            function.invokeExact(segment);
        } catch (Throwable e) {
            throw new IllegalStateException("libpcre2-8: " + e, e);
        }
    }

    private static final class Text implements Pcre.Text {
        private MemorySegment memory = Arena.ofAuto().allocate(512);
        private String loaded;
        private int length;

        @Override
        public void load(String ascii) {
            if (ascii == loaded) {
                return;
            }
            byte[] bytes = ascii.getBytes(StandardCharsets.ISO_8859_1);
            if (bytes.length > memory.byteSize()) {
                memory = Arena.ofAuto().allocate(Math.max(bytes.length, 2 * memory.byteSize()));
            }
            MemorySegment.copy(bytes, 0, memory, JAVA_BYTE, 0, bytes.length);
            loaded = ascii;
            length = bytes.length;
        }
    }

    private final class Code implements Pcre.Code {
        private final MemorySegment code;
        private final MemorySegment data;
        private final MemorySegment pairs;
        private final int groups;
        private final long[] offsets;

        Code(MemorySegment code, MemorySegment data, MemorySegment pairs, int groups) {
            this.code = code;
            this.data = data;
            this.pairs = pairs;
            this.groups = groups;
            this.offsets = new long[2 * (groups + 1)];
        }

        @Override
        public int match(Pcre.Text subject, int from, int[] spans) {
            Text text = (Text) subject;
            int result;
            try {
                result = (int) match.invokeExact(code, text.memory.asSlice(from), (long) (text.length - from), 0L, 0, data,
                        MemorySegment.NULL);
            } catch (Throwable e) {
                throw new IllegalStateException("libpcre2-8: " + e, e);
            }
            if (result == PCRE2_ERROR_NOMATCH) {
                return Pcre.NO_MATCH;
            }
            if (result <= 0) {
                return Pcre.UNDECIDED;
            }
            // one bulk copy: read one by one, the pairs took half as long as the match itself under C1 (JFR)
            MemorySegment.copy(pairs, JAVA_LONG, 0, offsets, 0, 2 * result);
            for (int index = 0; index < 2 * (groups + 1); index++) {
                // PCRE2_UNSET is ~0, -1 as a signed long
                long offset = index < 2 * result ? offsets[index] : -1;
                spans[index] = offset < 0 ? -1 : (int) offset + from;
            }
            return groups + 1;
        }
    }
}
