package dev.bulwark.decision;

import static java.util.Objects.requireNonNull;

import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpRange;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.function.Consumer;
import java.util.function.Function;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The embedded decision store: one SQLite file in WAL mode. A write is one transaction and
 * returns after SQLite has synced it ({@code synchronous=FULL}: in WAL mode anything less
 * may lose the last commits on power loss). One write runs at a time; reads use their own
 * connections and see the last committed state while a write runs.
 */
public final class SqliteDecisionStore implements DecisionStore {
    private static final String MIGRATIONS = "classpath:db/sqlite";
    private static final int BUSY_TIMEOUT_MILLIS = 10_000;
    // Rows handed to SQLite per executeBatch: large enough to cross into native code rarely,
    // small enough that a million-row put does not hold a million parameter arrays.
    private static final int ROWS_PER_EXECUTE = 1024;
    // Keeps the WAL file from staying as large as the biggest write after it is checkpointed.
    private static final int WAL_SIZE_LIMIT_BYTES = 64 << 20;
    // Page cache of the writer (SQLite's default is 2 MiB): a feed's round changes keys all over
    // a table of a hundred megabytes or more, and every page that falls out is read again.
    private static final int WRITER_CACHE_KIBIBYTES = 32 << 10;

    // label() lower-cases on every call; a million rows want the strings made once
    private static final String[] ACTION_LABELS = Arrays.stream(Action.values()).map(Action::label).toArray(String[]::new);
    private static final String[] CHANGE_LABELS = Arrays.stream(Change.values()).map(Change::label).toArray(String[]::new);

    private static final String DECISION_COLUMNS =
            "origin, family, first_address, last_address, action, score, categories, reason, first_seen, last_seen, expires_at";
    // what DecisionReader reads: the action as a number, which costs no string a row to read
    private static final String DECISION_VALUES =
            "origin, family, first_address, last_address, action = 'monitor', score, categories, reason, first_seen, last_seen, expires_at";
    private static final String SELECT_DECISIONS = "SELECT " + DECISION_VALUES + " FROM decisions";
    private static final String TOUCH = """
            UPDATE decisions SET last_seen = ?,
                expires_at = CASE WHEN expires_at IS ? THEN ? ELSE expires_at END
            WHERE origin = ?""";
    private static final String PUT = "INSERT OR REPLACE INTO decisions (" + DECISION_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String REMOVE = "DELETE FROM decisions WHERE origin = ? AND family = ? AND first_address = ? AND last_address = ?";
    private static final String RECORD = "INSERT INTO history (at, change, changed_by, span_bits, " + DECISION_COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    // One index range per span, all in one statement: see the history table in V1__decisions.sql.
    private static final String IPV4_HISTORY = buildHistoryQuery(IpFamily.IPV4);
    private static final String IPV6_HISTORY = buildHistoryQuery(IpFamily.IPV6);

    private final Path file;
    private final Jdbi readers;
    private final Object writeLock = new Object();
    // guarded by writeLock
    private final Writer writer;
    private volatile boolean closed;

    private SqliteDecisionStore(Path file, Jdbi readers, Writer writer) {
        this.file = file;
        this.readers = readers;
        this.writer = writer;
    }

    /**
     * Opens the store in {@code file}, creating it (mode 0600) and its directory (mode 0700)
     * if missing, and brings its schema up to date. A schema newer than this code is refused.
     */
    public static SqliteDecisionStore open(Path file) throws StoreException {
        Path absolute = file.toAbsolutePath().normalize();
        createIfMissing(absolute);
        SQLiteDataSource writerSource = dataSource(absolute, true);
        migrate(absolute, writerSource);
        Handle handle = null;
        try {
            handle = Jdbi.create(writerSource).open();
            return new SqliteDecisionStore(absolute, Jdbi.create(dataSource(absolute, false)), new Writer(handle));
        } catch (SQLException | JdbiException e) {
            if (handle != null) {
                handle.close();
            }
            throw failure("cannot open the decision store " + absolute, e);
        }
    }

    /** The database file. */
    public Path file() {
        return file;
    }

    @Override
    public void forEach(Consumer<Decision> action) throws StoreException {
        requireNonNull(action, "action is null");
        ensureOpen();
        try (Handle handle = readers.open()) {
            // one statement, one read transaction: a write running meanwhile is seen whole or not at all
            handle.createQuery(SELECT_DECISIONS).map(new DecisionReader()).forEach(action);
        } catch (JdbiException e) {
            throw failure("cannot read the decisions in " + file, e);
        }
    }

