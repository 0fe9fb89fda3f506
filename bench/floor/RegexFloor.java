package dev.bulwark.detect.filter;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.bulwark.detect.regex.PythonRegex;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The floor of a line-by-line filter on this machine, for docs/BENCHMARKS.md. PCRE2 is called
 * straight on the memory-mapped log, each line as it lies in the file after its 15-character
 * syslog date: the prefregex, then the failregexes in order until one matches, on every core.
 * There are no strings, no date parsing, no groups, no merging of failures and no output.
 * Everything else a real filter must do is left out, so a real filter can only be slower.
 * Not part of Bulwark; built and run by bench/regex-floor.sh.
 */
@SuppressWarnings("restricted")
public final class RegexFloor {
    private static final SymbolLookup LIBRARY = SymbolLookup.libraryLookup("libpcre2-8.so.0", Arena.global());
    private static final MethodHandle COMPILE = handle("pcre2_compile_8",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle JIT = handle("pcre2_jit_compile_8", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle MATCH_DATA = handle("pcre2_match_data_create_from_pattern_8",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle MATCH = handle("pcre2_match_8",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle OVECTOR = handle("pcre2_get_ovector_pointer_8", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final int SYSLOG_DATE = 15;

    private RegexFloor() {
    }

    private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
        return Linker.nativeLinker().downcallHandle(LIBRARY.find(name).orElseThrow(), descriptor);
    }

    /** {@code RegexFloor LOG FILTER}: LOG a syslog file (a 15-character date first on each line), FILTER one with a prefregex. */
    public static void main(String[] arguments) throws Exception {
        long started = System.nanoTime();
        FilterDefinition definition = FilterDefinition.resolve(arguments[1], Map.of());
        PythonRegex prefix = PythonRegex.compile(TaggedRegex.prepare(definition.prefRegex(), definition.useDns()), false);
        int contentGroup = prefix.groupIndex().get("content");
        List<String> patterns = new ArrayList<>(List.of(prefix.ascii().pattern()));
        for (String regex : definition.failRegex()) {
            patterns.add(PythonRegex.compile(TaggedRegex.prepare(regex, definition.useDns()), false).ascii().pattern());
        }
        MemorySegment file;
        try (FileChannel channel = FileChannel.open(Path.of(arguments[0]))) {
            file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), Arena.global());
        }
        int threads = Runtime.getRuntime().availableProcessors();
        long[] cuts = new long[threads + 1];
        cuts[threads] = file.byteSize();
        for (int thread = 1; thread < threads; thread++) {
            long cut = file.byteSize() / threads * thread;
            while (file.get(JAVA_BYTE, cut) != '\n') {
                cut++;
            }
            cuts[thread] = cut + 1;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<long[]>> parts = new ArrayList<>();
        for (int thread = 0; thread < threads; thread++) {
            long from = cuts[thread];
            long to = cuts[thread + 1];
            parts.add(pool.submit(() -> {
                try {
                    return scan(file, from, to, patterns, contentGroup);
                } catch (Throwable e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        long lines = 0;
        long matched = 0;
        for (Future<long[]> part : parts) {
            long[] counts = part.get();
            lines += counts[0];
            matched += counts[1];
        }
        pool.shutdown();
        System.out.printf("%d lines, %d matched a failregex, %.3f s%n", lines, matched, (System.nanoTime() - started) / 1e9);
    }

    /** The lines of {@code file[from..to)}: how many, and how many a failregex matched. */
    private static long[] scan(MemorySegment file, long from, long to, List<String> patterns, int contentGroup) throws Throwable {
        MemorySegment[] codes = new MemorySegment[patterns.size()];
        MemorySegment[] data = new MemorySegment[patterns.size()];
        MemorySegment[] offsets = new MemorySegment[patterns.size()];
        for (int index = 0; index < codes.length; index++) {
            codes[index] = compile(patterns.get(index));
            data[index] = (MemorySegment) MATCH_DATA.invokeExact(codes[index], MemorySegment.NULL);
            offsets[index] = ((MemorySegment) OVECTOR.invokeExact(data[index])).reinterpret(16L * 64);
        }
        long lines = 0;
        long matched = 0;
        long start = from;
        while (start < to) {
            long end = start;
            while (end < to && file.get(JAVA_BYTE, end) != '\n') {
                end++;
            }
            lines++;
            // " host program[pid]: content\n", as the filter's buffer holds it once the date is cut out
            long subject = start + SYSLOG_DATE;
            long length = end + 1 - subject;
            start = end + 1;
            if (length <= 0) {
                continue;
            }
            MemorySegment line = file.asSlice(subject, length);
            int found = (int) MATCH.invokeExact(codes[0], line, length, 0L, 0, data[0], MemorySegment.NULL);
            if (found <= 0) {
                continue;
            }
            long content = offsets[0].getAtIndex(JAVA_LONG, 2L * contentGroup);
            if (content < 0) {
                continue;
            }
            MemorySegment rest = line.asSlice(content);
            for (int index = 1; index < codes.length; index++) {
                if ((int) MATCH.invokeExact(codes[index], rest, length - content, 0L, 0, data[index], MemorySegment.NULL) > 0) {
                    matched++;
                    break;
                }
            }
        }
        return new long[] {lines, matched};
    }

    private static MemorySegment compile(String pattern) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment source = arena.allocateFrom("(*LF)" + pattern);
            MemorySegment code = (MemorySegment) COMPILE.invokeExact(source, source.byteSize() - 1, 0, arena.allocate(JAVA_INT),
                    arena.allocate(JAVA_LONG), MemorySegment.NULL);
            if (code.equals(MemorySegment.NULL)) {
                throw new IllegalArgumentException("PCRE2 refuses " + pattern);
            }
            int jit = (int) JIT.invokeExact(code, 1);
            if (jit != 0) {
                throw new IllegalStateException("no JIT for " + pattern + ": " + jit);
            }
            return code;
        }
    }
}
