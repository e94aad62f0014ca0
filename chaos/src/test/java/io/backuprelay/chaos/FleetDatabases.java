package io.backuprelay.chaos;

import io.backuprelay.format.archive.Engine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The fleet benchmark's tenant databases: {@code br_fleet_0 … br_fleet_N-1}, PostgreSQL and MariaDB in
 * turn, each of its own size between the smallest and largest asked for (an orders table of about 8,000
 * rows a MB), and {@code br_fleet_tiny} (1,000 rows) for the fixed cost. Made once and kept: a database
 * whose recorded size differs is made again.
 */
final class FleetDatabases {

    static final String TINY = "br_fleet_tiny";
    private static final int ROWS_PER_MB = 8_000;

    /** One tenant database, reached on 127.0.0.1 at {@code port}: its server's, or a proxy's in front of it. */
    record Database(String name, Engine engine, int megabytes, int port) {

        Database(String name, Engine engine, int megabytes) {
            this(name, engine, megabytes, engine == Engine.MARIADB ? 3306 : 5432);
        }

        String user() {
            return engine == Engine.MARIADB ? "root" : "postgres";
        }

        /** The same database reached through another port (a proxy that limits the link). */
        Database via(int otherPort) {
            return new Database(name, engine, megabytes, otherPort);
        }
    }

    private FleetDatabases() {
    }

    /** The N databases, made where missing or of another size. */
    static List<Database> ensure(int count, int minMegabytes, int maxMegabytes) throws Exception {
        List<Database> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Engine engine = i % 2 == 0 ? Engine.POSTGRESQL : Engine.MARIADB;
            // Spread over the range without a random source, so that a second run finds the same sizes.
            int size = minMegabytes + (int) ((i * 7919L) % (maxMegabytes - minMegabytes + 1));
            Database database = new Database("br_fleet_" + i, engine, size);
            if (recordedSize(database) != size) {
                create(database, size * ROWS_PER_MB);
            }
            all.add(database);
        }
        return all;
    }

    /** The 1,000-row database of the fixed cost. */
    static Database tiny() throws Exception {
        Database database = new Database(TINY, Engine.POSTGRESQL, 0);
        if (recordedSize(database) != 0) {
            create(database, 1_000);
        }
        return database;
    }

    private static int recordedSize(Database database) throws Exception {
        String query = "SELECT megabytes FROM fleet_info";
        String out = database.engine() == Engine.MARIADB
                ? run(List.of("mariadb", "--default-character-set=utf8mb4", "-h", "127.0.0.1", "-u", "root", "-N", "-B",
                        "-e", query, database.name()), true)
                : run(List.of("psql", "-h", "127.0.0.1", "-U", "postgres", "-At", "-d", database.name(), "-c", query), true);
        try {
            return Integer.parseInt(out.strip());
        } catch (NumberFormatException missing) {
            return -1;
        }
    }

    private static void create(Database database, int rows) throws Exception {
        System.out.printf("fleet: making %s (%s, %,d rows)%n", database.name(), database.engine().label(), rows);
        String name = database.name();
        if (database.engine() == Engine.MARIADB) {
            mariadb("DROP DATABASE IF EXISTS " + name + "; CREATE DATABASE " + name + " CHARACTER SET utf8mb4; USE " + name
                    + "; CREATE TABLE orders (id BIGINT PRIMARY KEY, customer VARCHAR(64), note VARCHAR(200),"
                    + " amount DECIMAL(12,2), created DATETIME) ENGINE=InnoDB;"
                    + " INSERT INTO orders SELECT seq, CONCAT('Cliente Ñandú ', seq % 997), CONCAT(MD5(seq), MD5(seq * 7)),"
                    + " (seq % 10000) / 100, NOW() - INTERVAL seq MINUTE FROM seq_1_to_" + rows + ";"
                    + " CREATE TABLE fleet_info (megabytes INT); INSERT INTO fleet_info VALUES (" + database.megabytes() + ");");
        } else {
            run(List.of("psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-v", "ON_ERROR_STOP=1", "-d", "postgres",
                    "-c", "DROP DATABASE IF EXISTS " + name, "-c", "CREATE DATABASE " + name), false);
            run(List.of("psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-v", "ON_ERROR_STOP=1", "-d", name, "-c",
                    "CREATE TABLE orders (id bigint PRIMARY KEY, customer text, note text, amount numeric(12,2),"
                            + " created timestamptz);"
                            + " INSERT INTO orders SELECT g, 'Cliente Ñandú ' || (g % 997), md5(g::text) || md5((g * 7)::text),"
                            + " (g % 10000) / 100.0, now() - g * interval '1 minute' FROM generate_series(1, " + rows + ") g",
                    "-c", "VACUUM ANALYZE orders",
                    "-c", "CREATE TABLE fleet_info (megabytes int); INSERT INTO fleet_info VALUES (" + database.megabytes() + ")"),
                    false);
        }
    }

    private static void mariadb(String script) throws Exception {
        run(List.of("mariadb", "--default-character-set=utf8mb4", "-h", "127.0.0.1", "-u", "root", "-e", script), false);
    }

    private static String run(List<String> command, boolean mayFail) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0 && !mayFail) {
            throw new IllegalStateException(command.getFirst() + " failed: " + out);
        }
        return out;
    }
}
