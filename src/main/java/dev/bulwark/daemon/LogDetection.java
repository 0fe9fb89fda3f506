package dev.bulwark.daemon;

import static java.util.Objects.requireNonNull;

import dev.bulwark.detect.Failure;
import dev.bulwark.detect.filter.DateFinders;
import dev.bulwark.detect.filter.Filter;
import dev.bulwark.detect.filter.FilterDefinition;
import dev.bulwark.detect.filter.FilterException;
import dev.bulwark.detect.jail.Ban;
import dev.bulwark.detect.jail.JailConfig;
import dev.bulwark.detect.jail.JailFilter;
import dev.bulwark.detect.jail.JailSource;
import dev.bulwark.detect.jail.JailsConfig;
import dev.bulwark.detect.tail.FileFollower;
import dev.bulwark.detect.tail.FileSource;
import dev.bulwark.detect.tail.FileStatus;
import dev.bulwark.detect.tail.JournalFollower;
import dev.bulwark.detect.tail.JournalSettings;
import dev.bulwark.detect.tail.JournalSource;
import dev.bulwark.detect.tail.LineSink;
import dev.bulwark.detect.tail.TailSettings;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jails' logs read as they grow: each line through its jail's filter, each failure to the
 * jail ({@link JailDecisions}), so that a ban is a decision, enforced, moments after the line is
 * written. Log files are followed by one {@link FileFollower} (one thread), each journal source
 * by its {@link JournalFollower}; a jail's filter is only ever used by its source's thread.
 */