    @Override
    public long count() throws StoreException {
        ensureOpen();
        try (Handle handle = readers.open()) {
            return handle.createQuery("SELECT count(*) FROM decisions").mapTo(Long.class).one();
        } catch (JdbiException e) {
            throw failure("cannot count the decisions in " + file, e);
        }
    }

    @Override
    public void write(DecisionBatch batch) throws StoreException {
        requireNonNull(batch, "batch is null");
        if (batch.isEmpty()) {
            return;
        }
        synchronized (writeLock) {
            ensureOpen();
            try {
                writer.write(batch);
            } catch (SQLException | JdbiException e) {
                throw failure("cannot write " + describe(batch) + " to the decision store " + file
                        + "; none of them was written", e);
            }
        }
    }

    /** History entries removed a transaction: a prune holds the write lock a few milliseconds at a time. */
    private static final int PRUNE_BATCH = 10_000;
    /** The oldest entries from before a time, at most a number: found through history_by_time (V2__history_by_time.sql). */
    static final String PRUNE_SELECT = "SELECT id FROM history WHERE at < ? ORDER BY at LIMIT ?";

    @Override
    public long pruneHistory(Instant before) throws StoreException {
        requireNonNull(before, "before is null");
        long removed = 0;
        while (true) {
            int batch;
            synchronized (writeLock) {
                ensureOpen();
                try {
                    batch = writer.prune(before.getEpochSecond(), PRUNE_BATCH);
                } catch (SQLException | JdbiException e) {
                    throw failure("cannot remove the history older than " + before + " from " + file + " (" + removed
                            + " entries removed before this)", e);
                }
            }
            removed += batch;
            if (batch < PRUNE_BATCH) {
                return removed;
            }
        }
    }

    @Override
    public List<HistoryEntry> history(IpAddress address, int limit) throws StoreException {
        requireNonNull(address, "address is null");
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        if (limit == 0) {
            return List.of();
        }
        ensureOpen();
        byte[] upper = bytes(address);
        try (Handle handle = readers.open()) {
            Query query = handle.createQuery(historyQuery(address.family()));
            int parameter = 0;
            for (int span = 0; span <= address.family().bits(); span++) {
                query.bind(parameter++, lowestStart(address, span)).bind(parameter++, upper).bind(parameter++, upper);
            }
            return query.bind(parameter, limit).map(new HistoryReader()).list();
        } catch (JdbiException e) {
            throw failure("cannot read the history of " + address + " in " + file, e);
        }
    }

    static String historyQuery(IpFamily family) {
        return switch (family) {
            case IPV4 -> IPV4_HISTORY;
            case IPV6 -> IPV6_HISTORY;
        };
    }

    /** Spans and family are numbers of this code's own, written into the text; only the addresses and the limit are bound. */
    private static String buildHistoryQuery(IpFamily family) {
        StringJoiner spans = new StringJoiner(" UNION ALL ");
        for (int span = 0; span <= family.bits(); span++) {
            spans.add("SELECT " + DECISION_VALUES + ", id, at, change, changed_by FROM history WHERE family = " + familyNumber(family)
                    + " AND span_bits = " + span + " AND first_address BETWEEN ? AND ? AND last_address >= ?");
        }
        return spans + " ORDER BY at DESC, id DESC LIMIT ?";
    }

