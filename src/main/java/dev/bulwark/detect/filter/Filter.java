package dev.bulwark.detect.filter;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

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

    private List<TupleLine> lineBuffer = new ArrayList<>();
    private String lastTimeText = "";
    private Instant lastDate;
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
        this.prefix = definition.prefRegex() == null ? null : TaggedRegex.of(definition.prefRegex(), false, useDns);
        List<TaggedRegex> failures = new ArrayList<>();
        for (String regex : definition.failRegex()) {
            TaggedRegex compiled = TaggedRegex.of(regex, maxLines > 1, useDns);
            if (!hasFailureId(compiled) && (prefix == null || !hasFailureId(prefix))) {
                throw new FilterException(definition.name() + ": failregex has no <HOST>, <ADDR>, <F-ID> or <F-MLFID> to say who failed: "
                        + regex);
            }
            failures.add(compiled);
        }
        this.failures = List.copyOf(failures);
        List<TaggedRegex> ignores = new ArrayList<>();
        for (String regex : definition.ignoreRegex()) {
            ignores.add(TaggedRegex.of(regex, false, useDns));
        }
        this.ignores = List.copyOf(ignores);
    }

    private static boolean hasFailureId(TaggedRegex regex) {
        for (String group : TaggedRegex.FAILURE_ID_GROUPS) {
            if (regex.hasGroup(group)) {
                return true;
            }
        }
        return regex.hasGroup("mlfid");
    }

    public FilterDefinition definition() {
        return definition;
    }

    /** The failregexes after tag resolution, in order: a {@link Match#regexIndex()} indexes this list. */
    public List<String> failRegexes() {
        return failures.stream().map(TaggedRegex::regex).toList();
    }

    /**
     * The failures {@code line} shows, the time taken from the line (null when it has none and no
     * earlier line gave one in the last minute). {@code now}: the time of reading, which a line
     * whose date is optional and empty takes.
     */
    public List<Match> processLine(String line, Instant now) {
        DateFinder.Found date = dates.find(line, now);
        TupleLine tuple;
        Instant time = null;
        if (date != null) {
            String text = line.substring(date.start(), date.end());
            tuple = new TupleLine(line.substring(0, date.start()), text, line.substring(date.end()));
            if (!text.isEmpty()) {
                if (date.time() != null) {
                    time = date.time();
                    lastTimeText = text;
                    lastDate = time;
                }
            } else if (recentLastDate(now)) {
                tuple = new TupleLine("", lastTimeText, line);
                time = lastDate;
            } else {
                time = now;
            }
        } else {
            tuple = new TupleLine("", "", line);
        }
        if (time == null) {
            if (recentLastDate(now)) {
                tuple = new TupleLine("", lastTimeText, line);
                time = lastDate;
            }
        }
        return findFailure(tuple, time, now);
    }

    /** A line whose time is known from elsewhere (the systemd journal): no date is looked for in it. */
    public List<Match> processLine(String line, Instant time, Instant now) {
        requireNonNull(time, "time is null");
        lastDate = time;
        lastTimeText = "";
        return findFailure(new TupleLine("", "", line), time, now);
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
        if (!ignores.isEmpty() && ignores.size() < failures.size() - 2) {
            if (ignoreLine(buffer, original, null, null) >= 0) {
                return found;
            }
        }
        Map<String, Object> prefixGroups = Map.of();
        if (prefix != null) {
            Matcher matched = prefix.search(buffer);
            if (matched == null) {
                return found;
            }
            prefixGroups = prefix.groups(matched);
            Object content = prefixGroups.remove("content");
            if (truthy(content)) {
                lineBuffer = new ArrayList<>(List.of(new TupleLine("", "", (String) content)));
                buffer = null;
            }
        }
        for (int index = 0; index < failures.size(); index++) {
            TaggedRegex failRegex = failures.get(index);
            if (buffer == null) {
                buffer = TupleLine.buffer(lineBuffer);
            }
            Matcher matched = failRegex.search(buffer);
            if (matched == null) {
                continue;
            }
            Lines lines = Lines.of(matched, buffer, original, failRegex);
            Map<String, Object> fail = failRegex.groups(matched);
            if (!ignores.isEmpty() && ignoreLine(buffer, original, failRegex, lines) >= 0) {
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
            if (!prefixGroups.isEmpty()) {
                Map<String, Object> merged = new LinkedHashMap<>(prefixGroups);
                merged.putAll(fail);
                fail = merged;
            }
            Object multiLineId = fail.get("mlfid");
            if (multiLineId != null) {
                fail = mergeFailure((String) multiLineId, fail, lines, now);
                if (truthy(fail.get("nofail")) && !checkAllRegex) {
                    return found;
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
                    failureId = failRegex.failureId(matched, TaggedRegex.FAILURE_ID_GROUPS);
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
                    return found;
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
            found.add(new Match(index, id, date, fail));
            if (!checkAllRegex) {
                break;
            }
        }
        return found;
    }

    /** fail2ban's {@code _ignoreLine}: the index of the ignoreregex that matched, or -1. */
    private int ignoreLine(String buffer, List<TupleLine> original, TaggedRegex failRegex, Lines failLines) {
        if (failRegex != null && maxLines > 1) {
            original = failLines.matched();
            buffer = TupleLine.buffer(original);
        }
        int foundIndex = -1;
        for (int index = 0; index < ignores.size(); index++) {
            Matcher matched = ignores.get(index).search(buffer);
            if (matched == null) {
                continue;
            }
            foundIndex = index;
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
            return id != null && !truthy(data.get("nofail"));
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

    /** A log line split around its date: fail2ban's tuple line. The regexes see {@code before + after}. */
    record TupleLine(String before, String date, String after) {
        static String buffer(List<TupleLine> lines) {
            StringBuilder out = new StringBuilder();
            for (int index = 0; index < lines.size(); index++) {
                if (index > 0) {
                    out.append('\n');
                }
                TupleLine line = lines.get(index);
                out.append(line.before).append(line.after);
            }
            return out.append('\n').toString();
        }

        @Override
        public String toString() {
            return before + date + after;
        }
    }

    /** Which lines of the buffer a match covered, and which it did not (fail2ban's Regex.search). */
    record Lines(List<TupleLine> matched, List<TupleLine> unmatched) {
        static Lines of(Matcher match, String buffer, List<TupleLine> original, TaggedRegex regex) {
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
                    if ((line.before + line.after).equals(skipped)) {
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
