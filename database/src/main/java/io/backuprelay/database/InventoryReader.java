package io.backuprelay.database;

import io.backuprelay.format.inventory.Inventory;
import io.backuprelay.database.DatabaseObject.Identity;
import io.backuprelay.database.DatabaseObject.Kind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what a database holds over JDBC, in whatever transaction the connection is in (the dump
 * worker runs it in the snapshot pg_dump uses). What pg_dump does not dump on its own is left out:
 * objects that belong to an extension, functions a type made for itself (a range type's
 * constructors), a partitioned table's trigger as cloned onto each partition, PostgreSQL's
 * {@code public} schema and the {@code plpgsql} extension, which every database has.
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
        return postgresContents(connection, schema, countRows).inventory();
    }

    /** As {@link #postgres}, with each object's catalog and object OIDs, as pg_restore --list shows them. */
    public static DatabaseContents postgresContents(Connection connection, String schema, boolean countRows)
            throws SQLException {
        String inSchema = schema == null ? "" : " AND n.nspname = ?";
        ContentsBuilder contents = new ContentsBuilder();
        query(connection, "SELECT n.nspname, quote_ident(n.nspname), 'pg_namespace'::regclass::oid, n.oid"
                + " FROM pg_namespace n WHERE" + USER_SCHEMAS + " AND n.nspname <> 'public'"
                + notDependent("pg_namespace", "n.oid", "'e'") + inSchema, schema,
                row -> contents.add(Kind.SCHEMA, row.getString(1), row.getString(2), oids(row, 3)));
        List<String[]> toCount = new ArrayList<>();
        query(connection, "SELECT n.nspname || '.' || c.relname, quote_ident(n.nspname) || '.' || quote_ident(c.relname),"
                + " 'pg_class'::regclass::oid, c.oid, c.relkind,"
                + " has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT')"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND" + USER_SCHEMAS
                + notDependent("pg_class", "c.oid", "'e'") + inSchema, schema, row -> {
                    Kind kind = switch (row.getString(5)) {
                        case "r", "p" -> Kind.TABLE;
                        case "v", "m" -> Kind.VIEW;
                        default -> Kind.SEQUENCE;
                    };
                    contents.add(kind, row.getString(1), row.getString(2), oids(row, 3));
                    // a partitioned table's rows are counted in its partitions; a table the user may not read is
                    // not counted, since the failed count(*) would end the snapshot pg_dump is to import
                    if (row.getString(5).equals("r") && row.getBoolean(6)) {
                        toCount.add(new String[] {row.getString(1), row.getString(2)});
                    }
                });
        query(connection, "SELECT n.nspname || '.' || p.proname, quote_ident(n.nspname) || '.' || quote_ident(p.proname)"
                + " || '(' || pg_get_function_identity_arguments(p.oid) || ')', 'pg_proc'::regclass::oid, p.oid"
                + " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE" + USER_SCHEMAS
                + notDependent("pg_proc", "p.oid", "'e', 'i'") + inSchema, schema,
                row -> contents.add(Kind.ROUTINE, row.getString(1), row.getString(2), oids(row, 3)));
        // from PostgreSQL 13 a partition's clone of its parent's trigger is no longer internal; pg_dump skips it
        String notCloned = connection.getMetaData().getDatabaseMajorVersion() >= 13 ? " AND t.tgparentid = 0" : "";
        query(connection, "SELECT n.nspname || '.' || c.relname || '.' || t.tgname, quote_ident(t.tgname) || ' on '"
                + " || quote_ident(n.nspname) || '.' || quote_ident(c.relname), 'pg_trigger'::regclass::oid, t.oid"
                + " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE NOT t.tgisinternal" + notCloned + " AND" + USER_SCHEMAS
                + notDependent("pg_class", "c.oid", "'e'") + inSchema, schema,
                row -> contents.add(Kind.TRIGGER, row.getString(1), row.getString(2), oids(row, 3)));
        if (schema == null) {
            query(connection, "SELECT extname, quote_ident(extname), 'pg_extension'::regclass::oid, oid FROM pg_extension"
                    + " WHERE extname <> 'plpgsql'", null,
                    row -> contents.add(Kind.EXTENSION, row.getString(1), row.getString(2), oids(row, 3)));
        }
        if (countRows) {
            for (String[] table : toCount) {
                contents.rows(table[0], count(connection, table[1]));
            }
        }
        return contents.build();
    }

    /** The connection's current database. */
    public static Inventory mariadb(Connection connection, boolean countRows) throws SQLException {
        return mariadbContents(connection, countRows).inventory();
    }

    /** As {@link #mariadb}, with each object's statement kind and exact name, as mariadb-dump writes them. */
    public static DatabaseContents mariadbContents(Connection connection, boolean countRows) throws SQLException {
        ContentsBuilder contents = new ContentsBuilder();
        List<String> toCount = new ArrayList<>();
        query(connection, "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = DATABASE()",
                null, row -> {
                    String name = row.getString(1);
                    switch (row.getString(2)) {
                        case "VIEW", "SYSTEM VIEW" -> contents.add(Kind.VIEW, name, quoted(name, '`'), Identity.named("view", name));
                        case "SEQUENCE" -> contents.add(Kind.SEQUENCE, name, quoted(name, '`'), Identity.named("sequence", name));
                        default -> {
                            contents.add(Kind.TABLE, name, quoted(name, '`'), Identity.named("table", name));
                            toCount.add(name);
                        }
                    }
                });
        query(connection, "SELECT routine_name, routine_type FROM information_schema.routines"
                + " WHERE routine_schema = DATABASE()", null, row -> contents.add(Kind.ROUTINE, row.getString(1),
                quoted(row.getString(1), '`'), Identity.named(row.getString(2), row.getString(1))));
        query(connection, "SELECT event_object_table, trigger_name FROM information_schema.triggers"
                + " WHERE trigger_schema = DATABASE()", null, row -> contents.add(Kind.TRIGGER,
                row.getString(1) + "." + row.getString(2), quoted(row.getString(2), '`') + " on " + quoted(row.getString(1), '`'),
                Identity.named("trigger", row.getString(2))));
        query(connection, "SELECT event_name FROM information_schema.events WHERE event_schema = DATABASE()", null,
                row -> contents.add(Kind.EVENT, row.getString(1), quoted(row.getString(1), '`'),
                        Identity.named("event", row.getString(1))));
        if (countRows) {
            for (String table : toCount) {
                contents.rows(table, count(connection, quoted(table, '`')));
            }
        }
        return contents.build();
    }

    private static Identity oids(ResultSet row, int catalogColumn) throws SQLException {
        return Identity.oid(row.getLong(catalogColumn), row.getLong(catalogColumn + 1));
    }

    private static long count(Connection connection, String quotedTable) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet count = statement.executeQuery("SELECT count(*) FROM " + quotedTable)) {
            count.next();
            return count.getLong(1);
        }
    }

    /** Leaves out objects with a dependency of these types: 'e' on an extension, 'i' internal to another object. */
    private static String notDependent(String catalog, String oid, String types) {
        return " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '" + catalog + "'::regclass"
                + " AND d.objid = " + oid + " AND d.deptype IN (" + types + "))";
    }

    private interface RowHandler {
        void accept(ResultSet row) throws SQLException;
    }

    private static void query(Connection connection, String sql, String parameter, RowHandler handler)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            if (parameter != null) {
                statement.setString(1, parameter);
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    handler.accept(rows);
                }
            }
        }
    }

    /** An identifier quoted for SQL: {@code "a""b"} (PostgreSQL) or {@code `a``b`} (MariaDB). */
    static String quoted(String identifier, char quote) {
        String q = String.valueOf(quote);
        return q + identifier.replace(q, q + q) + q;
    }
}
