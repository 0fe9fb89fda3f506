package dev.bulwark.detect.jail;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.sqlite.SQLiteConfig;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Ban counts in their own small SQLite file ({@code state_dir/jails.db}), one row per (jail,
 * offender), written with {@code synchronous=FULL}. Kept apart from the decision store: a
 * count outlives the decision it came from (an expired ban still counts for escalation) and is
 * forgotten on its own schedule, and it stays on this host when decisions are shared.
 */
public final class SqliteBanCounts implements BanCounts {
    private static final int SCHEMA = 1;
    private static final String CREATE = """
            CREATE TABLE IF NOT EXISTS ban_counts (
                jail       TEXT    NOT NULL,
                offender   TEXT    NOT NULL,
                count      INTEGER NOT NULL CHECK (count > 0),
                last_ban   INTEGER NOT NULL,
                -- milliseconds; NULL for a permanent ban
                ban_millis INTEGER,
                PRIMARY KEY (jail, offender)
            ) STRICT, WITHOUT ROWID""";
    /** Failures not yet banned, written at a clean stop and taken at the next start (older files lack it: made here). */
    private static final String CREATE_PENDING = """
            CREATE TABLE IF NOT EXISTS pending (
                jail         TEXT    NOT NULL,
                offender     TEXT    NOT NULL,
                first_millis INTEGER NOT NULL,
                last_millis  INTEGER NOT NULL,
                retry        INTEGER NOT NULL CHECK (retry > 0),
                -- a JSON array of the matched lines kept
                lines        TEXT    NOT NULL,
                PRIMARY KEY (jail, offender)
            ) STRICT, WITHOUT ROWID""";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path file;
    private final Connection connection;

    private SqliteBanCounts(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
    }

    /** Opens {@code file}, creating it (mode 0600) when missing; its directory must exist. */
    public static SqliteBanCounts open(Path file) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        try {
            Files.createFile(absolute, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            // kept from an earlier run, as wanted
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setBusyTimeout(10_000);
        Connection connection = null;
        try {
            connection = config.createConnection("jdbc:sqlite:" + absolute);
            try (Statement statement = connection.createStatement()) {
                int version = version(statement);
                if (version > SCHEMA) {
                    throw new IOException("the ban counts in " + absolute + " are of a newer Bulwark (schema " + version
                            + "); run that version, or move the file away to start the counts afresh");
                }
                statement.execute(CREATE);
                statement.execute(CREATE_PENDING);
                statement.execute("PRAGMA user_version = " + SCHEMA);
            }
            return new SqliteBanCounts(absolute, connection);
        } catch (SQLException e) {
            close(connection);
            throw new IOException("cannot open the ban counts " + absolute + ": " + e.getMessage()
                    + "; move the file away to start the counts afresh (only escalation of repeat offenders is lost)", e);
        } catch (IOException e) {
            close(connection);
            throw e;
        }
    }

    private static int version(Statement statement) throws SQLException {
        try (ResultSet row = statement.executeQuery("PRAGMA user_version")) {
            return row.next() ? row.getInt(1) : 0;
        }
    }

    private static void close(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException e) {
            // the error that made us close it is the one to report
        }
    }

    @Override
    public synchronized List<BanCount> load() throws IOException {
        List<BanCount> counts = new ArrayList<>();
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT jail, offender, count, last_ban, ban_millis FROM ban_counts")) {
            while (row.next()) {
                long millis = row.getLong(5);
                Duration banTime = row.wasNull() ? null : Duration.ofMillis(millis);
                counts.add(new BanCount(row.getString(1), row.getString(2), row.getInt(3), Instant.ofEpochSecond(row.getLong(4)), banTime));
            }
        } catch (SQLException e) {
            throw new IOException("cannot read the ban counts in " + file + ": " + e.getMessage(), e);
        }
        return counts;
    }

    @Override
    public synchronized void put(BanCount count) throws IOException {
        try (PreparedStatement put = connection.prepareStatement("INSERT OR REPLACE INTO ban_counts VALUES (?, ?, ?, ?, ?)")) {
            put.setString(1, count.jail());
            put.setString(2, count.offender());
            put.setInt(3, count.count());
            put.setLong(4, count.lastBan().getEpochSecond());
            if (count.banTime() == null) {
                put.setNull(5, Types.INTEGER);
            } else {
                put.setLong(5, count.banTime().toMillis());
            }
            put.executeUpdate();
        } catch (SQLException e) {
            throw new IOException("cannot write the ban count of " + count.offender() + " in jail " + count.jail() + " to " + file + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void remove(Collection<BanCount> counts) throws IOException {
        if (counts.isEmpty()) {
            return;
        }
        try (PreparedStatement remove = connection.prepareStatement("DELETE FROM ban_counts WHERE jail = ? AND offender = ?")) {
            connection.setAutoCommit(false);
            for (BanCount count : counts) {
                remove.setString(1, count.jail());
                remove.setString(2, count.offender());
                remove.addBatch();
            }
            remove.executeBatch();
            connection.commit();
        } catch (SQLException e) {
            rollback(e);
            throw new IOException("cannot remove forgotten ban counts from " + file + ": " + e.getMessage(), e);
        } finally {
            autoCommit();
        }
    }

    @Override
    public synchronized void putPending(List<PendingFailures> pending) throws IOException {
        try (Statement clear = connection.createStatement();
             PreparedStatement put = connection.prepareStatement("INSERT INTO pending VALUES (?, ?, ?, ?, ?, ?)")) {
            connection.setAutoCommit(false);
            clear.execute("DELETE FROM pending");
            for (PendingFailures failures : pending) {
                put.setString(1, failures.jail());
                put.setString(2, failures.offender());
                put.setLong(3, failures.firstMillis());
                put.setLong(4, failures.lastMillis());
                put.setInt(5, failures.retry());
                put.setString(6, JSON.writeValueAsString(failures.lines()));
                put.addBatch();
            }
            put.executeBatch();
            connection.commit();
        } catch (SQLException | JacksonException e) {
            rollback(e);
            throw new IOException("cannot keep " + pending.size() + " offenders' failures not yet banned in " + file + ": " + e.getMessage(), e);
        } finally {
            autoCommit();
        }
    }

    @Override
    public synchronized List<PendingFailures> takePending() throws IOException {
        List<PendingFailures> pending = new ArrayList<>();
        try (Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            try (ResultSet row = statement.executeQuery("SELECT jail, offender, first_millis, last_millis, retry, lines FROM pending")) {
                while (row.next()) {
                    List<String> lines = List.of(JSON.readValue(row.getString(6), String[].class));
                    pending.add(new PendingFailures(row.getString(1), row.getString(2), row.getLong(3), row.getLong(4), row.getInt(5), lines));
                }
            }
            statement.execute("DELETE FROM pending");
            connection.commit();
        } catch (SQLException | JacksonException | IllegalArgumentException e) {
            rollback(e);
            throw new IOException("cannot read the failures not yet banned kept in " + file + ": " + e.getMessage()
                    + "; they are counted afresh", e);
        } finally {
            autoCommit();
        }
        return pending;
    }

    private void rollback(Exception failure) {
        try {
            connection.rollback();
        } catch (SQLException rollback) {
            failure.addSuppressed(rollback);
        }
    }

    private void autoCommit() {
        try {
            connection.setAutoCommit(true);
        } catch (SQLException e) {
            // the next statement reports a connection that is broken
        }
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new IOException("cannot close the ban counts " + file + ": " + e.getMessage(), e);
        }
    }
}
