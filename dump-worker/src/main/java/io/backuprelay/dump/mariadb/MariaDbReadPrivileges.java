package io.backuprelay.dump.mariadb;

import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.database.DatabaseObject;
import io.backuprelay.dump.runner.Completeness;
import io.backuprelay.dump.runner.DumpFailedException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What the backup user may not read, found by asking the server for each object what mariadb-dump
 * asks (its rows, its definition) on a connection of the backup user: the answer is the server's
 * own, whether the privilege comes from a global, database, table or role grant.
 */
final class MariaDbReadPrivileges implements Completeness.ReadPrivileges {

    /** Access denied: to a table, a column, the database, a privilege such as SUPER, a routine. */
    private static final Set<Integer> DENIED = Set.of(1142, 1143, 1044, 1227, 1370);
    /** No such table, routine, trigger or event: dropped since it was listed, which no grant explains. */
    private static final Set<Integer> GONE = Set.of(1146, 1305, 1360, 1539);

    private final MariaDbProbe probe;
    private final SourceDatabase source;
    private final String password;

    MariaDbReadPrivileges(MariaDbProbe probe, SourceDatabase source, String password) {
        this.probe = probe;
        this.source = source;
        this.password = password;
    }

    @Override
    public List<DatabaseObject> unreadable(List<DatabaseObject> objects) throws SQLException {
        List<DatabaseObject> unreadable = new ArrayList<>();
        try (Connection connection = probe.connect(source, password);
             Statement statement = connection.createStatement()) {
            for (DatabaseObject object : objects) {
                if (!readable(statement, object)) {
                    unreadable.add(object);
                }
            }
        } catch (DumpFailedException e) {
            throw new SQLException(e.getMessage(), e);
        }
        return unreadable;
    }

    private static boolean readable(Statement statement, DatabaseObject object) throws SQLException {
        String name = "`" + object.identity().key().replace("`", "``") + "`";
        String sql = switch (object.identity().space()) {
            case "table", "sequence" -> "SELECT 1 FROM " + name + " LIMIT 0";
            case "view" -> "SHOW CREATE VIEW " + name;
            case "function" -> "SHOW CREATE FUNCTION " + name;
            case "procedure" -> "SHOW CREATE PROCEDURE " + name;
            case "trigger" -> "SHOW CREATE TRIGGER " + name;
            case "event" -> "SHOW CREATE EVENT " + name;
            default -> null;
        };
        if (sql == null) {
            return true;
        }
        try (ResultSet rows = statement.executeQuery(sql)) {
            boolean routine = object.kind() == DatabaseObject.Kind.ROUTINE;
            // a routine's definition reads as NULL to a user who may not see its body
            return !routine || rows.next() && rows.getString(3) != null;
        } catch (SQLException e) {
            if (DENIED.contains(e.getErrorCode()) || GONE.contains(e.getErrorCode())) {
                return GONE.contains(e.getErrorCode());
            }
            throw e;
        }
    }

    @Override
    public String grants() {
        return "SELECT on the tables and sequences, SHOW VIEW on the views, TRIGGER on the tables of the triggers,"
                + " EVENT for the events";
    }
}
