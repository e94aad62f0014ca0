package io.backuprelay.chaos;

import io.backuprelay.testkit.ScratchDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The source database ends a dump's session while it runs, as an administrator's
 * {@code pg_terminate_backend} or {@code KILL}, a failover or an idle-session killer would. Only
 * sessions of the run's own source databases are touched; the servers keep running (other suites
 * share them).
 */
final class SourceSessionKill {

    /** How long an injection looks for a dump in progress before it gives up (and counts nothing). */
    private static final Duration SEARCH = Duration.ofSeconds(60);
    /** mariadb-dump's streaming query of a table (with {@code --quick}): its session, told apart from others on the database. */
    private static final String MARIADB_DUMP_QUERY = "SELECT /*!40001 SQL_NO_CACHE */%";

    private final Supplier<Collection<ScratchDatabase>> sources;

    SourceSessionKill(Supplier<Collection<ScratchDatabase>> sources) {
        this.sources = sources;
    }

    private record Session(String engine, String database, long id) {
    }

    /** Waits up to 60 s for a dump session on one of the sources, and kills one; counts only a session really ended. */
    void inject(Random random, FaultLog log) throws Exception {
        long deadline = System.nanoTime() + SEARCH.toNanos();
        while (System.nanoTime() < deadline) {
            List<Session> sessions = dumpSessions();
            if (!sessions.isEmpty()) {
                Session victim = sessions.get(random.nextInt(sessions.size()));
                Instant at = Instant.now();
                if (kill(victim)) {
                    log.count("source database killed the dump's session (" + victim.engine() + ")");
                    log.window("session-kill " + victim.database(), at, at);
                    System.out.printf("chaos: session-kill: %s ended the dump's session %d on %s%n", victim.engine(),
                            victim.id(), victim.database());
                    return;
                }
            }
            Thread.sleep(500);
        }
        System.out.println("chaos: session-kill: no dump ran within " + SEARCH.toSeconds() + " s; nothing killed");
    }

    private List<Session> dumpSessions() throws SQLException {
        List<String> postgres = new ArrayList<>();
        List<String> mariadb = new ArrayList<>();
        for (ScratchDatabase source : sources.get()) {
            (source.port() == 5432 ? postgres : mariadb).add(source.name());
        }
        List<Session> sessions = new ArrayList<>();
        if (!postgres.isEmpty()) {
            try (Connection connection = postgres();
                 PreparedStatement query = connection.prepareStatement("SELECT pid, datname FROM pg_stat_activity"
                         + " WHERE application_name = 'backuprelay' AND backend_type = 'client backend' AND datname = ANY(?)")) {
                query.setArray(1, connection.createArrayOf("text", postgres.toArray()));
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        sessions.add(new Session("PostgreSQL", rows.getString(2), rows.getLong(1)));
                    }
                }
            }
        }
        if (!mariadb.isEmpty()) {
            try (Connection connection = mariadb();
                 PreparedStatement query = connection.prepareStatement("SELECT ID, DB FROM information_schema.PROCESSLIST"
                         + " WHERE DB IN (" + String.join(",", mariadb.stream().map(d -> "?").toList()) + ") AND INFO LIKE ?")) {
                for (int i = 0; i < mariadb.size(); i++) {
                    query.setString(i + 1, mariadb.get(i));
                }
                query.setString(mariadb.size() + 1, MARIADB_DUMP_QUERY);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        sessions.add(new Session("MariaDB", rows.getString(2), rows.getLong(1)));
                    }
                }
            }
        }
        return sessions;
    }

    private static boolean kill(Session session) throws SQLException {
        if (session.engine().equals("PostgreSQL")) {
            try (Connection connection = postgres();
                 PreparedStatement terminate = connection.prepareStatement("SELECT pg_terminate_backend(?)")) {
                terminate.setInt(1, (int) session.id());
                try (ResultSet result = terminate.executeQuery()) {
                    return result.next() && result.getBoolean(1);
                }
            }
        }
        try (Connection connection = mariadb(); Statement statement = connection.createStatement()) {
            statement.execute("KILL CONNECTION " + session.id());
            return true;
        } catch (SQLException gone) {
            return false; // "Unknown thread id": the dump ended first
        }
    }

    private static Connection postgres() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + ScratchDatabase.HOST + ":5432/postgres", "postgres", "");
    }

    private static Connection mariadb() throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://" + ScratchDatabase.HOST + ":3306/", "root", "");
    }
}
