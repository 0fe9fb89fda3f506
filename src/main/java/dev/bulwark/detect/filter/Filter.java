package dev.bulwark.detect.filter;

import static java.util.Objects.requireNonNull;

import dev.bulwark.detect.regex.Pcre;
import dev.bulwark.detect.regex.PythonRegex;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.MatchResult;

/**
 * A loaded filter at work on one log: fail2ban's {@code Filter.processLine} and
 * {@code findFailure}, step by step, so that each line gives the verdict fail2ban gives. The
 * date is found and cut out of the line, {@code prefregex} must match and may hand on its
 * {@code content}, each {@code failregex} is tried in turn, {@code ignoreregex} vetoes, and
 * failures that span lines (a connection id in {@code <F-MLFID>}, {@code <F-NOFAIL>},
 * {@code <F-MLFFORGET>}, {@code <F-MLFGAINED>}, or {@code maxlines} greater than one) are
 * merged as fail2ban merges them.
 *
 * <p>A filter keeps state between lines (the last date, the line buffer, the connections seen),
 * so one instance serves one log, on one thread.
 */
public final class Filter {
    private static final int MULTI_LINE_CACHE_SIZE = 100;
    private static final Duration MULTI_LINE_CACHE_TIME = Duration.ofMinutes(5);
    private static final Duration LAST_DATE_REUSE = Duration.ofSeconds(60);

    private final FilterDefinition definition;
    private final TaggedRegex prefix;
    private final List<TaggedRegex> failures;
    private final List<TaggedRegex> ignores;
    private final DateFinder dates;
    private final int maxLines;
    private final boolean checkAllRegex;
    private final boolean ignorePending;
    /** Per failregex, whether the line being scanned may match it (its text is in the line): one scan's scratch. */
    private final boolean[] possible;
    /** fail2ban tries the ignoreregexes before anything else when there are fewer of them than failregexes, less two. */
    private final boolean ignoresFirst;

    private List<TupleLine> lineBuffer = new ArrayList<>();
    /** The line whose date was the last one read, fail2ban's {@code __lastTimeText} and {@code __lastDate}. */
    private TupleLine lastDated;
    private Instant lastDate;
    private boolean ignored;
    private final LinkedHashMap<String, CachedFailure> multiLine = new LinkedHashMap<>();

    /**
     * {@code checkAllRegex}: try every failregex on a line and report each match, nofail and
     * pending ones included (fail2ban's test mode); otherwise stop at the first, as a jail does.
     */
    Filter(FilterDefinition definition, DateFinder dates, boolean checkAllRegex) {
        this.definition = requireNonNull(definition, "definition is null");
        this.dates = requireNonNull(dates, "dates is null");
        this.maxLines = definition.maxLines();
        this.checkAllRegex = checkAllRegex;
        this.ignorePending = true;
        String useDns = definition.useDns();
        // one native copy of each line for all of this filter's regexes (when PCRE2 matches them)
        Pcre.Text text = Pcre.engine() == null ? null : Pcre.engine().newText();
        this.prefix = definition.prefRegex() == null ? null : TaggedRegex.of(definition.prefRegex(), false, useDns, text);
        List<TaggedRegex> failures = new ArrayList<>();
        for (String regex : definition.failRegex()) {
            TaggedRegex compiled = TaggedRegex.of(regex, maxLines > 1, useDns, text);
            if (!hasFailureId(compiled) && (prefix == null || !hasFailureId(prefix))) {
                throw new FilterException(definition.name() + ": failregex has no <HOST>, <ADDR>, <F-ID> or <F-MLFID> to say who failed: "
                        + regex);
            }
            failures.add(compiled);
        }
        this.failures = List.copyOf(failures);
        this.possible = new boolean[failures.size()];
        List<TaggedRegex> ignores = new ArrayList<>();
        for (String regex : definition.ignoreRegex()) {
            ignores.add(TaggedRegex.of(regex, false, useDns, text));
        }
        this.ignores = List.copyOf(ignores);
        this.ignoresFirst = !this.ignores.isEmpty() && this.ignores.size() < this.failures.size() - 2;
    }

