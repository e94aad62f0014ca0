package io.backuprelay.dump.runner;

import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Whether a dump failed because the source database ended its session while it ran (an
 * administrator's {@code pg_terminate_backend} or {@code KILL CONNECTION}, a restart, a failover),
 * as the dump tool's stderr or the driver's SQLState tell it. Such a dump may succeed if tried again;
 * a connection refused before the dump starts is not one of these.
 */
public final class SourceInterruption {

    /** What pg_dump, mariadb-dump and mysqldump print when the server ended or lost the session (lower case). */
    private static final List<String> SESSION_ENDED = List.of(
            "terminating connection due to administrator command",
            "server closed the connection unexpectedly",
            "the database system is shutting down",
            "the database system is starting up",
            "the database system is in recovery mode",
            "connection to server was lost",
            "could not receive data from server",
            "lost connection to",
            "server has gone away",
            "connection was killed");
    /** MariaDB/MySQL client errors 2013 (lost connection during query) and 2006 (server gone away). */
    private static final Pattern CLIENT_ERROR = Pattern.compile("\\berror:? ?(2013|2006)\\b");
    /** PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now. */
    private static final List<String> ENDED_STATES = List.of("57P01", "57P02", "57P03");

    private SourceInterruption() {
    }

    /** Whether a dump tool's stderr says the server ended or lost its session. */
    public static boolean inToolOutput(String stderr) {
        String text = stderr == null ? "" : stderr.toLowerCase(Locale.ROOT);
        return SESSION_ENDED.stream().anyMatch(text::contains) || CLIENT_ERROR.matcher(text).find();
    }

    /** Whether a driver's error on an open connection says the server ended or lost it (SQLState class 08, or 57P01–57P03). */
    public static boolean inSqlState(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || ENDED_STATES.contains(state));
    }
}
