package io.backuprelay.testkit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A database whose every kind of name is one tenants really write: schemas, tables, columns,
 * sequences, views, functions and triggers with spaces, double quotes, dots, upper case, accents,
 * reserved words, leading digits and names of the engine's longest length (63 bytes on PostgreSQL,
 * 64 characters on MariaDB, backticks inside names there), with a partitioned table, an extension
 * (PostgreSQL) and rows of awkward text. {@link #fingerprint} tells whether two such databases hold
 * the same objects and the same rows.
 */
public final class AwkwardNames {

    /** The schema and table of the first report: {@code "Sales Ops"."Orders"}, {@code Sales Ops.Orders} in an inventory. */
    public static final String SALES_OPS_ORDERS = "Sales Ops.Orders";
    /** A table name of exactly 63 bytes (PostgreSQL's longest), with accents. */
    public static final String PG_LONGEST_TABLE = longestPostgres("Tabla de nombre larguísimo, Año ");
    /** A table name of exactly 64 characters (MariaDB's longest), with accents. */
    public static final String MARIADB_LONGEST_TABLE = longestMariadb("Tabla de nombre larguísimo para Año ");

    private AwkwardNames() {
    }

    /** Creates the objects and their rows in {@code db}, which is empty. */
    public static void create(ScratchDatabase db) {
        if (postgres(db)) {
            db.execute(postgresSchema());
        } else {
            db.execute(mariadbSchema());
        }
    }

    private static String[] postgresSchema() {
        String longColumn = longestPostgres("Columna de nombre larguísimo «ñ» ");
        String longFunction = longestPostgres("Función de nombre larguísimo ü ");
        return new String[] {
            "CREATE SCHEMA \"Sales Ops\"",
            "CREATE TABLE \"Sales Ops\".\"Orders\" (id serial PRIMARY KEY, \"Customer Name\" text NOT NULL)",
            "CREATE SCHEMA \"Ventas Año\"",
            "CREATE EXTENSION pg_trgm SCHEMA \"Ventas Año\"",
            "CREATE INDEX \"Búsqueda por nombre\" ON \"Sales Ops\".\"Orders\" USING gin (\"Customer Name\" \"Ventas Año\".gin_trgm_ops)",
            "CREATE TABLE \"Ventas Año\".\"Pedidos.Año\" (\"Número\" serial PRIMARY KEY, \"select\" text, \"order\" int,"
                    + " \"Cliente \"\"VIP\"\"\" text, \"a.b\" numeric(10,2))",
            "CREATE SEQUENCE \"Ventas Año\".\"Número de factura\"",
            "SELECT setval('\"Ventas Año\".\"Número de factura\"', 42)",
            "CREATE VIEW \"Ventas Año\".\"Pedidos grandes v1.2\" AS SELECT * FROM \"Ventas Año\".\"Pedidos.Año\" WHERE \"order\" > 3",
            "CREATE MATERIALIZED VIEW \"Ventas Año\".\"Resumen \"\"mensual\"\"\" AS SELECT \"order\", count(*) AS \"Cuántos\""
                    + " FROM \"Ventas Año\".\"Pedidos.Año\" GROUP BY \"order\"",
            "CREATE FUNCTION \"Ventas Año\".\"Total del año\"(\"desde\" int, \"Moneda\" text) RETURNS bigint LANGUAGE sql"
                    + " AS 'SELECT count(*) FROM \"Ventas Año\".\"Pedidos.Año\" WHERE \"order\" >= $1'",
            "CREATE TYPE \"Ventas Año\".\"Rango de días\" AS RANGE (subtype = date)",
            "CREATE TABLE \"Ventas Año\".\"Eventos Por Mes\" (\"Día\" date NOT NULL, \"Qué\" text, \"Rango\" \"Ventas Año\".\"Rango de días\")"
                    + " PARTITION BY RANGE (\"Día\")",
            "CREATE TABLE \"Ventas Año\".\"Eventos 2024-01\" PARTITION OF \"Ventas Año\".\"Eventos Por Mes\""
                    + " FOR VALUES FROM ('2024-01-01') TO ('2024-02-01')",
            "CREATE TABLE \"Ventas Año\".\"eventos más tarde\" PARTITION OF \"Ventas Año\".\"Eventos Por Mes\""
                    + " FOR VALUES FROM ('2024-02-01') TO (MAXVALUE)",
            "CREATE FUNCTION \"Ventas Año\".\"Qué en mayúsculas\"() RETURNS trigger LANGUAGE plpgsql"
                    + " AS $$ BEGIN NEW.\"Qué\" := upper(NEW.\"Qué\"); RETURN NEW; END $$",
            "CREATE TRIGGER \"Al insertar evento\" BEFORE INSERT ON \"Ventas Año\".\"Eventos Por Mes\""
                    + " FOR EACH ROW EXECUTE FUNCTION \"Ventas Año\".\"Qué en mayúsculas\"()",
            "CREATE SCHEMA \"Zürich \"\"Büro\"\"\"",
            "CREATE TABLE \"Zürich \"\"Büro\"\"\".\"order\" (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \"Straße\" text,"
                    + " \"Kunde \"\"Name\"\"\" text)",
            "CREATE FUNCTION \"Zürich \"\"Büro\"\"\".\"Sello de \"\"hora\"\"\"() RETURNS trigger LANGUAGE plpgsql"
                    + " AS $$ BEGIN NEW.\"Straße\" := coalesce(NEW.\"Straße\", 'ohne'); RETURN NEW; END $$",
            "CREATE TRIGGER \"Antes de insertar \"\"sello\"\"\" BEFORE INSERT ON \"Zürich \"\"Büro\"\"\".\"order\""
                    + " FOR EACH ROW EXECUTE FUNCTION \"Zürich \"\"Büro\"\"\".\"Sello de \"\"hora\"\"\"()",
            "CREATE SCHEMA \"2024 data\"",
            "CREATE TABLE \"2024 data\".\"select\" (\"from\" int PRIMARY KEY, \"2024 value\" text)",
            "CREATE SCHEMA \"select\"",
            "CREATE TABLE \"select\".\"" + PG_LONGEST_TABLE + "\" (\"" + longColumn + "\" int PRIMARY KEY)",
            "CREATE FUNCTION \"select\".\"" + longFunction + "\"() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "CREATE TABLE public.\"UPPER Case\" (\"ID\" int PRIMARY KEY, \"a.b\" text)",
            "CREATE TABLE public.\"a.b\" (x int)",
            "INSERT INTO \"Sales Ops\".\"Orders\" (\"Customer Name\") SELECT 'Cliente ' || g || ' «Zoë»' FROM generate_series(1, 200) g",
            "INSERT INTO \"Ventas Año\".\"Pedidos.Año\" (\"select\", \"order\", \"Cliente \"\"VIP\"\"\", \"a.b\")"
                    + " SELECT 'línea ' || g, g % 7, CASE WHEN g % 5 = 0 THEN NULL ELSE 'O''Brien \"el\" ' || g || E'\\nñ' END,"
                    + " g * 1.25 FROM generate_series(1, 300) g",
            "REFRESH MATERIALIZED VIEW \"Ventas Año\".\"Resumen \"\"mensual\"\"\"",
            "INSERT INTO \"Ventas Año\".\"Eventos Por Mes\" (\"Día\", \"Qué\", \"Rango\") SELECT DATE '2024-01-01' + g,"
                    + " 'evento ' || g, \"Ventas Año\".\"Rango de días\"(DATE '2024-01-01', DATE '2024-01-01' + g)"
                    + " FROM generate_series(0, 59) g",
            "INSERT INTO \"Zürich \"\"Büro\"\"\".\"order\" (\"Straße\", \"Kunde \"\"Name\"\"\") VALUES ('Bahnhofstraße 1', 'Grüezi'),"
                    + " (NULL, 'ß \"quoted\"'), ('東京', NULL)",
            "INSERT INTO \"2024 data\".\"select\" VALUES (1, 'uno'), (2, 'dos, \"tres\"'), (3, NULL)",
            "INSERT INTO \"select\".\"" + PG_LONGEST_TABLE + "\" SELECT g FROM generate_series(1, 10) g",
            "INSERT INTO public.\"UPPER Case\" VALUES (1, 'A.B'), (2, 'a b')",
            "INSERT INTO public.\"a.b\" VALUES (7)",
        };
    }

    private static String[] mariadbSchema() {
        String longColumn = longestMariadb("Columna de nombre larguísimo «ñ» ");
        return new String[] {
            "CREATE TABLE `Ventas Año` (`Id Pedido` INT AUTO_INCREMENT PRIMARY KEY, `select` VARCHAR(50), `order` INT,"
                    + " `Zürich \"Büro\"` VARCHAR(50), `a.b` DECIMAL(10,2)) DEFAULT CHARSET=utf8mb4",
            "CREATE TABLE `a``b.c` (`c``d` INT PRIMARY KEY, `Straße` TEXT) DEFAULT CHARSET=utf8mb4",
            "CREATE TABLE `2024 data` (`from` INT PRIMARY KEY, `select` TEXT) DEFAULT CHARSET=utf8mb4",
            "CREATE TABLE `UPPER Case (paren)` (`ID` INT PRIMARY KEY) DEFAULT CHARSET=utf8mb4",
            "CREATE TABLE `" + MARIADB_LONGEST_TABLE + "` (`" + longColumn + "` INT PRIMARY KEY) DEFAULT CHARSET=utf8mb4",
            "CREATE TABLE `Eventos Por Mes` (`Día` DATE NOT NULL, `Qué` VARCHAR(40)) DEFAULT CHARSET=utf8mb4"
                    + " PARTITION BY RANGE (YEAR(`Día`)) (PARTITION `p 2023` VALUES LESS THAN (2024),"
                    + " PARTITION `p más tarde` VALUES LESS THAN MAXVALUE)",
            "CREATE VIEW `Pedidos grandes v1.2` AS SELECT * FROM `Ventas Año` WHERE `order` > 3",
            "CREATE SEQUENCE `Número de factura`",
            "SELECT SETVAL(`Número de factura`, 42)",
            "CREATE FUNCTION `Total del año`(`desde` INT) RETURNS INT READS SQL DATA"
                    + " RETURN (SELECT COUNT(*) FROM `Ventas Año` WHERE `order` >= `desde`)",
            "CREATE PROCEDURE `Cuenta ``Pedidos```() SELECT COUNT(*) FROM `Ventas Año`",
            "CREATE TRIGGER `Antes de insertar \"sello\"` BEFORE INSERT ON `Ventas Año` FOR EACH ROW"
                    + " SET NEW.`order` = COALESCE(NEW.`order`, 0)",
            "CREATE TRIGGER `t``x.y` BEFORE INSERT ON `a``b.c` FOR EACH ROW SET NEW.`Straße` = COALESCE(NEW.`Straße`, 'ohne')",
            "CREATE EVENT `Limpieza Diaria` ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM `2024 data` WHERE 1 = 0",
            "INSERT INTO `Ventas Año` (`select`, `order`, `Zürich \"Büro\"`, `a.b`) SELECT CONCAT('línea ', seq), seq % 7,"
                    + " IF(seq % 5 = 0, NULL, CONCAT('O''Brien \"el\" (', seq, ');\\nñ')), seq * 1.25 FROM seq_1_to_300",
            "INSERT INTO `a``b.c` VALUES (1, 'Bahnhofstraße'), (2, NULL), (3, '東京 `x`')",
            "INSERT INTO `2024 data` VALUES (1, 'uno'), (2, 'dos, \"tres\"'), (3, NULL)",
            "INSERT INTO `UPPER Case (paren)` VALUES (1), (2)",
            "INSERT INTO `" + MARIADB_LONGEST_TABLE + "` SELECT seq FROM seq_1_to_10",
            "INSERT INTO `Eventos Por Mes` SELECT DATE '2023-12-01' + INTERVAL seq DAY, CONCAT('evento ', seq) FROM seq_0_to_59",
        };
    }

    /**
     * What {@code db} holds, as text that two databases share only when they hold the same objects
     * (with their definitions) and, for every table, the same rows: their count and a SHA-256 over
     * every value of every row in key order.
     */
    public static Map<String, String> fingerprint(ScratchDatabase db) {
        try (Connection connection = db.connect(); Statement statement = connection.createStatement()) {
            Map<String, String> out = new TreeMap<>();
            boolean postgres = postgres(db);
            for (String[] described : postgres ? postgresObjects(statement) : mariadbObjects(statement)) {
                out.merge(described[0], described[1].replace(db.name(), "<database>"), (a, b) -> a + "\n" + b);
            }
            List<String[]> tables = rows(statement, postgres
                    ? "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c"
                      + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p')"
                      + " AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'"
                    : "SELECT CONCAT('`', REPLACE(table_name, '`', '``'), '`') FROM information_schema.tables"
                      + " WHERE table_schema = DATABASE() AND table_type IN ('BASE TABLE', 'SEQUENCE')");
            for (String[] table : tables) {
                out.put("rows of " + table[0], rowsHash(statement, table[0]));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read " + db.name() + ": " + e.getMessage(), e);
        }
    }

    private static List<String[]> postgresObjects(Statement s) throws SQLException {
        String user = " NOT IN ('pg_catalog', 'information_schema') AND %s NOT LIKE 'pg\\_%%'";
        List<String[]> out = new ArrayList<>();
        out.addAll(rows(s, "SELECT 'schemas', string_agg(nspname, ' | ' ORDER BY nspname) FROM pg_namespace WHERE nspname"
                + user.formatted("nspname")));
        out.addAll(rows(s, "SELECT 'columns of ' || table_schema || '.' || table_name, string_agg(column_name || ' '"
                + " || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') || ' ' || is_identity, ', '"
                + " ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema"
                + user.formatted("table_schema") + " GROUP BY table_schema, table_name"));
        out.addAll(rows(s, "SELECT 'view ' || schemaname || '.' || viewname, definition FROM pg_views WHERE schemaname"
                + user.formatted("schemaname")));
        out.addAll(rows(s, "SELECT 'view ' || schemaname || '.' || matviewname, definition FROM pg_matviews"));
        out.addAll(rows(s, "SELECT 'sequence ' || schemaname || '.' || sequencename, coalesce(last_value::text, 'unused')"
                + " FROM pg_sequences"));
        out.addAll(rows(s, "SELECT 'routine ' || p.oid::regprocedure::text, md5(p.prosrc) FROM pg_proc p"
                + " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname" + user.formatted("n.nspname")));
        out.addAll(rows(s, "SELECT 'trigger ' || tgname || ' on ' || tgrelid::regclass::text, pg_get_triggerdef(oid)"
                + " FROM pg_trigger WHERE NOT tgisinternal"));
        out.addAll(rows(s, "SELECT 'index ' || schemaname || '.' || indexname, indexdef FROM pg_indexes WHERE schemaname"
                + user.formatted("schemaname")));
        out.addAll(rows(s, "SELECT 'extension ' || extname, extversion || ' in ' || extnamespace::regnamespace::text"
                + " FROM pg_extension"));
        out.addAll(rows(s, "SELECT 'partition ' || inhrelid::regclass::text, inhparent::regclass::text || ' '"
                + " || pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits JOIN pg_class c ON c.oid = inhrelid"));
        return out;
    }

    private static List<String[]> mariadbObjects(Statement s) throws SQLException {
        String here = " WHERE %s = DATABASE()";
        List<String[]> out = new ArrayList<>();
        out.addAll(rows(s, "SELECT CONCAT('columns of ', table_name), GROUP_CONCAT(CONCAT_WS(' ', column_name, column_type,"
                + " is_nullable, IFNULL(column_default, '-'), extra) ORDER BY ordinal_position SEPARATOR ', ')"
                + " FROM information_schema.columns" + here.formatted("table_schema") + " GROUP BY table_name"));
        out.addAll(rows(s, "SELECT CONCAT('view ', table_name), view_definition FROM information_schema.views"
                + here.formatted("table_schema")));
        out.addAll(rows(s, "SELECT CONCAT(LOWER(routine_type), ' ', routine_name), routine_definition"
                + " FROM information_schema.routines" + here.formatted("routine_schema")));
        out.addAll(rows(s, "SELECT CONCAT('trigger ', trigger_name, ' on ', event_object_table), CONCAT_WS(' ',"
                + " action_timing, event_manipulation, action_statement) FROM information_schema.triggers"
                + here.formatted("trigger_schema")));
        out.addAll(rows(s, "SELECT CONCAT('event ', event_name), CONCAT_WS(' ', event_definition, interval_value,"
                + " interval_field, status) FROM information_schema.events" + here.formatted("event_schema")));
        out.addAll(rows(s, "SELECT CONCAT('partition ', table_name, '.', partition_name), CONCAT_WS(' ',"
                + " partition_method, partition_expression, partition_description) FROM information_schema.partitions"
                + here.formatted("table_schema") + " AND partition_name IS NOT NULL"));
        out.addAll(rows(s, "SELECT CONCAT('index ', table_name, '.', index_name), GROUP_CONCAT(column_name"
                + " ORDER BY seq_in_index) FROM information_schema.statistics" + here.formatted("table_schema")
                + " GROUP BY table_name, index_name"));
        return out;
    }

    /** Every value of every row, in the order of all columns (the key first where it is the first column). */
    private static String rowsHash(Statement statement, String table) throws SQLException {
        MessageDigest sha256 = sha256();
        long count = 0;
        int columns;
        try (ResultSet probe = statement.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0")) {
            columns = probe.getMetaData().getColumnCount();
        }
        StringBuilder order = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
            order.append(i == 1 ? "" : ", ").append(i);
        }
        try (ResultSet rows = statement.executeQuery("SELECT * FROM " + table + " ORDER BY " + order)) {
            while (rows.next()) {
                count++;
                for (int i = 1; i <= columns; i++) {
                    String value = rows.getString(i);
                    sha256.update((value == null ? "\u0000null" : value.length() + ":" + value).getBytes(StandardCharsets.UTF_8));
                }
                sha256.update((byte) '\n');
            }
        }
        return count + " rows, sha256 " + HexFormat.of().formatHex(sha256.digest());
    }

    private static List<String[]> rows(Statement statement, String sql) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery(sql)) {
            int columns = rows.getMetaData().getColumnCount();
            while (rows.next()) {
                String[] row = new String[columns];
                for (int i = 0; i < columns; i++) {
                    row[i] = String.valueOf(rows.getString(i + 1));
                }
                out.add(row);
            }
        }
        return out;
    }

    /** {@code prefix} padded with {@code x} to PostgreSQL's longest name: 63 bytes of UTF-8. */
    private static String longestPostgres(String prefix) {
        return prefix + "x".repeat(63 - prefix.getBytes(StandardCharsets.UTF_8).length);
    }

    /** {@code prefix} padded with {@code x} to MariaDB's longest name: 64 characters. */
    private static String longestMariadb(String prefix) {
        return prefix + "x".repeat(64 - prefix.length());
    }

    private static boolean postgres(ScratchDatabase db) {
        return db.jdbcUrl().startsWith("jdbc:postgresql:");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