    private static boolean hasFailureId(TaggedRegex regex) {
        for (String group : TaggedRegex.FAILURE_ID_GROUPS) {
            if (regex.hasGroup(group)) {
                return true;
            }
        }
        return regex.hasGroup("mlfid");
    }

    /**
     * The failures {@code line} shows, the time taken from the line (null when it has none and no
     * earlier line gave one in the last minute). {@code now}: the time of reading, which a line
     * whose date is optional and empty takes.
     */
    public List<Match> processLine(String line, Instant now) {
        if (maxLines == 1) {
            return apply(scan(line, now), now);
        }
        ignored = false;
        DateFinder.Found date = dates.find(line, now);
        if (date != null && date.failed()) {
            return List.of();
        }
        return findFailure(tupleLine(line, date, now), lastTime, now);
    }

    /** The time the last {@link #tupleLine} settled on, and whether it put the last date in place of the line's. */
    private Instant lastTime;
    private boolean substituted;

    /** processLine's date handling: the line split around its date, and {@link #lastTime} set; updates the last date. */
    private TupleLine tupleLine(String line, DateFinder.Found date, Instant now) {
        TupleLine tuple;
        Instant time = null;
        if (date != null) {
            tuple = TupleLine.split(line, date.start(), date.end());
            if (date.end() > date.start()) {
                if (date.time() != null) {
                    time = date.time();
                    lastDated = tuple;
                    lastDate = time;
                }
            } else if (recentLastDate(now)) {
                tuple = TupleLine.whole(line, lastTimeText());
                time = lastDate;
            } else {
                time = now;
            }
        } else {
            tuple = TupleLine.split(line, 0, 0);
        }
        substituted = false;
        if (time == null && recentLastDate(now)) {
            tuple = TupleLine.whole(line, lastTimeText());
            time = lastDate;
            substituted = true;
        }
        lastTime = time;
        return tuple;
    }

    /** The text of the last date read: fail2ban's {@code __lastTimeText}. */
    private String lastTimeText() {
        return lastDated == null ? "" : lastDated.date();
    }

    /**
     * The half of processing a line that needs no state, for a single-line filter: the date, and
     * which regexes match. Scans of different lines may run on different threads, each with its
     * own Filter; {@link #apply} then takes them in line order on the one that keeps the state.
     */
    public Scan scan(String line, Instant now) {
        if (maxLines != 1) {
            throw new IllegalStateException(definition.name() + " reads " + maxLines + " lines at a time: its lines cannot be scanned apart");
        }
        DateFinder.Found date = dates.find(line, now);
        boolean hasDate = date != null && date.end() > date.start();
        String buffer = hasDate ? line.substring(0, date.start()) + line.substring(date.end()) + "\n" : line + "\n";
        Scan scan = new Scan(line, date, buffer, hasDate && date.time() == null);
        if (date != null && date.failed()) {
            // fail2ban fails on this line's date and skips the line
            scan.skipped = true;
            return scan;
        }
        match(scan);
        return scan;
    }

