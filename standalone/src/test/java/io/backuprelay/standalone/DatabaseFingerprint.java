package io.backuprelay.standalone;

import io.backuprelay.testkit.ScratchDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a person would compare between a database and its restored copy: each table's row count and
 * a checksum of its content, the views, the indexes and where each sequence stands.
 */
record DatabaseFingerprint(Map<String, String> tables, List<String> views, List<String> indexes,
                           Map<String, Long> sequences) {

    static DatabaseFingerprint of(ScratchDatabase db) throws SQLException {
        try (Connection connection = db.connect(); Statement statement = connection.createStatement()) {
            List<String> tableNames = strings(statement, "SELECT table_name FROM information_schema.tables"
                    + " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1");
            Map<String, String> tables = new TreeMap<>();
            for (String table : tableNames) {
                try (ResultSet rs = statement.executeQuery("SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
                        + " FROM \"" + table + "\" t")) {
                    rs.next();
                    tables.put(table, rs.getLong(1) + " rows, md5 " + rs.getString(2));
                }
            }
            List<String> views = strings(statement, "SELECT table_name || ': ' || view_definition FROM information_schema.views"
                    + " WHERE table_schema = 'public' ORDER BY 1");
            List<String> indexes = strings(statement, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1");
            Map<String, Long> sequences = new TreeMap<>();
            for (String sequence : strings(statement, "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")) {
                try (ResultSet rs = statement.executeQuery("SELECT last_value FROM \"" + sequence + "\"")) {
                    rs.next();
                    sequences.put(sequence, rs.getLong(1));
                }
            }
            return new DatabaseFingerprint(tables, views, indexes, sequences);
        }
    }

    private static List<String> strings(Statement statement, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
