package io.backuprelay.dump.postgres;

import io.backuprelay.database.DatabaseObject;
import io.backuprelay.database.DatabaseObject.Identity;
import io.backuprelay.dump.runner.Completeness;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the backup user may not read, asked of the server by OID on the dump's own connection:
 * USAGE on the object's schema and SELECT on the table, view or sequence (a trigger's table).
 */
final class PgReadPrivileges implements Completeness.ReadPrivileges {

    private static final String UNREADABLE = """
            SELECT o.catalog, o.oid FROM unnest(CAST(? AS oid[]), CAST(? AS oid[])) AS o(catalog, oid)
            WHERE NOT coalesce(CASE o.catalog
                WHEN 'pg_namespace'::regclass THEN has_schema_privilege(o.oid, 'USAGE')
                WHEN 'pg_class'::regclass THEN (SELECT has_schema_privilege(c.relnamespace, 'USAGE')
                    AND has_table_privilege(c.oid, 'SELECT') FROM pg_class c WHERE c.oid = o.oid)
                WHEN 'pg_proc'::regclass THEN (SELECT has_schema_privilege(p.pronamespace, 'USAGE')
                    FROM pg_proc p WHERE p.oid = o.oid)
                WHEN 'pg_trigger'::regclass THEN (SELECT has_schema_privilege(c.relnamespace, 'USAGE')
                    AND has_table_privilege(c.oid, 'SELECT') FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                    WHERE t.oid = o.oid)
            END, true)""";

    private final Connection connection;

    /** @param connection the backup user's, in the dump's snapshot */
    PgReadPrivileges(Connection connection) {
        this.connection = connection;
    }

    @Override
    public List<DatabaseObject> unreadable(List<DatabaseObject> objects) throws SQLException {
        Set<Identity> unreadable = new HashSet<>();
        try (PreparedStatement statement = connection.prepareStatement(UNREADABLE)) {
            statement.setArray(1, connection.createArrayOf("int8",
                    objects.stream().map(o -> Long.valueOf(o.identity().space())).toArray()));
            statement.setArray(2, connection.createArrayOf("int8",
                    objects.stream().map(o -> Long.valueOf(o.identity().key())).toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    unreadable.add(Identity.oid(rows.getLong(1), rows.getLong(2)));
                }
            }
        }
        return objects.stream().filter(o -> unreadable.contains(o.identity())).toList();
    }

    @Override
    public String grants() {
        return "USAGE on their schema and SELECT on the tables and sequences, or the owner's grants";
    }
}