    private void match(Scan scan) {
        String buffer = scan.buffer;
        long low = 0;
        long high = 0;
        boolean ascii = true;
        for (int index = 0, length = buffer.length(); index < length; index++) {
            char c = buffer.charAt(index);
            if (c < 64) {
                low |= 1L << c;
            } else if (c < 128) {
                high |= 1L << (c - 64);
            } else {
                ascii = false;
            }
        }
        // the content is part of the buffer: a failregex whose text the buffer lacks cannot match it
        boolean any = false;
        for (int index = 0; index < failures.size(); index++) {
            possible[index] = failures.get(index).mayMatch(buffer, 0, low, high);
            any |= possible[index];
        }
        if (!any && !ignoresFirst) {
            scan.vetoed = true;
            return;
        }
        int from = 0;
        if (ignoresFirst && anyIgnore(buffer, 0, ascii)) {
            scan.vetoed = true;
            scan.ignoredAny = true;
            return;
        }
        MatchResult prefixMatch = null;
        if (prefix != null) {
            prefixMatch = prefix.search(buffer, 0, ascii);
            if (prefixMatch == null) {
                scan.vetoed = true;
                return;
            }
            int contentStart = prefix.start(prefixMatch, "content");
            int contentEnd = prefix.end(prefixMatch, "content");
            if (contentStart >= 0 && contentEnd > contentStart) {
                if (contentEnd == buffer.length() - 1) {
                    // buffer[contentStart..] is content + "\n", the buffer fail2ban builds from it
                    from = contentStart;
                } else {
                    buffer = buffer.substring(contentStart, contentEnd) + "\n";
                    ascii = PythonRegex.isAscii(buffer);
                }
            }
        }
        for (int index = 0; index < failures.size(); index++) {
            if (!possible[index]) {
                continue;
            }
            TaggedRegex failRegex = failures.get(index);
            MatchResult matched = failRegex.searchPossible(buffer, from, ascii);
            if (matched == null) {
                continue;
            }
            if (scan.prefixGroups == null) {
                scan.prefixGroups = prefixMatch == null ? new LinkedHashMap<>() : prefix.groups(prefixMatch);
                scan.prefixGroups.remove("content");
            }
            Map<String, Object> groups = failRegex.groups(matched);
            if (!scan.prefixGroups.isEmpty()) {
                // the prefregex's groups first, the failregex's over them, as findFailure merges them
                Map<String, Object> merged = new LinkedHashMap<>(scan.prefixGroups);
                merged.putAll(groups);
                groups = merged;
            }
            String fallbackId = failRegex.failureId(matched, TaggedRegex.FAILURE_ID_GROUPS);
            boolean vetoed = !ignores.isEmpty() && anyIgnore(buffer, from, ascii);
            scan.ignoredAny |= vetoed;
            if (scan.hits.isEmpty()) {
                scan.hits = new ArrayList<>(2);
            }
            scan.hits.add(new Hit(index, failRegex, groups, fallbackId, vetoed));
            if (!checkAllRegex) {
                return;
            }
        }
    }

    /** Whether an ignoreregex matches; with checkAllRegex each is tried, as fail2ban does. */
    private boolean anyIgnore(String buffer, int from, boolean ascii) {
        boolean any = false;
        for (TaggedRegex ignore : ignores) {
            if (ignore.search(buffer, from, ascii) != null) {
                any = true;
                if (!checkAllRegex) {
                    return true;
                }
            }
        }
        return any;
    }

    /** The half of processing a line that keeps state: dates carried over, multi-line failures merged. */
    public List<Match> apply(Scan scan, Instant now) {
        if (scan.skipped) {
            ignored = false;
            return List.of();
        }
        TupleLine tuple = tupleLine(scan.line, scan.date, now);
        Instant time = lastTime;
        if (scan.unreadableDate && substituted) {
            // a date that could not be read, replaced by the last one: the regexes see the whole line
            Scan whole = new Scan(scan.line, scan.date, scan.line + "\n", false);
            match(whole);
            scan = whole;
        }
        ignored = scan.ignoredAny;
        lineBuffer = new ArrayList<>(List.of(tuple));
        if (scan.vetoed || scan.hits.isEmpty()) {
            return List.of();
        }
        Lines lines = new Lines(lineBuffer, List.of());
        List<Match> found = new ArrayList<>(1);
        for (Hit hit : scan.hits) {
            if (hit.vetoed()) {
                continue;
            }
            Match match = record(hit.index(), hit.regex(), hit.groups(), Map.of(), lines, hit.fallbackId(), scan.buffer, time, now);
            if (match == STOP) {
                return found;
            }
            found.add(match);
        }
        return found;
    }

    /** One line, scanned: see {@link #scan}. */
    public static final class Scan {
        private final String line;
        private final DateFinder.Found date;
        private final String buffer;
        private final boolean unreadableDate;
        private boolean vetoed;
        private boolean skipped;
        private boolean ignoredAny;
        private List<Hit> hits = List.of();
        private Map<String, Object> prefixGroups;

