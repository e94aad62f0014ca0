package io.backuprelay.database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a database's {@link Inventory} over JDBC, in whatever transaction the connection is in
 * (the dump worker runs it in the snapshot pg_dump uses). Objects that belong to an extension are
 * left out, as pg_dump leaves them out; so are PostgreSQL's {@code public} schema and the
 * {@code plpgsql} extension, which every database has.
 */
public final class InventoryReader {

    private static final String USER_SCHEMAS = " n.nspname NOT IN ('pg_catalog', 'information_schema')"
            + " AND n.nspname NOT LIKE 'pg\\_%'";

    private InventoryReader() {
    }

    /**
     * @param schema    only this schema (as {@code pg_dump --schema}), or {@code null} for the whole database
     * @param countRows exact row counts ({@code count(*)} per table), or {@link Inventory#NOT_COUNTED}
     */
    public static Inventory postgres(Connection connection, String schema, boolean countRows) throws SQLException {
        String inSchema = schema == null ? "" : " AND n.nspname = ?";
        List<String> schemas = names(connection, "SELECT n.nspname FROM pg_namespace n WHERE" + USER_SCHEMAS
                + " AND n.nspname <> 'public'" + notInExtension("pg_namespace", "n.oid") + inSchema, schema);
        Map<String, Long> tables = new LinkedHashMap<>();
        List<String> views = new ArrayList<>();
        List<String> sequences = new ArrayList<>();
        List<String[]> toCount = new ArrayList<>();
        try (PreparedStatement statement = prepare(connection, "SELECT n.nspname, c.relname, c.relkind FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND"
                + USER_SCHEMAS + notInExtension("pg_class", "c.oid") + inSchema, schema);
             ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                String name = rows.getString(1) + "." + rows.getString(2);
                switch (rows.getString(3)) {
                    case "r" -> {
                        tables.put(name, Inventory.NOT_COUNTED);
                        toCount.add(new String[] {rows.getString(1), rows.getString(2)});
                    }
                    case "p" -> tables.put(name, Inventory.NOT_COUNTED);
                    case "v", "m" -> views.add(name);
                    default -> sequences.add(name);
                }
            }
        }
        if (countRows) {
            try (Statement statement = connection.createStatement()) {
                for (String[] table : toCount) {
                    try (ResultSet count = statement.executeQuery("SELECT count(*) FROM " + quoted(table[0], '"') + "."
                            + quoted(table[1], '"'))) {
                        count.next();
                        tables.put(table[0] + "." + table[1], count.getLong(1));
                    }
                }
            }
        }
        List<String> routines = names(connection, "SELECT n.nspname || '.' || p.proname FROM pg_proc p"
                + " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE" + USER_SCHEMAS
                + notInExtension("pg_proc", "p.oid") + inSchema, schema);
        List<String> triggers = names(connection, "SELECT n.nspname || '.' || c.relname || '.' || t.tgname FROM pg_trigger t"
                + " JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE NOT t.tgisinternal AND" + USER_SCHEMAS + notInExtension("pg_class", "c.oid") + inSchema, schema);
        List<String> extensions = schema != null ? List.of()
                : names(connection, "SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'", null);
        return new Inventory(schemas, tables, views, sequences, routines, triggers, List.of(), extensions);
    }

    /** The connection's current database. */
    public static Inventory mariadb(Connection connection, boolean countRows) throws SQLException {
        Map<String, Long> tables = new LinkedHashMap<>();
        List<String> views = new ArrayList<>();
        List<String> sequences = new ArrayList<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT table_name, table_type FROM information_schema.tables"
                     + " WHERE table_schema = DATABASE()")) {
            while (rows.next()) {
                switch (rows.getString(2)) {
                    case "VIEW", "SYSTEM VIEW" -> views.add(rows.getString(1));
                    case "SEQUENCE" -> sequences.add(rows.getString(1));
                    default -> tables.put(rows.getString(1), Inventory.NOT_COUNTED);
                }
            }
        }
        if (countRows) {
            try (Statement statement = connection.createStatement()) {
                for (String table : List.copyOf(tables.keySet())) {
                    try (ResultSet count = statement.executeQuery("SELECT COUNT(*) FROM " + quoted(table, '`'))) {
                        count.next();
                        tables.put(table, count.getLong(1));
                    }
                }
            }
        }
        List<String> routines = names(connection, "SELECT routine_name FROM information_schema.routines"
                + " WHERE routine_schema = DATABASE()", null);
        List<String> triggers = names(connection, "SELECT CONCAT(event_object_table, '.', trigger_name)"
                + " FROM information_schema.triggers WHERE trigger_schema = DATABASE()", null);
        List<String> events = names(connection, "SELECT event_name FROM information_schema.events"
                + " WHERE event_schema = DATABASE()", null);
        return new Inventory(List.of(), tables, views, sequences, routines, triggers, events, List.of());
    }

    private static String notInExtension(String catalog, String oid) {
        return " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '" + catalog + "'::regclass"
                + " AND d.objid = " + oid + " AND d.deptype = 'e')";
    }

    private static PreparedStatement prepare(Connection connection, String sql, String parameter) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        if (parameter != null) {
            statement.setString(1, parameter);
        }
        return statement;
    }

    private static List<String> names(Connection connection, String sql, String parameter) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement statement = prepare(connection, sql, parameter); ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                names.add(rows.getString(1));
            }
        }
        return names;
    }

    /** An identifier quoted for SQL: {@code "a""b"} (PostgreSQL) or {@code `a``b`} (MariaDB). */
    static String quoted(String identifier, char quote) {
        String q = String.valueOf(quote);
        return q + identifier.replace(q, q + q) + q;
    }
}