    /** Waits for a write in progress; later calls fail. Reads in progress finish on their own connections. */
    @Override
    public void close() throws StoreException {
        synchronized (writeLock) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                writer.close();
            } catch (SQLException | JdbiException e) {
                throw failure("cannot close the decision store " + file, e);
            }
        }
    }

    @Override
    public String toString() {
        return "SqliteDecisionStore[" + file + "]";
    }

    private void ensureOpen() throws StoreException {
        if (closed) {
            throw new StoreException("the decision store " + file + " is closed");
        }
    }

    private static void createIfMissing(Path file) throws StoreException {
        Path directory = file.getParent();
        if (Files.isDirectory(file)) {
            throw new StoreException("cannot open the decision store " + file + ": it is a directory; give the path of a file");
        }
        if (Files.exists(file)) {
            return;
        }
        Path existing = directory;
        while (!Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (!Files.isDirectory(existing)) {
            throw new StoreException("cannot create the decision store " + file + ": " + existing
                    + " is not a directory; move it away or choose another state_dir");
        }
        try {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            // created here, not by SQLite, to choose its mode; SQLite gives its -wal and -shm files the same
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            // the new name must survive power loss too, not only what is written into the file
            try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
                channel.force(true);
            }
        } catch (FileAlreadyExistsException e) {
            // another process created it meanwhile: it is there, as wanted
        } catch (IOException e) {
            throw new StoreException("cannot create the decision store " + file + ": " + reason(e)
                    + "; make " + directory + " a directory this user can write to, or choose another state_dir", e);
        }
    }

    private static SQLiteDataSource dataSource(Path file, boolean writer) {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        // there are no references between tables today; enforced so that a later migration's are
        config.enforceForeignKeys(true);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        if (writer) {
            // journal mode is kept in the file: the writer sets it and readers find it
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setJournalSizeLimit(WAL_SIZE_LIMIT_BYTES);
            config.setCacheSize(-WRITER_CACHE_KIBIBYTES);
            // take the write lock at BEGIN: a deferred transaction that read first cannot wait for it later
            config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        }
        SQLiteDataSource source = new SQLiteDataSource(config);
        source.setUrl("jdbc:sqlite:" + file);
        return source;
    }

    private static void migrate(Path file, SQLiteDataSource source) throws StoreException {
        try {
            Flyway flyway = Flyway.configure(SqliteDecisionStore.class.getClassLoader())
                    .dataSource(source)
                    .locations(MIGRATIONS)
                    .failOnMissingLocations(true)
                    .load();
            refuseNewerSchema(file, flyway.info());
            flyway.migrate();
        } catch (FlywayException e) {
            throw failure("cannot prepare the schema of the decision store " + file, e);
        }
    }

    // Flyway by default ignores migrations applied to the database that it does not know
    // (a newer Bulwark's); this code would then read and write a schema it does not understand.
    private static void refuseNewerSchema(Path file, MigrationInfoService info) throws StoreException {
        MigrationVersion known = null;
        MigrationVersion newest = null;
        for (MigrationInfo migration : info.all()) {
            if (migration.getVersion() == null) {
                continue;
            }
            if (migration.getState().isResolved() && (known == null || migration.getVersion().isNewerThan(known.getVersion()))) {
                known = migration.getVersion();
            }
            boolean future = migration.getState() == MigrationState.FUTURE_SUCCESS || migration.getState() == MigrationState.FUTURE_FAILED;
            if (future && (newest == null || migration.getVersion().isNewerThan(newest.getVersion()))) {
                newest = migration.getVersion();
            }
        }
        if (newest != null) {
            throw new StoreException("the decision store " + file + " has schema version " + newest
                    + ", newer than this Bulwark knows (" + known + "): a newer Bulwark wrote it. Run that version,"
                    + " or move the file away to start with an empty store (its decisions and history would be lost)");
        }
    }

    private static String describe(DecisionBatch batch) {
        return batch.touches().size() + " touches, " + batch.puts().size() + " puts and " + batch.removals().size() + " removals";
    }

    private static StoreException failure(String what, Exception cause) {
        String hint = hint(cause);
        return new StoreException(what + ": " + rootMessage(cause) + (hint.isEmpty() ? "" : " (" + hint + ")"), cause);
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }

    /** What a person can do about the usual failures. */
    private static String hint(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (!(cause instanceof SQLiteException sqlite)) {
                continue;
            }
            SQLiteErrorCode code = sqlite.getResultCode();
            int primary = code == null ? -1 : code.code & 0xff;
            if (primary == SQLiteErrorCode.SQLITE_FULL.code) {
                return "the file system is full: free space there";
            }
            if (primary == SQLiteErrorCode.SQLITE_READONLY.code || primary == SQLiteErrorCode.SQLITE_CANTOPEN.code
                    || primary == SQLiteErrorCode.SQLITE_PERM.code) {
                return "the file and its directory must be writable by this user: SQLite creates -wal and -shm files beside it";
            }
            if (primary == SQLiteErrorCode.SQLITE_BUSY.code || primary == SQLiteErrorCode.SQLITE_LOCKED.code) {
                return "another process holds the database: is a second daemon using the same state_dir?";
            }
            if (primary == SQLiteErrorCode.SQLITE_CORRUPT.code || primary == SQLiteErrorCode.SQLITE_NOTADB.code) {
                return "the file is damaged or not a Bulwark store: restore a backup or move it away";
            }
            if (primary == SQLiteErrorCode.SQLITE_IOERR.code) {
                return "the disk failed to read or write: see the system log";
            }
        }
        return "";
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException denied) {
            return "permission denied on " + denied.getFile();
        }
        if (e instanceof FileSystemException system && system.getReason() != null) {
            return system.getFile() + ": " + system.getReason();
        }
        return e.toString();
    }

    static int familyNumber(IpFamily family) {
        return switch (family) {
            case IPV4 -> 4;
            case IPV6 -> 6;
        };
    }

    /** An address as stored: big-endian, 4 bytes for IPv4 and 16 for IPv6, so that memcmp is address order. */
    static byte[] bytes(IpAddress address) {
        return switch (address.family()) {
            case IPV4 -> {
                int value = (int) address.low();
                yield new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
            }
            case IPV6 -> {
                byte[] bytes = new byte[16];
                long high = address.high();
                long low = address.low();
                for (int i = 0; i < 8; i++) {
                    bytes[i] = (byte) (high >>> (56 - 8 * i));
                    bytes[8 + i] = (byte) (low >>> (56 - 8 * i));
                }
                yield bytes;
            }
        };
    }

    static IpAddress address(int family, byte[] bytes) throws SQLException {
        if (family == 4 && bytes.length == 4) {
            return IpAddress.ipv4(((bytes[0] & 0xffL) << 24) | ((bytes[1] & 0xffL) << 16) | ((bytes[2] & 0xffL) << 8) | (bytes[3] & 0xffL));
        }
        if (family == 6 && bytes.length == 16) {
            long high = 0;
            long low = 0;
            for (int i = 0; i < 8; i++) {
                high = (high << 8) | (bytes[i] & 0xffL);
                low = (low << 8) | (bytes[8 + i] & 0xffL);
            }
            return IpAddress.ipv6(high, low);
        }
        throw new SQLException("a stored address of family " + family + " has " + bytes.length + " bytes");
    }

    /** Bits needed to write last - first: 0 for one address, 8 for a /24. */
    static int spanBits(IpRange target) {
        long low = target.last().low() - target.first().low();
        long high = target.last().high() - target.first().high() - (Long.compareUnsigned(target.last().low(), target.first().low()) < 0 ? 1 : 0);
        return high != 0 ? 128 - Long.numberOfLeadingZeros(high) : 64 - Long.numberOfLeadingZeros(low);
    }

    /** The lowest first address a target of {@code span} bits can have and still contain {@code address}. */
    static byte[] lowestStart(IpAddress address, int span) {
        long spanLow = span >= 64 ? -1L : (1L << span) - 1;
        long spanHigh = span <= 64 ? 0 : span == 128 ? -1L : (1L << (span - 64)) - 1;
        long low = address.low() - spanLow;
        long high = address.high() - spanHigh - (Long.compareUnsigned(address.low(), spanLow) < 0 ? 1 : 0);
        boolean below = Long.compareUnsigned(address.high(), spanHigh) < 0
                || (address.high() == spanHigh && Long.compareUnsigned(address.low(), spanLow) < 0);
        if (below) {
            return bytes(new IpAddress(address.family(), 0, 0));
        }
        return bytes(new IpAddress(address.family(), high, low));
    }

    private static void bindInstant(PreparedStatement statement, int index, Instant instant) throws SQLException {
        if (instant == null) {
            statement.setNull(index, Types.INTEGER);
        } else {
            statement.setLong(index, instant.getEpochSecond());
        }
    }

    /** Binds one change's parameters; the target's bounds come encoded once for the change and its history row. */
    private interface Binder {
        void bind(Decision decision, byte[] first, byte[] last) throws SQLException;
    }

    /** The single connection that writes, with its statements prepared once: a manual ban pays for no parsing. */
    private static final class Writer {
        private final Handle handle;
        private final PreparedStatement touch;
        private final PreparedStatement put;
        private final PreparedStatement remove;
        private final PreparedStatement record;
        // a feed's decisions often share one list: encode it once, not once a row
        private List<String> lastCategories;
        private String lastCategoriesJson;

        Writer(Handle handle) throws SQLException {
            this.handle = handle;
            Connection connection = handle.getConnection();
            this.touch = connection.prepareStatement(TOUCH);
            this.put = connection.prepareStatement(PUT);
            this.remove = connection.prepareStatement(REMOVE);
            this.record = connection.prepareStatement(RECORD);
        }

        /** Removes up to {@code limit} history entries from before {@code beforeSecond}, oldest first; returns how many. */
        int prune(long beforeSecond, int limit) throws SQLException {
            return handle.inTransaction(transaction -> {
                try (PreparedStatement delete = handle.getConnection().prepareStatement(
                        "DELETE FROM history WHERE id IN (" + PRUNE_SELECT + ")")) {
                    delete.setLong(1, beforeSecond);
                    delete.setInt(2, limit);
                    return delete.executeUpdate();
                }
            });
        }

        void write(DecisionBatch batch) throws SQLException {
            try {
                handle.useTransaction(transaction -> writeInTransaction(batch));
            } finally {
                // after a failure, rows queued but not executed must not leak into the next batch
                put.clearBatch();
                remove.clearBatch();
                record.clearBatch();
            }
        }

        private void writeInTransaction(DecisionBatch batch) throws SQLException {
            long at = batch.at().getEpochSecond();
            for (DecisionBatch.Touch touched : batch.touches()) {
                touch.setLong(1, touched.lastSeen().getEpochSecond());
                bindInstant(touch, 2, touched.expiringAt());
                bindInstant(touch, 3, touched.newExpiry());
                touch.setString(4, touched.origin());
                touch.executeUpdate();
            }
            writeChanges(batch.puts(), DecisionBatch.Put::decision, DecisionBatch.Put::change, put,
                    (decision, first, last) -> bindDecision(put, 1, decision, first, last), at, batch.by());
            writeChanges(batch.removals(), DecisionBatch.Removal::decision, DecisionBatch.Removal::change, remove,
                    (decision, first, last) -> {
                        remove.setString(1, decision.origin());
                        remove.setInt(2, familyNumber(decision.target().family()));
                        remove.setBytes(3, first);
                        remove.setBytes(4, last);
                    }, at, batch.by());
        }

        /** Runs {@code statement} for each change, in key order, and records each in the history. */
        private <T> void writeChanges(List<T> changes, Function<T, Decision> decisionOf, Function<T, Change> changeOf,
                                      PreparedStatement statement, Binder binder, long at, String by) throws SQLException {
            int queued = 0;
            for (T change : inKeyOrder(changes, decisionOf)) {
                Decision decision = decisionOf.apply(change);
                byte[] first = bytes(decision.target().first());
                byte[] last = decision.target().isSingleAddress() ? first : bytes(decision.target().last());
                binder.bind(decision, first, last);
                statement.addBatch();
                bindRecord(at, by, changeOf.apply(change), decision, first, last);
                if (++queued == ROWS_PER_EXECUTE) {
                    statement.executeBatch();
                    record.executeBatch();
                    queued = 0;
                }
            }
            statement.executeBatch();
            record.executeBatch();
        }

        /**
         * The changes sorted as the primary key is: a million inserts in feed order land on
         * pages all over the table and thrash the page cache; in key order each page is filled
         * once. Stable, so that two changes of one key still run in the order given.
         */
        private static <T> List<T> inKeyOrder(List<T> changes, Function<T, Decision> decision) {
            if (changes.size() < 2) {
                return changes;
            }
            List<T> sorted = new ArrayList<>(changes);
            sorted.sort((a, b) -> compareKeys(decision.apply(a), decision.apply(b)));
            return sorted;
        }

        private static int compareKeys(Decision a, Decision b) {
            int byOrigin = a.origin().compareTo(b.origin());
            if (byOrigin != 0) {
                return byOrigin;
            }
            int byFirst = a.target().first().compareTo(b.target().first());
            return byFirst != 0 ? byFirst : a.target().last().compareTo(b.target().last());
        }

        private void bindRecord(long at, String by, Change change, Decision decision, byte[] first, byte[] last) throws SQLException {
            record.setLong(1, at);
            record.setString(2, CHANGE_LABELS[change.ordinal()]);
            record.setString(3, by);
            record.setInt(4, spanBits(decision.target()));
            bindDecision(record, 5, decision, first, last);
            record.addBatch();
        }

        private void bindDecision(PreparedStatement statement, int from, Decision decision, byte[] first, byte[] last) throws SQLException {
            statement.setString(from, decision.origin());
            statement.setInt(from + 1, familyNumber(decision.target().family()));
            statement.setBytes(from + 2, first);
            statement.setBytes(from + 3, last);
            statement.setString(from + 4, ACTION_LABELS[decision.action().ordinal()]);
            statement.setInt(from + 5, decision.score());
            statement.setString(from + 6, categoriesJson(decision.categories()));
            statement.setString(from + 7, decision.reason());
            statement.setLong(from + 8, decision.firstSeen().getEpochSecond());
            statement.setLong(from + 9, decision.lastSeen().getEpochSecond());
            bindInstant(statement, from + 10, decision.expiresAt());
        }

        private String categoriesJson(List<String> categories) {
            if (categories != lastCategories) {
                lastCategoriesJson = CategoriesJson.encode(categories);
                lastCategories = categories;
            }
            return lastCategoriesJson;
        }

        void close() throws SQLException {
            try (handle; touch; put; remove; record) {
                // closing is all
            }
        }
    }

    /**
     * Reads the decision columns, as {@link #DECISION_VALUES} lists them, into decisions that share
     * what they can: the daemon holds every decision in memory, and a million rows carry only
     * a few distinct origins, times, reasons and category lists.
     */
    private static final class DecisionReader implements RowMapper<Decision> {
        private static final int MASK = 4095;
        private final Instant[] instants = new Instant[MASK + 1];
        private final String[] texts = new String[MASK + 1];
        private final String[] categoryTexts = new String[MASK + 1];
        private final List<?>[] categoryLists = new List<?>[MASK + 1];

        @Override
        public Decision map(ResultSet row, StatementContext context) throws SQLException {
            String origin = shared(row.getString(1));
            int family = row.getInt(2);
            byte[] firstBytes = row.getBytes(3);
            byte[] lastBytes = row.getBytes(4);
            try {
                IpAddress first = address(family, firstBytes);
                IpAddress last = Arrays.equals(firstBytes, lastBytes) ? first : address(family, lastBytes);
                long expiresAt = row.getLong(11);
                Instant expiry = row.wasNull() ? null : instant(expiresAt);
                return new Decision(origin, new IpRange(first, last), row.getInt(5) == 1 ? Action.MONITOR : Action.BLOCK, row.getInt(6),
                        categories(row.getString(7)), shared(row.getString(8)), instant(row.getLong(9)), instant(row.getLong(10)), expiry);
            } catch (IllegalArgumentException e) {
                throw new SQLException("a stored decision of " + origin + " cannot be read: " + e.getMessage(), e);
            }
        }

        private Instant instant(long seconds) {
            int slot = (int) seconds & MASK;
            Instant cached = instants[slot];
            if (cached != null && cached.getEpochSecond() == seconds) {
                return cached;
            }
            Instant instant = Instant.ofEpochSecond(seconds);
            instants[slot] = instant;
            return instant;
        }

        private String shared(String text) {
            if (text == null) {
                return null;
            }
            int slot = text.hashCode() & MASK;
            String cached = texts[slot];
            if (text.equals(cached)) {
                return cached;
            }
            texts[slot] = text;
            return text;
        }

        @SuppressWarnings("unchecked")
        private List<String> categories(String json) {
            int slot = json.hashCode() & MASK;
            if (json.equals(categoryTexts[slot])) {
                return (List<String>) categoryLists[slot];
            }
            List<String> categories = CategoriesJson.decode(json);
            categoryTexts[slot] = json;
            categoryLists[slot] = categories;
            return categories;
        }
    }

    /** Reads a history row: the decision columns, then id, at, change and changed_by. */
    private static final class HistoryReader implements RowMapper<HistoryEntry> {
        private final DecisionReader decisions = new DecisionReader();

        @Override
        public HistoryEntry map(ResultSet row, StatementContext context) throws SQLException {
            Decision decision = decisions.map(row, context);
            String change = row.getString(14);
            try {
                return new HistoryEntry(decisions.instant(row.getLong(13)), Change.valueOf(change.toUpperCase(Locale.ROOT)),
                        row.getString(15), decision);
            } catch (IllegalArgumentException e) {
                throw new SQLException("a stored history entry has an unknown change '" + change + "'", e);
            }
        }
    }
}