        private Scan(String line, DateFinder.Found date, String buffer, boolean unreadableDate) {
            this.line = line;
            this.date = date;
            this.buffer = buffer;
            this.unreadableDate = unreadableDate;
        }

        /** Whether any failregex matched: a line that did not needs nothing more than its date. */
        public boolean matched() {
            return !hits.isEmpty();
        }
    }

    private record Hit(int index, TaggedRegex regex, Map<String, Object> groups, String fallbackId, boolean vetoed) {
    }

    /** A line whose time is known from elsewhere (the systemd journal): no date is looked for in it. */
    public List<Match> processLine(String line, Instant time, Instant now) {
        requireNonNull(time, "time is null");
        ignored = false;
        lastDate = time;
        lastDated = null;
        return findFailure(TupleLine.split(line, 0, 0), time, now);
    }

    /** Whether an ignoreregex matched the last line processed (fail2ban-regex counts such lines as ignored). */
    public boolean lastLineIgnored() {
        return ignored;
    }

    private boolean recentLastDate(Instant now) {
        return lastDate != null && lastDate.isAfter(now.minus(LAST_DATE_REUSE));
    }

    private List<Match> findFailure(TupleLine tupleLine, Instant date, Instant now) {
        List<Match> found = new ArrayList<>(1);
        List<TupleLine> original;
        if (maxLines > 1) {
            lineBuffer.add(tupleLine);
            if (lineBuffer.size() > maxLines) {
                lineBuffer = new ArrayList<>(lineBuffer.subList(lineBuffer.size() - maxLines, lineBuffer.size()));
            } else {
                lineBuffer = new ArrayList<>(lineBuffer);
            }
            original = lineBuffer;
        } else {
            lineBuffer = new ArrayList<>(List.of(tupleLine));
            original = lineBuffer;
        }
        String buffer = TupleLine.buffer(original);
        boolean ascii = PythonRegex.isAscii(buffer);
        // the failregexes read buffer from here on: the prefregex's content, without copying it
        int from = 0;
        if (!ignores.isEmpty() && ignores.size() < failures.size() - 2) {
            if (ignoreLine(buffer, 0, ascii, original, null, null) >= 0) {
                return found;
            }
        }
        MatchResult prefixMatch = null;
        String content = null;
        if (prefix != null) {
            prefixMatch = prefix.search(buffer, 0, ascii);
            if (prefixMatch == null) {
                return found;
            }
            int contentStart = prefix.start(prefixMatch, "content");
            int contentEnd = prefix.end(prefixMatch, "content");
            if (contentStart >= 0 && contentEnd > contentStart) {
                content = buffer.substring(contentStart, contentEnd);
                if (maxLines == 1 && contentEnd == buffer.length() - 1) {
                    // buffer[contentStart..] is content + "\n", the buffer fail2ban builds from it
                    from = contentStart;
                } else {
                    buffer = null;
                }
                lineBuffer = new ArrayList<>(List.of(TupleLine.split(content, 0, 0)));
            }
        }
        Map<String, Object> prefixGroups = null;
        for (int index = 0; index < failures.size(); index++) {
            TaggedRegex failRegex = failures.get(index);
            if (buffer == null) {
                buffer = TupleLine.buffer(lineBuffer);
                ascii = PythonRegex.isAscii(buffer);
                from = 0;
            }
            MatchResult matched = failRegex.search(buffer, from, ascii);
            if (matched == null) {
                continue;
            }
            if (prefixGroups == null) {
                prefixGroups = prefixMatch == null ? new LinkedHashMap<>() : prefix.groups(prefixMatch);
                prefixGroups.remove("content");
            }
            Lines lines = Lines.of(matched, buffer, original, failRegex);
            Map<String, Object> fail = failRegex.groups(matched);
            if (!ignores.isEmpty() && ignoreLine(buffer, from, ascii, original, failRegex, lines) >= 0) {
                buffer = null;
                if (!checkAllRegex) {
                    break;
                }
                continue;
            }
            if (!checkAllRegex || maxLines > 1) {
                lineBuffer = new ArrayList<>(lines.unmatched());
                buffer = null;
            }
            String fallbackId = failRegex.failureId(matched, TaggedRegex.FAILURE_ID_GROUPS);
            Match match = record(index, failRegex, fail, prefixGroups, lines, fallbackId, buffer, date, now);
            if (match == STOP) {
                return found;
            }
            found.add(match);
            if (!checkAllRegex) {
                break;
            }
        }
        return found;
    }

