package io.backuprelay.chaos;

import io.backuprelay.testkit.ScratchDatabase;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Writes a source database during the whole run, one change a transaction (an insert, an update or
 * a delete of the {@code item} table), and keeps its own log of them, so that what the table held
 * after any number of changes is known without asking the product. Each transaction also sets
 * {@code writer_state.seq} to its change's number: a consistent snapshot of the database (a dump)
 * therefore names how many changes it holds, and the audit derives the rows it must hold from the log.
 */
final class SourceWriter {

    /** One row of {@code item}. */
    record Row(String name, BigDecimal price) {
    }

    /** A committed change: its number, the row it set (null: deleted), and when it began and committed. */
    record Change(long seq, int id, Row row, Instant begun, Instant committed) {
    }

    private final ScratchDatabase database;
    private final boolean mariadb;
    private final int initialRows;
    private final Random random;
    private final Clock clock;
    private final List<Change> log = new ArrayList<>();
    private final TreeMap<Integer, Row> current = new TreeMap<>();
    private int nextId;
    private Change pending; // begun, commit not yet confirmed

    SourceWriter(ScratchDatabase database, boolean mariadb, int initialRows, Random random, Clock clock) {
        this.database = database;
        this.mariadb = mariadb;
        this.initialRows = initialRows;
        this.random = random;
        this.clock = clock;
        this.nextId = initialRows + 1;
    }

    /** Creates the tables with {@code initialRows} rows of known content, and the change counter at 0. */
    SourceWriter create() {
        if (mariadb) {
            database.execute("CREATE TABLE item (id int PRIMARY KEY, name varchar(100), price decimal(10,2)) ENGINE=InnoDB",
                    "INSERT INTO item SELECT seq, CONCAT('item ', seq), seq * 0.5 FROM seq_1_to_" + initialRows,
                    "CREATE TABLE writer_state (id int PRIMARY KEY, seq bigint NOT NULL) ENGINE=InnoDB",
                    "INSERT INTO writer_state VALUES (1, 0)");
        } else {
            database.execute("CREATE TABLE item (id int PRIMARY KEY, name text, price numeric(10,2))",
                    "INSERT INTO item SELECT g, 'item ' || g, g * 0.5 FROM generate_series(1, " + initialRows + ") g",
                    "CREATE TABLE writer_state (id int PRIMARY KEY, seq bigint NOT NULL)",
                    "INSERT INTO writer_state VALUES (1, 0)");
        }
        for (int id = 1; id <= initialRows; id++) {
            current.put(id, initialRow(id));
        }
        return this;
    }

    private static Row initialRow(int id) {
        return new Row("item " + id, BigDecimal.valueOf(id).multiply(new BigDecimal("0.5")).setScale(2));
    }

    /** Changes committed so far. */
    synchronized long changes() {
        return log.size();
    }

    /**
     * Writes one change in its own transaction and logs it once committed. A change whose commit
     * cannot be confirmed (the connection broke) is looked up afterwards in {@code writer_state}.
     */
    void writeOne(Connection connection) throws SQLException {
        if (pending != null) {
            throw new IllegalStateException("change " + pending.seq() + " is not reconciled");
        }
        long seq;
        int id;
        Row row;
        synchronized (this) {
            seq = log.size() + 1L;
            int choice = random.nextInt(10);
            if (choice < 4 || current.size() < 10) {
                id = nextId++;
                row = new Row("w" + seq + " " + Long.toHexString(random.nextLong()), price());
            } else {
                id = randomExistingId();
                row = choice < 8 ? new Row("u" + seq, price()) : null;
            }
        }
        pending = new Change(seq, id, row, clock.instant(), null);
        connection.setAutoCommit(false);
        try {
            apply(connection, id, row);
            try (PreparedStatement state = connection.prepareStatement("UPDATE writer_state SET seq = ? WHERE id = 1")) {
                state.setLong(1, seq);
                state.executeUpdate();
            }
            connection.commit();
        } catch (SQLException e) {
            safeRollback(connection);
            throw e; // the caller reconciles on a new connection: the commit may have happened
        }
        Change done = pending;
        pending = null;
        record(new Change(done.seq(), done.id(), done.row(), done.begun(), clock.instant()));
    }

    /**
     * After a failed change, on a new connection: whether its commit happened after all, read from
     * {@code writer_state}. Logged with the time of this reading as its commit (a later bound).
     */
    void reconcile(Connection connection) throws SQLException {
        if (pending == null) {
            return;
        }
        connection.setAutoCommit(true);
        long seq;
        try (Statement statement = connection.createStatement();
             ResultSet state = statement.executeQuery("SELECT seq FROM writer_state WHERE id = 1")) {
            state.next();
            seq = state.getLong(1);
        }
        Change change = pending;
        pending = null;
        if (seq == change.seq()) {
            record(new Change(change.seq(), change.id(), change.row(), change.begun(), clock.instant()));
        } else if (seq != change.seq() - 1) {
            throw new IllegalStateException("writer_state says " + seq + " changes, the log " + (change.seq() - 1));
        }
        // otherwise it did not happen; an insert's id stays unused
    }

