package io.backuprelay.dump.mariadb;

import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.dump.ConnectionProblems;
import io.backuprelay.dump.DumpFailedException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** Connects once before a dump: the server's version, the table count, and connection problems in plain words. */
public final class MariaDbProbe {

    private MariaDbProbe() {
    }

    public static Server check(SourceDatabase source, String password) throws DumpFailedException {
        Properties props = new Properties();
        props.setProperty("user", source.username());
        props.setProperty("password", password == null ? "" : password);
        props.setProperty("connectTimeout", "15000");
        props.setProperty("socketTimeout", "60000");
        String url = "jdbc:mariadb://" + source.host() + ":" + source.port() + "/" + source.database();
        try (Connection connection = DriverManager.getConnection(url, props);
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT VERSION(), (SELECT COUNT(*) FROM information_schema.tables"
                     + " WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE')")) {
            rs.next();
            return new Server(rs.getString(1), rs.getLong(2));
        } catch (SQLException e) {
            throw new DumpFailedException(reason(source, e));
        }
    }

    static String reason(SourceDatabase source, SQLException e) {
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

    /** @param tableCount tables of the database */
    public record Server(String version, long tableCount) {
    }
}