    /** Stands for "stop here, report what was found so far" (a nofail or pending failure in a jail). */
    private static final Match STOP = new Match(-1, null, null, Map.of());

    /**
     * The rest of findFailure's loop for one failregex match that no ignoreregex vetoed: the
     * prefregex's groups merged in, the multi-line merge, the failure id.
     */
    private Match record(int index, TaggedRegex failRegex, Map<String, Object> fail, Map<String, Object> prefixGroups, Lines lines,
                         String fallbackId, String buffer, Instant date, Instant now) {
        if (!prefixGroups.isEmpty()) {
            Map<String, Object> merged = new LinkedHashMap<>(prefixGroups);
            merged.putAll(fail);
            fail = merged;
        }
        Object multiLineId = fail.get("mlfid");
        if (multiLineId != null) {
            fail = mergeFailure((String) multiLineId, fail, lines, now);
            if (truthy(fail.get("nofail")) && !checkAllRegex) {
                return STOP;
            }
        } else {
            List<Object> matches = new ArrayList<>(matchList(fail.get("matches")));
            matches.addAll(lines.matched());
            fail.put("matches", matches);
        }
        Object failureId = fail.get("fid");
        Object host = fail.get("ip4");
        if (host == null) {
            host = fail.get("ip6");
        }
        if (host == null) {
            host = fail.get("dns");
        }
        if (host == null) {
            if (failureId == null && multiLineId == null) {
                failureId = fallbackId;
                if (failureId == null) {
                    throw new FilterException(definition.name() + ": no failure id group matched in '" + buffer + "' with "
                            + failRegex.regex());
                }
            }
            host = failureId;
        }
        String id;
        if (host == null) {
            fail.put("mlfpending", 1);
            if (!checkAllRegex && ignorePending) {
                return STOP;
            }
            id = null;
        } else if (failureId == null || failureId.equals(host)) {
            id = host.toString();
        } else {
            fail.put("ip", host.toString());
            id = failureId.toString();
        }
        if (checkAllRegex && multiLineId != null) {
            fail = new LinkedHashMap<>(fail);
        }
        return new Match(index, id, date, fail);
    }

    /** fail2ban's {@code _ignoreLine}: the index of the ignoreregex that matched, or -1. */
    private int ignoreLine(String buffer, int from, boolean ascii, List<TupleLine> original, TaggedRegex failRegex, Lines failLines) {
        if (failRegex != null && maxLines > 1) {
            original = failLines.matched();
            buffer = TupleLine.buffer(original);
            ascii = PythonRegex.isAscii(buffer);
            from = 0;
        }
        int foundIndex = -1;
        for (int index = 0; index < ignores.size(); index++) {
            MatchResult matched = ignores.get(index).search(buffer, from, ascii);
            if (matched == null) {
                continue;
            }
            foundIndex = index;
            ignored = true;
            if (!checkAllRegex || maxLines > 1) {
                if (failRegex != null) {
                    lineBuffer = new ArrayList<>(failLines.unmatched());
                }
            }
            if (!checkAllRegex) {
                break;
            }
        }
        return foundIndex;
    }