final class LogDetection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogDetection.class);
    /** A failure this much older than the time it is read was in the log before: fail2ban's restore rules apply. */
    private static final Duration BACKLOG = Duration.ofSeconds(60);

    private final Map<String, Filter> filters;
    private final Map<String, Boolean> fromStart;
    private final JailDecisions jails;
    private final Clock clock;
    private final FileFollower files;
    private final List<JournalFollower> journals;
    private final AtomicLong errors = new AtomicLong();
    /** Lines read, by jail. */
    private final Map<String, LongAdder> lines;
    /** What each journal jail reads, for status. */
    private final Map<String, String> journalLogs;

    private LogDetection(JailsConfig config, Path stateDir, JailDecisions jails, Clock clock) throws IOException {
        this.jails = requireNonNull(jails, "jails is null");
        this.clock = requireNonNull(clock, "clock is null");
        Map<String, Filter> filters = new HashMap<>();
        Map<String, Boolean> fromStart = new HashMap<>();
        Map<String, LongAdder> lines = new HashMap<>();
        Map<String, String> journalLogs = new HashMap<>();
        Map<String, List<String>> journalDirectories = new HashMap<>();
        List<FileSource> fileSources = new ArrayList<>();
        List<JournalSource> journalSources = new ArrayList<>();
        for (JailConfig jail : config.jails()) {
            boolean journal = jail.source() instanceof JailSource.Journal;
            FilterDefinition definition = definition(jail, journal);
            filters.put(jail.name(), definition.newFilter(DateFinders.of(definition, ZoneId.systemDefault()), false));
            fromStart.put(jail.name(), jail.fromStart());
            lines.put(jail.name(), new LongAdder());
            switch (jail.source()) {
                case JailSource.LogFiles logFiles -> fileSources.add(new FileSource(jail.name(), logFiles.patterns(), jail.fromStart()));
                case JailSource.Journal journalSource -> {
                    List<String> matches = journalSource.matches().isEmpty() ? journalMatches(definition) : journalSource.matches();
                    journalSources.add(new JournalSource(jail.name(), matches, jail.fromStart() ? jail.rules().findTime() : Duration.ZERO));
                    journalDirectories.put(jail.name(), journalSource.directory() == null ? List.of() : List.of("--directory=" + journalSource.directory()));
                    String where = journalSource.directory() == null ? "journal" : "journal " + journalSource.directory();
                    journalLogs.put(jail.name(), matches.isEmpty() ? where : where + " " + String.join(" ", matches));
                }
            }
        }
        this.lines = Map.copyOf(lines);
        this.journalLogs = Map.copyOf(journalLogs);
        this.filters = Map.copyOf(filters);
        this.fromStart = Map.copyOf(fromStart);
        LineSink sink = this::line;
        this.files = fileSources.isEmpty() ? null : new FileFollower(fileSources, stateDir, sink, TailSettings.DEFAULTS, clock);
        List<JournalFollower> journals = new ArrayList<>();
        for (JournalSource source : journalSources) {
            JournalSettings defaults = JournalSettings.DEFAULTS;
            JournalSettings settings = new JournalSettings(defaults.executable(), journalDirectories.get(source.name()), defaults.saveInterval(),
                    defaults.firstBackoff(), defaults.maxBackoff());
            journals.add(new JournalFollower(source, settings, stateDir, sink, clock, JournalFollower.Sleeper.REAL));
        }
        this.journals = List.copyOf(journals);
    }

    /** Loads every jail's filter and starts following its logs; a filter that cannot be loaded stops the start with its reason. */
    static LogDetection start(JailsConfig config, Path stateDir, JailDecisions jails, Clock clock) throws IOException {
        LogDetection detection = new LogDetection(config, stateDir, jails, clock);
        if (detection.files != null) {
            detection.files.start();
        }
        detection.journals.forEach(JournalFollower::start);
        return detection;
    }

    private static FilterDefinition definition(JailConfig jail, boolean journal) {
        JailFilter filter = jail.filter();
        Map<String, String> options = new LinkedHashMap<>(filter.options());
        if (journal) {
            // fail2ban's applyAutoOptions: a journal backend reads the filter's journal variant
            options.putIfAbsent("logtype", "journal");
        }
        try {
            return filter.file() != null ? FilterDefinition.load(filter.file(), options) : FilterDefinition.resolve(filter.name(), options);
        } catch (FilterException e) {
            throw new FilterException("jail " + jail.name() + ": " + e.getMessage(), e);
        }
    }

    /** The filter's journalmatch lines as journalctl arguments (fail2ban splits them as a shell would; they hold no quotes). */
    private static List<String> journalMatches(FilterDefinition definition) {
        List<String> matches = new ArrayList<>();
        for (String line : definition.journalMatch()) {
            for (String word : line.strip().split("\\s+")) {
                if (!word.isEmpty()) {
                    matches.add(word);
                }
            }
        }
        return matches;
    }

    private void line(String jail, String origin, String line, Instant time) {
        Filter filter = filters.get(jail);
        if (filter == null) {
            return;
        }
        lines.get(jail).increment();
        Instant now = clock.instant();
        List<Filter.Match> matches;
        try {
            matches = time == null ? filter.processLine(line, now) : filter.processLine(line, time, now);
        } catch (RuntimeException e) {
            if (errors.incrementAndGet() == 1 || Long.bitCount(errors.get()) == 1) {
                LOG.warn("jail {}: cannot filter a line of {} ({} such lines so far): {}", jail, origin, errors.get(), e.toString());
            }
            return;
        }
        for (Filter.Match match : matches) {
            if (!match.isFailure()) {
                continue;
            }
            Instant at = match.time() != null ? match.time() : now;
            Failure failure = new Failure(match.id(), at, match.matchedLines());
            try {
                List<Ban> bans = fromStart.getOrDefault(jail, false) && at.isBefore(now.minus(BACKLOG))
                        ? jails.backlogFailure(jail, failure, now) : jails.failure(jail, failure, now);
                for (Ban ban : bans) {
                    logBan(ban);
                }
            } catch (Exception e) {
                LOG.error("jail {}: a ban of {} could not be stored; the jail counts it as made and the next one stores it: {}", jail,
                        match.id(), e.getMessage());
            }
        }
    }

    /** Lines of {@code jail}'s logs read since the start; 0 for a jail that reads none (recidive). */
    long lines(String jail) {
        LongAdder read = lines.get(jail);
        return read == null ? 0 : read.sum();
    }

    /** What {@code jail} reads now: the files followed (a rotated one read to its end is marked so), or its journal matches. */
    List<String> logs(String jail) {
        String journal = journalLogs.get(jail);
        if (journal != null) {
            return List.of(journal);
        }
        List<String> logs = new ArrayList<>();
        if (files != null) {
            for (FileStatus file : files.files()) {
                if (file.source().equals(jail)) {
                    logs.add(file.rotated() ? file.path() + " (rotated)" : file.path());
                }
            }
        }
        return logs;
    }

    /**
     * One line a ban, as fail2ban writes "Ban ADDRESS": once the decision is stored and published,
     * so its time is when the enforcers were given it. The reason holds the log line with its
     * control characters blanked: a forged line cannot forge lines of this log.
     */
    private static void logBan(Ban ban) {
        if (ban.enforceable()) {
            LOG.info("jail {}: ban {}: {}", ban.jail(), ban.offender(), ban.reason());
        } else {
            // the id is text from the log, which only the reason gives with its control characters blanked
            LOG.info("jail {}: ban of an id that is no address (counted, not enforced): {}", ban.jail(), ban.reason());
        }
    }

    @Override
    public void close() {
        if (files != null) {
            try {
                files.close();
            } catch (Exception e) {
                LOG.warn("cannot close the log follower cleanly: {}", e.getMessage());
            }
        }
        for (JournalFollower journal : journals) {
            try {
                journal.close();
            } catch (Exception e) {
                LOG.warn("cannot close the journal follower of {} cleanly: {}", journal, e.getMessage());
            }
        }
    }
}
