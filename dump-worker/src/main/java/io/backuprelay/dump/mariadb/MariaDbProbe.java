package io.backuprelay.dump.mariadb;

import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.account.TlsMode;
import io.backuprelay.database.DatabaseContents;
import io.backuprelay.format.inventory.Inventory;
import io.backuprelay.database.InventoryReader;
import io.backuprelay.dump.runner.SourceTls;
import io.backuprelay.dump.runner.ConnectionProblems;
import io.backuprelay.dump.runner.DumpFailedException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * Connects once before a dump: the server's version, what the database holds, and connection problems in plain words.
 *
 * @param tls how the account's TLS mode is taken, with the CA bundle the worker trusts
 */
public record MariaDbProbe(SourceTls tls) {

    /**
     * The server's version and what the database holds (without row counts: the dump's SQL stream
     * gives them).
     *
     * @throws DumpFailedException when the user cannot read the stored routines, which the dump
     *                             would leave out without a word, naming the grant that fixes it
     */
    public Server check(SourceDatabase source, String password) throws DumpFailedException {
        try (Connection connection = connect(source, password);
             Statement statement = connection.createStatement()) {
            if (!canReadRoutines(statement)) {
                throw new DumpFailedException(routinesHidden(source));
            }
            String version;
            try (ResultSet rs = statement.executeQuery("SELECT VERSION()")) {
                rs.next();
                version = rs.getString(1);
            }
            statement.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
            DatabaseContents contents = InventoryReader.mariadbContents(connection, false);
            statement.execute("COMMIT");
            return new Server(version, contents);
        } catch (SQLException e) {
            throw new DumpFailedException(reason(source, e));
        }
    }

    /** A connection of the backup user to the source database, its problems in plain words. */
    Connection connect(SourceDatabase source, String password) throws DumpFailedException {
        Properties props = new Properties();
        props.setProperty("user", source.username());
        props.setProperty("password", password == null ? "" : password);
        props.setProperty("connectTimeout", "15000");
        props.setProperty("socketTimeout", "60000");
        tls.mariadb(props, source.tls());
        try {
            return DriverManager.getConnection(source.jdbcUrl(), props);
        } catch (SQLException e) {
            if (source.tls() == TlsMode.PREFER && SourceTls.serverHasNoTls(e)) {
                tls.mariadb(props, TlsMode.DISABLE); // PREFER: the server offers none
                try {
                    return DriverManager.getConnection(source.jdbcUrl(), props);
                } catch (SQLException plain) {
                    throw new DumpFailedException(reason(source, plain));
                }
            }
            throw new DumpFailedException(reason(source, e));
        }
    }

    /**
     * Whether the user can read the definitions of the database's stored routines. Without it,
     * MariaDB hides them from the user entirely (information_schema lists none) and
     * {@code mariadb-dump --routines} leaves them out with exit code 0: nothing else would tell.
     */
    private static boolean canReadRoutines(Statement statement) throws SQLException {
        try (ResultSet ignored = statement.executeQuery("SELECT 1 FROM mysql.proc LIMIT 0")) {
            return true;
        } catch (SQLException denied) {
            // not readable this way; MariaDB 11.3+ has a privilege for it
        }
        try (ResultSet grants = statement.executeQuery("SHOW GRANTS")) {
            while (grants.next()) {
                String grant = grants.getString(1).toUpperCase(Locale.ROOT);
                if (grant.contains("SHOW CREATE ROUTINE") || grant.contains("ALL PRIVILEGES ON *.*")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String routinesHidden(SourceDatabase source) {
        return "The backup user '" + source.username() + "' cannot read routine bodies on " + source.host() + ":"
                + source.port() + ": MariaDB hides the stored procedures and functions of the database '"
                + source.database() + "' from it, and mariadb-dump would leave them out without an error, so no backup"
                + " was made. Grant SHOW CREATE ROUTINE (MariaDB 11.3+) or SELECT ON mysql.proc to '"
                + source.username() + "'.";
    }

    String reason(SourceDatabase source, SQLException e) {
        Optional<String> problem = tls.problem(source, e);
        if (problem.isPresent()) {
            return problem.get();
        }
        String server = "The database server " + source.host() + ":" + source.port();
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return switch (e.getErrorCode()) {
            case 1045 -> server + " rejected the username '" + source.username()
                    + "' or its password. Update the database credentials registered for this account.";
            case 1049 -> "The database '" + source.database() + "' does not exist on " + source.host() + ":"
                    + source.port() + ".";
            case 1044 -> server + " does not allow the user '" + source.username() + "' to read the database '"
                    + source.database() + "'.";
            default -> state.startsWith("08") || e.getMessage() != null && e.getMessage().contains("connect")
                    ? "Cannot reach the database server " + source.host() + ":" + source.port() + " ("
                      + ConnectionProblems.describe(e, 15) + "). Check that it is running and accepts connections from the backup service."
                    : server + " refused the backup: " + ConnectionProblems.firstLine(e.getMessage());
        };
    }

    /** @param contents what the database holds, read in a consistent snapshot of its own (MariaDB cannot share mariadb-dump's) */
    public record Server(String version, DatabaseContents contents) {

        public Inventory inventory() {
            return contents.inventory();
        }
    }
}
