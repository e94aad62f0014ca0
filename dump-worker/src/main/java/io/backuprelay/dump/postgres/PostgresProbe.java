package io.backuprelay.dump.postgres;

import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.dump.runner.SourceTls;
import io.backuprelay.dump.runner.ConnectionProblems;
import io.backuprelay.dump.runner.DumpFailedException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

/**
 * Connects once before a dump: it tells the server's version (to choose the pg_dump) and turns
 * the common connection problems into reasons a super-administrator can act on.
 *
 * @param tls how the account's TLS mode is taken, with the CA bundle the worker trusts
 */
public record PostgresProbe(SourceTls tls) {

    private static final int CONNECT_TIMEOUT_SECONDS = 15;

    /** The server's version, e.g. {@code 15.19}, asked on a connection the caller holds (a dump asks on its snapshot's). */
    public ServerVersion serverVersion(Connection connection, SourceDatabase source) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT current_setting('server_version_num')::int,"
                     + " current_setting('server_version'), (SELECT count(*) FROM information_schema.tables"
                     + " WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')"
                     + (source.schema() == null ? "" : " AND table_schema = " + literal(source.schema())) + ")")) {
            rs.next();
            return new ServerVersion(rs.getInt(1) / 10000, rs.getString(2), rs.getLong(3));
        }
    }

    /**
     * A connection to the source, its problems in plain words.
     *
     * @param socketTimeout how long one statement may take before the connection gives up
     */
    public Connection connect(SourceDatabase source, String password, Duration socketTimeout)
            throws DumpFailedException {
        return connect(source, password, socketTimeout, "backuprelay-probe");
    }

    /**
     * @param applicationName how the session shows in {@code pg_stat_activity}: {@code backuprelay} is
     *                        pg_dump's own session, every other connection of the worker is named otherwise
     */
    public Connection connect(SourceDatabase source, String password, Duration socketTimeout,
                                     String applicationName) throws DumpFailedException {
        Properties props = new Properties();
        props.setProperty("user", source.username());
        props.setProperty("password", password == null ? "" : password);
        props.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        props.setProperty("socketTimeout", Long.toString(socketTimeout.toSeconds()));
        props.setProperty("ApplicationName", applicationName);
        tls.postgres(props, source.tls());
        String url = source.jdbcUrl();
        try {
            return DriverManager.getConnection(url, props);
        } catch (SQLException e) {
            throw new DumpFailedException(reason(source, e));
        }
    }

    String reason(SourceDatabase source, SQLException e) {
        Optional<String> problem = tls.problem(source, e);
        if (problem.isPresent()) {
            return problem.get();
        }
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String server = "The database server " + source.host() + ":" + source.port();
        return switch (state) {
            case "28P01", "28000" -> server + " rejected the username '" + source.username()
                    + "' or its password. Update the database credentials registered for this account.";
            case "3D000" -> "The database '" + source.database() + "' does not exist on " + source.host() + ":"
                    + source.port() + ".";
            case "08001", "08004", "08006" -> "Cannot reach the database server " + source.host() + ":" + source.port()
                    + " (" + ConnectionProblems.describe(e, CONNECT_TIMEOUT_SECONDS) + "). Check that it is running and accepts connections from the backup service.";
            case "42501" -> server + " does not allow the user '" + source.username() + "' to read the database '"
                    + source.database() + "'.";
            default -> server + " refused the backup: " + ConnectionProblems.firstLine(e.getMessage());
        };
    }

    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /**
     * @param major      e.g. 15
     * @param tableCount tables that the dump will hold
     */
    public record ServerVersion(int major, String text, long tableCount) {
    }
}