    /**
     * Writes changes one after another, about {@code perSecond} a second, until {@code stop} counts
     * down; a broken connection is opened again and the change in doubt reconciled.
     */
    void run(CountDownLatch stop, int perSecond, Consumer<String> problems) {
        long pause = Math.max(1, 1000 / perSecond);
        Connection connection = null;
        try {
            while (!stop.await(pause, TimeUnit.MILLISECONDS)) {
                try {
                    if (connection == null) {
                        connection = database.connect();
                        reconcile(connection);
                    }
                    writeOne(connection);
                } catch (SQLException broken) {
                    close(connection);
                    connection = null;
                }
            }
            if (connection == null) {
                connection = database.connect();
            }
            reconcile(connection);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            problems.accept("the writer of " + database.name() + " stopped: " + e);
        } finally {
            close(connection);
        }
    }

    private static void close(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // already broken
            }
        }
    }

    private void apply(Connection connection, int id, Row row) throws SQLException {
        if (row == null) {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM item WHERE id = ?")) {
                delete.setInt(1, id);
                delete.executeUpdate();
            }
            return;
        }
        String upsert = mariadb
                ? "INSERT INTO item (id, name, price) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE name = VALUES(name), price = VALUES(price)"
                : "INSERT INTO item (id, name, price) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, price = EXCLUDED.price";
        try (PreparedStatement write = connection.prepareStatement(upsert)) {
            write.setInt(1, id);
            write.setString(2, row.name());
            write.setBigDecimal(3, row.price());
            write.executeUpdate();
        }
    }

    private synchronized void record(Change change) {
        log.add(change);
        if (change.row() == null) {
            current.remove(change.id());
        } else {
            current.put(change.id(), change.row());
        }
    }

    private int randomExistingId() {
        int probe = 1 + random.nextInt(nextId - 1);
        Integer id = current.ceilingKey(probe);
        return id != null ? id : current.firstKey();
    }

    private BigDecimal price() {
        return BigDecimal.valueOf(random.nextInt(1_000_000), 2);
    }

    private static void safeRollback(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is gone; the transaction died with it
        }
    }

    /** The number of changes committed before {@code instant}: a backup asked for then holds at least these. */
    long committedBefore(Instant instant) {
        return lastWhere(change -> change.committed().isBefore(instant));
    }

    /** The number of changes begun before {@code instant}: a backup that ended then holds at most these. */
    long begunBefore(Instant instant) {
        return lastWhere(change -> change.begun().isBefore(instant));
    }

    /** The number of the last change of the log that matches (changes are logged in the order they began and committed). */
    private synchronized long lastWhere(Predicate<Change> test) {
        long n = 0;
        for (Change change : log) {
            if (test.test(change)) {
                n = change.seq();
            }
        }
        return n;
    }

    /** The SHA-256 of the rows {@code item} held after {@code seq} changes, in key order (see {@link #hash}). */
    synchronized String expectedAfter(long seq) {
        if (seq > log.size()) {
            throw new IllegalArgumentException("only " + log.size() + " changes were written, not " + seq);
        }
        TreeMap<Integer, Row> rows = new TreeMap<>();
        for (int id = 1; id <= initialRows; id++) {
            rows.put(id, initialRow(id));
        }
        for (Change change : log.subList(0, (int) seq)) {
            if (change.row() == null) {
                rows.remove(change.id());
            } else {
                rows.put(change.id(), change.row());
            }
        }
        return hash(rows);
    }

    /** What a database's tables say: the changes it holds and the SHA-256 of its {@code item} rows in key order. */
    record Snapshot(long seq, String hash, int rows) {
    }

    static Snapshot read(Connection connection) throws SQLException {
        long seq;
        try (Statement statement = connection.createStatement();
             ResultSet state = statement.executeQuery("SELECT seq FROM writer_state WHERE id = 1")) {
            seq = state.next() ? state.getLong(1) : -1;
        }
        TreeMap<Integer, Row> rows = new TreeMap<>();
        try (Statement statement = connection.createStatement();
             ResultSet items = statement.executeQuery("SELECT id, name, price FROM item ORDER BY id")) {
            while (items.next()) {
                rows.put(items.getInt(1), new Row(items.getString(2), items.getBigDecimal(3)));
            }
        }
        return new Snapshot(seq, hash(rows), rows.size());
    }

    /** SHA-256 over "id TAB name TAB price LF" for every row in key order; a price in its plain form with 2 decimals. */
    static String hash(Map<Integer, Row> rows) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (var entry : new TreeMap<>(rows).entrySet()) {
                Row row = entry.getValue();
                String price = row.price() == null ? "null" : row.price().setScale(2).toPlainString();
                digest.update((entry.getKey() + "\t" + row.name() + "\t" + price + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    ScratchDatabase database() {
        return database;
    }
}