    /** fail2ban's {@code _mergeFailure}, with its flags: 1 nofail, 2 forget, 4 cached nofail or gained, 8 gained. */
    private Map<String, Object> mergeFailure(String id, Map<String, Object> fail, Lines lines, Instant now) {
        CachedFailure cached = multiLine.isEmpty() ? null : cacheGet(id, now);
        Set<String> users = null;
        int flags = 0;
        if (truthy(fail.get("mlfgained"))) {
            flags |= 8 | 1;
            if (!truthy(fail.get("nofail"))) {
                fail.put("nofail", fail.get("mlfgained"));
            }
        } else if (truthy(fail.get("nofail"))) {
            flags |= 1;
        }
        if (truthy(fail.remove("mlfforget"))) {
            flags |= 2;
        }
        if (cached != null) {
            Map<String, Object> groups = cached.groups;
            users = updateUsers(groups, fail.get("user"));
            if (truthy(groups.remove("nofail"))) {
                flags |= 4;
            }
            if (truthy(groups.remove("mlfgained"))) {
                flags |= 4;
            }
            if ((flags & 8) != 0) {
                groups.remove("mlfpending");
            }
            if ((flags & 4) == 0 && !truthy(groups.get("mlfpending"))) {
                groups.remove("matches");
            }
            for (Map.Entry<String, Object> entry : fail.entrySet()) {
                if (entry.getValue() != null) {
                    groups.put(entry.getKey(), entry.getValue());
                }
            }
            fail = groups;
            if ((flags & 2) != 0) {
                multiLine.remove(id);
            }
        } else if ((flags & 2) == 0) {
            users = updateUsers(fail, fail.get("user"));
            cacheSet(id, new CachedFailure(fail, now.plus(MULTI_LINE_CACHE_TIME)), now);
        }
        if (truthy(fail.remove("mlfpending")) || users != null && users.size() > 1) {
            fail.remove("nofail");
            fail.remove("mlfgained");
            flags &= ~(8 | 1);
        }
        if ((flags & 1) == 0) {
            Object nofailMatches = fail.remove("nofail-matches");
            List<Object> matches = nofailMatches == null ? new ArrayList<>() : matchList(nofailMatches);
            matches.addAll(matchList(fail.get("matches")));
            if ((flags & 8) == 0) {
                matches.addAll(lines.matched());
            }
            fail.put("matches", matches);
        } else if ((flags & 3) == 1) {
            List<Object> nofailMatches = new ArrayList<>(matchList(fail.get("nofail-matches")));
            nofailMatches.addAll(lines.matched());
            fail.put("nofail-matches", nofailMatches);
        }
        return fail;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> matchList(Object value) {
        return value == null ? new ArrayList<>() : (List<Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static Set<String> updateUsers(Map<String, Object> fail, Object user) {
        Set<String> users = (Set<String>) fail.get("users");
        if (truthy(user)) {
            if (users == null || users.isEmpty()) {
                users = new LinkedHashSet<>();
                fail.put("users", users);
            }
            users.add((String) user);
        }
        return users;
    }

    private CachedFailure cacheGet(String id, Instant now) {
        CachedFailure cached = multiLine.get(id);
        if (cached == null) {
            return null;
        }
        if (cached.expires.isAfter(now)) {
            return cached;
        }
        multiLine.remove(id);
        return null;
    }

    private void cacheSet(String id, CachedFailure failure, Instant now) {
        if (multiLine.size() >= MULTI_LINE_CACHE_SIZE) {
            var entries = multiLine.entrySet().iterator();
            while (entries.hasNext()) {
                CachedFailure oldest = entries.next().getValue();
                entries.remove();
                if (oldest.expires.isAfter(now) && multiLine.size() < MULTI_LINE_CACHE_SIZE) {
                    break;
                }
            }
        }
        multiLine.put(id, failure);
    }

    /** Python's truth: null, "", 0 and empty collections are false. */
    static boolean truthy(Object value) {
        if (value == null) {
            return false;
        }
        if (value instanceof String text) {
            return !text.isEmpty();
        }
        if (value instanceof Integer number) {
            return number != 0;
        }
        if (value instanceof Collection<?> collection) {
            return !collection.isEmpty();
        }
        return true;
    }

    /**
     * One failregex match: which regex, the failure id as captured (null for a pending
     * multi-line failure), the time (null when the line has none), and fail2ban's failure data
     * ({@code user}, {@code users}, {@code matches}, {@code nofail}...).
     */
    public record Match(int regexIndex, String id, Instant time, Map<String, Object> data) {
        /** Whether this is a failure a jail counts: it has an id and is no "nofail" match. */
        public boolean isFailure() {
            return id != null && !isNoFail();
        }

        /** Whether the regex marked the match as no failure ({@code <F-NOFAIL>}): fail2ban-regex counts it as ignored. */
        public boolean isNoFail() {
            return truthy(data.get("nofail"));
        }

        /** The lines that make up this failure, as fail2ban counts its attempts. */
        public List<String> matchedLines() {
            List<String> lines = new ArrayList<>();
            for (Object line : matchList(data.get("matches"))) {
                lines.add(line.toString());
            }
            return lines;
        }
    }

    private record CachedFailure(Map<String, Object> groups, Instant expires) {
    }

    /**
     * A log line split around its date: fail2ban's tuple line (before, date, after); the regexes
     * see {@code before + after}. The parts are cut from the line only when asked for: most
     * lines match nothing and need none of them.
     */
    static final class TupleLine {
        private final String line;
        private final int start;
        private final int end;
        /** The date put in front of the whole line (the last one seen), or null for the line's own span. */
        private final String date;

        private TupleLine(String line, int start, int end, String date) {
            this.line = line;
            this.start = start;
            this.end = end;
            this.date = date;
        }

        /** The line with its date at [start, end). */
        static TupleLine split(String line, int start, int end) {
            return new TupleLine(line, start, end, null);
        }

        /** The whole line with no date of its own, {@code date} put before it. */
        static TupleLine whole(String line, String date) {
            return new TupleLine(line, 0, 0, date);
        }

        String before() {
            return date != null ? "" : line.substring(0, start);
        }

        String date() {
            return date != null ? date : line.substring(start, end);
        }

        String after() {
            return date != null ? line : line.substring(end);
        }

        /** {@code before + after}: what the regexes read of this line. */
        String text() {
            return date != null || start == end ? line : line.substring(0, start) + line.substring(end);
        }

        static String buffer(List<TupleLine> lines) {
            StringBuilder out = new StringBuilder();
            for (int index = 0; index < lines.size(); index++) {
                if (index > 0) {
                    out.append('\n');
                }
                out.append(lines.get(index).text());
            }
            return out.append('\n').toString();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof TupleLine tuple && tuple.before().equals(before()) && tuple.date().equals(date())
                    && tuple.after().equals(after());
        }

        @Override
        public int hashCode() {
            return toString().hashCode();
        }

        @Override
        public String toString() {
            return date != null ? date + line : line;
        }
    }

    /** Which lines of the buffer a match covered, and which it did not (fail2ban's Regex.search). */
    record Lines(List<TupleLine> matched, List<TupleLine> unmatched) {
        static Lines of(MatchResult match, String buffer, List<TupleLine> original, TaggedRegex regex) {
            if (original.size() <= 1) {
                return new Lines(original, List.of());
            }
            int start = buffer.lastIndexOf('\n', match.start());
            int lineStart = start < 0 ? 0 : start + 1;
            int from = match.end() - 1 < 0 ? buffer.length() - 1 : match.end() - 1;
            int end = buffer.indexOf('\n', from);
            int lineEnd = end < 0 ? buffer.length() : end + 1;
            int first = count(buffer, lineStart);
            int last = Math.min(count(buffer, lineEnd), original.size());
            List<TupleLine> matched = new ArrayList<>(original.subList(Math.min(first, last), last));
            List<TupleLine> unmatched = new ArrayList<>(original.subList(0, Math.min(first, original.size())));
            int next = 0;
            for (String skipped : regex.skippedLines(match)) {
                for (int offset = 0; next + offset < matched.size(); offset++) {
                    TupleLine line = matched.get(next + offset);
                    if (line.text().equals(skipped)) {
                        unmatched.add(matched.remove(next + offset));
                        next += offset;
                        break;
                    }
                }
            }
            unmatched.addAll(original.subList(Math.min(last, original.size()), original.size()));
            return new Lines(matched, unmatched);
        }

        private static int count(String buffer, int end) {
            int count = 0;
            for (int index = 0; index < end; index++) {
                if (buffer.charAt(index) == '\n') {
                    count++;
                }
            }
            return count;
        }
    }
}
