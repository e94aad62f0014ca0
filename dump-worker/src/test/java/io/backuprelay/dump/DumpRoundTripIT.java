package io.backuprelay.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.dump.archive.ArchiveSink;
import io.backuprelay.dump.runner.DumpFailedException;
import io.backuprelay.dump.runner.DumpJob;
import io.backuprelay.dump.runner.DumpRunner;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.dump.mariadb.MariaDbDumpRunner;
import io.backuprelay.dump.postgres.PgDumpRunner;
import io.backuprelay.database.PgTools;
import io.backuprelay.testkit.ScratchDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dump → archive → the standard command-line tools ({@code age -d}, {@code zstd -d} or {@code gunzip},
 * {@code pg_restore} or {@code mariadb}) → a fresh database with the same tables, row counts and
 * content checksums, for each engine, plain and encrypted.
 */
class DumpRoundTripIT {

    @TempDir
    Path staging;
    @TempDir
    Path work;

    @Test
    void postgresPlainZstd() throws Exception {
        postgresRoundTrip(Compression.ZSTD, false);
    }

    @Test
    void postgresEncryptedToAnAgeRecipient() throws Exception {
        postgresRoundTrip(Compression.ZSTD, true);
    }

    @Test
    void postgresGzip() throws Exception {
        postgresRoundTrip(Compression.GZIP, false);
    }

    @Test
    void mariadbPlainZstd() throws Exception {
        mariadbRoundTrip(false);
    }

    @Test
    void mariadbEncryptedToAnAgeRecipient() throws Exception {
        mariadbRoundTrip(true);
    }

    @Test
    void aMariadbUserWhoCannotReadRoutinesFailsTheBackupNamingTheGrant() throws Exception {
        try (ScratchDatabase db = ScratchDatabase.mariadb()) {
            String user = "br_" + UUID.randomUUID().toString().substring(0, 8);
            String password = "Maria-Pass-" + UUID.randomUUID();
            db.admin("CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + password + "'");
            // The usual grants of a backup user: with them MariaDB hides the routines, and mariadb-dump omits them.
            db.admin("GRANT SELECT, SHOW VIEW, TRIGGER, LOCK TABLES, EVENT ON " + db.name() + ".* TO '" + user + "'@'%'");
            try {
                db.execute("CREATE TABLE t (id INT PRIMARY KEY)", "CREATE PROCEDURE count_t() SELECT COUNT(*) FROM t");
                SourceDatabase limited = new SourceDatabase(Engine.MARIADB, "127.0.0.1", 3306, db.name(), user, null);

                ArchiveSink sink = sink(Compression.ZSTD);
                assertThatThrownBy(() -> MariaDbDumpRunner.standard().dump(limited, password, sink,
                        job("hidden-routines", List.of())))
                        .isInstanceOf(DumpFailedException.class)
                        .hasMessageContaining("The backup user '" + user + "' cannot read routine bodies")
                        .hasMessageContaining("Grant SHOW CREATE ROUTINE (MariaDB 11.3+) or SELECT ON mysql.proc to '"
                                + user + "'");
                try (var staged = Files.list(sink.stagingDir())) {
                    assertThat(staged).as("nothing is left in staging").isEmpty();
                }

                db.admin("GRANT SELECT ON mysql.proc TO '" + user + "'@'%'");
                DumpRunner.Dumped granted = MariaDbDumpRunner.standard().dump(limited, password, sink,
                        job("visible-routines", List.of()));
                assertThat(granted.inventory().routines()).containsExactly("count_t");
                Path sql = openWithStandardTools(granted.archive().path(), Compression.ZSTD, false);
                assertThat(Files.readString(sql)).contains("PROCEDURE `count_t`");
            } finally {
                db.admin("DROP USER IF EXISTS '" + user + "'@'%'");
            }
        }
    }

    @Test
    void aMariadbTableTheUserMayNotReadIsNamedWithTheGrantItLacksAndAReadableOneIsNot() throws Exception {
        try (ScratchDatabase db = ScratchDatabase.mariadb()) {
            String user = "br_" + UUID.randomUUID().toString().substring(0, 8);
            String password = "Maria-Pass-" + UUID.randomUUID();
            db.admin("CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + password + "'");
            try {
                db.execute("CREATE TABLE `Ventas Año` (id INT PRIMARY KEY)", "CREATE TABLE `Nómina ``Secreta``` (id INT PRIMARY KEY)");
                db.admin("GRANT SELECT ON mysql.proc TO '" + user + "'@'%'");
                db.admin("GRANT EVENT ON " + db.name() + ".* TO '" + user + "'@'%'");
                db.admin("GRANT SELECT ON " + db.name() + ".`Ventas Año` TO '" + user + "'@'%'");
                db.admin("GRANT INSERT ON " + db.name() + ".`Nómina ``Secreta``` TO '" + user + "'@'%'"); // sees it, may not read it
                // a dump tool that leaves out what it may not read, and a table it may read, and still exits 0
                Path bin = Files.createDirectories(work.resolve("skipping-bin"));
                Path script = bin.resolve("mariadb-dump");
                Files.writeString(script, "#!/bin/sh\n[ \"$1\" = --version ] && exec /usr/bin/mariadb-dump --version\n"
                        + "first=\"$1\"; shift\nexec /usr/bin/mariadb-dump \"$first\" '--ignore-table=" + db.name()
                        + ".Nómina `Secreta`' '--ignore-table=" + db.name() + ".Ventas Año' \"$@\"\n");
                Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
                SourceDatabase limited = new SourceDatabase(Engine.MARIADB, "127.0.0.1", 3306, db.name(), user, null);

                assertThatThrownBy(() -> new MariaDbDumpRunner(List.of(bin)).dump(limited, password, sink(Compression.ZSTD),
                        job("m-skips", List.of())))
                        .isInstanceOf(DumpFailedException.class)
                        .hasMessageContaining("lacks 2 object(s) the database holds: table `Nómina ``Secreta```, table `Ventas Año`.")
                        .hasMessageContaining("The backup user '" + user + "' may not read 1 of them: table `Nómina ``Secreta```;"
                                + " grant it read access to them (SELECT on the tables")
                        .hasMessageEndingWith("It may read the other 1, which mariadb-dump left out on its own.");
            } finally {
                db.admin("DROP USER IF EXISTS '" + user + "'@'%'");
            }
        }
    }

    @Test
    void mariadbFailuresAreToldInPlainWordsWithoutThePasswordInTheToolsArguments() throws Exception {
        try (ScratchDatabase db = ScratchDatabase.mariadb()) {
            String user = "br_" + UUID.randomUUID().toString().substring(0, 8);
            String password = "Maria-Pass-" + UUID.randomUUID();
            db.admin("CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + password + "'");
            db.admin("GRANT SELECT, LOCK TABLES, SHOW VIEW, EVENT, TRIGGER ON " + db.name() + ".* TO '" + user + "'@'%'");
            db.admin("GRANT SELECT ON mysql.proc TO '" + user + "'@'%'");
            try {
                db.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))", "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
                Path bin = wrapper("mariadb-dump");
                MariaDbDumpRunner runner = new MariaDbDumpRunner(List.of(bin));
                SourceDatabase source = new SourceDatabase(Engine.MARIADB, "127.0.0.1", 3306, db.name(), user, null);

                DumpRunner.Dumped dumped = runner.dump(source, password, sink(Compression.ZSTD), job("m-1", List.of()));
                assertThat(dumped.tableCount()).isEqualTo(1);
                assertThat(Files.readString(work.resolve("args"))).contains("--single-transaction", "--quick", "--routines",
                        "--triggers", "--events").doesNotContain(password);
                assertThat(Files.readString(work.resolve("env"))).doesNotContain(password);

                assertThatThrownBy(() -> runner.dump(source, "wrong", sink(Compression.ZSTD), job("m-2", List.of())))
                        .isInstanceOf(DumpFailedException.class)
                        .hasMessage("The database server 127.0.0.1:3306 rejected the username '" + user
                                + "' or its password. Update the database credentials registered for this account.");
                SourceDatabase missing = new SourceDatabase(Engine.MARIADB, "127.0.0.1", 3306, "no_such_db", "root", null);
                assertThatThrownBy(() -> runner.dump(missing, "", sink(Compression.ZSTD), job("m-3", List.of())))
                        .hasMessage("The database 'no_such_db' does not exist on 127.0.0.1:3306.");
                SourceDatabase nowhere = new SourceDatabase(Engine.MARIADB, "127.0.0.1", 1, db.name(), "root", null);
                assertThatThrownBy(() -> runner.dump(nowhere, "", sink(Compression.ZSTD), job("m-4", List.of())))
                        .hasMessageStartingWith("Cannot reach the database server 127.0.0.1:1 (");
                assertThatThrownBy(() -> new MariaDbDumpRunner(List.of(work.resolve("empty"))).dump(source, password,
                        sink(Compression.ZSTD), job("m-5", List.of())))
                        .hasMessage("Neither mariadb-dump nor mysqldump is installed on the backup worker.");
            } finally {
                db.admin("DROP USER IF EXISTS '" + user + "'@'%'");
            }
        }
    }

    private void postgresRoundTrip(Compression compression, boolean encrypted) throws Exception {
        try (ScratchDatabase source = ScratchDatabase.postgres(); ScratchDatabase restored = ScratchDatabase.postgres()) {
            source.execute(
                    "CREATE TABLE customer (id serial PRIMARY KEY, name text NOT NULL, city text)",
                    "CREATE TABLE invoice (id bigserial PRIMARY KEY, customer_id int REFERENCES customer(id), total numeric(12,2))",
                    "INSERT INTO customer (name, city) SELECT 'Cliente ' || g, (ARRAY['São Paulo','Zürich','東京'])[1 + g % 3]"
                            + " FROM generate_series(1, 2500) g",
                    "INSERT INTO customer (name, city) VALUES ('Ñandú 🦜', 'Málaga')",
                    "INSERT INTO invoice (customer_id, total) SELECT 1 + g % 2500, g * 0.37 FROM generate_series(1, 6000) g",
                    "CREATE INDEX invoice_by_customer ON invoice (customer_id)",
                    "CREATE VIEW big_invoices AS SELECT * FROM invoice WHERE total > 1000");
            List<String> recipients = encrypted ? List.of(ageKey()) : List.of();
            SourceDatabase db = new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", 5432, source.name(), "postgres", null);

            DumpRunner.Dumped dumped = new PgDumpRunner(PgTools.debian()).dump(db, "", sink(compression),
                    job("pg-" + compression, recipients));

            assertThat(dumped.archive().encryption().label()).isEqualTo(encrypted ? "age-x25519" : "none");
            assertThat(dumped.archive().compression().label()).isEqualTo(compression.label());
            assertThat(dumped.tableCount()).isEqualTo(2);
            Path dump = openWithStandardTools(dumped.archive().path(), compression, encrypted);
            run(List.of("pg_restore", "--no-owner", "--exit-on-error", "-h", "127.0.0.1", "-U", "postgres",
                    "-d", restored.name(), dump.toString()), null);
            assertThat(postgresFingerprint(restored)).isEqualTo(postgresFingerprint(source)).hasSize(3)
                    .containsEntry("views", "big_invoices");
        }
    }

    private void mariadbRoundTrip(boolean encrypted) throws Exception {
        try (ScratchDatabase source = ScratchDatabase.mariadb(); ScratchDatabase restored = ScratchDatabase.mariadb()) {
            source.execute(
                    "CREATE TABLE customer (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL, city VARCHAR(50))"
                            + " DEFAULT CHARSET=utf8mb4",
                    "CREATE TABLE invoice (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT, total DECIMAL(12,2),"
                            + " INDEX by_customer (customer_id)) DEFAULT CHARSET=utf8mb4",
                    "INSERT INTO customer (name, city) SELECT CONCAT('Cliente ', seq), ELT(1 + seq % 3, 'São Paulo', 'Zürich', '東京')"
                            + " FROM seq_1_to_2500",
                    "INSERT INTO customer (name, city) VALUES ('Ñandú 🦜', 'Málaga')",
                    "INSERT INTO invoice (customer_id, total) SELECT 1 + seq % 2500, seq * 0.37 FROM seq_1_to_6000",
                    "CREATE VIEW big_invoices AS SELECT * FROM invoice WHERE total > 1000",
                    "CREATE PROCEDURE count_invoices() SELECT COUNT(*) FROM invoice");
            List<String> recipients = encrypted ? List.of(ageKey()) : List.of();
            SourceDatabase db = new SourceDatabase(Engine.MARIADB, "127.0.0.1", 3306, source.name(), "root", null);

            DumpRunner.Dumped dumped = MariaDbDumpRunner.standard().dump(db, "", sink(Compression.ZSTD),
                    job("maria-" + encrypted, recipients));

            assertThat(dumped.format().label()).isEqualTo("mariadb-sql");
            assertThat(dumped.tableCount()).isEqualTo(2);
            Path sql = openWithStandardTools(dumped.archive().path(), Compression.ZSTD, encrypted);
            run(List.of("mariadb", "--default-character-set=utf8mb4", "-h", "127.0.0.1", "-u", "root", restored.name()), sql);
            assertThat(mariadbFingerprint(restored)).isEqualTo(mariadbFingerprint(source)).hasSize(3)
                    .containsEntry("routines", "count_invoices");
            assertThat(dumped.warnings()).as("root reads every routine").isEmpty();
        }
    }

    /** What a person with the archive and the private key does: age -d, then zstd -d or gunzip. */
    private Path openWithStandardTools(Path archive, Compression compression, boolean encrypted) throws Exception {
        Path compressed = archive;
        if (encrypted) {
            compressed = work.resolve("decrypted");
            run(List.of("age", "-d", "-i", work.resolve("key.txt").toString(), "-o", compressed.toString(), archive.toString()), null);
        }
        Path plain = work.resolve("dump-" + UUID.randomUUID());
        if (compression == Compression.ZSTD) {
            run(List.of("zstd", "-d", "-q", "-f", compressed.toString(), "-o", plain.toString()), null);
        } else {
            Path gz = work.resolve("archive.gz");
            Files.copy(compressed, gz, StandardCopyOption.REPLACE_EXISTING);
            run(List.of("gunzip", "-f", gz.toString()), null);
            Files.move(work.resolve("archive"), plain);
        }
        return plain;
    }

    /** A fresh age identity: its private key stays in the test's folder, the recipient goes to the dump. */
    private String ageKey() throws Exception {
        Path key = work.resolve("key.txt");
        Files.deleteIfExists(key);
        run(List.of("age-keygen", "-o", key.toString()), null);
        return Files.readAllLines(key).stream().filter(l -> l.startsWith("# public key: ")).findFirst().orElseThrow()
                .substring("# public key: ".length());
    }

    private ArchiveSink sink(Compression compression) {
        return new ArchiveSink(staging, compression, 3, 0);
    }

    private static DumpJob job(String backupId, List<String> recipients) {
        return new DumpJob(backupId, recipients, Duration.ofMinutes(1), null);
    }

    /** A mariadb-dump that records how it was called, then runs the real one. */
    private Path wrapper(String name) throws Exception {
        Path bin = Files.createDirectories(work.resolve("bin"));
        Path script = bin.resolve(name);
        Files.writeString(script, "#!/bin/sh\n[ \"$1\" = --version ] && exec /usr/bin/" + name + " --version\nprintf '%s\\n' \"$@\" > " + work.resolve("args") + "\nenv > "
                + work.resolve("env") + "\nexec /usr/bin/" + name + " \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    private static void run(List<String> command, Path stdin) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (stdin != null) {
            builder.redirectInput(stdin.toFile());
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
    }

    private static Map<String, String> postgresFingerprint(ScratchDatabase db) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            for (String table : strings(s, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                    + " AND table_type = 'BASE TABLE'")) {
                try (ResultSet rs = s.executeQuery("SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM "
                        + table + " t")) {
                    rs.next();
                    out.put(table, rs.getLong(1) + " rows, md5 " + rs.getString(2));
                }
            }
            out.put("views", String.join(",", strings(s, "SELECT table_name FROM information_schema.views WHERE table_schema = 'public'")));
        }
        return out;
    }

    private static Map<String, String> mariadbFingerprint(ScratchDatabase db) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            for (String table : strings(s, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
                    + " AND table_type = 'BASE TABLE'")) {
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
                    rs.next();
                    out.put(table, rs.getLong(1) + " rows");
                }
                try (ResultSet rs = s.executeQuery("CHECKSUM TABLE " + table)) {
                    rs.next();
                    out.put(table, out.get(table) + ", checksum " + rs.getLong(2));
                }
            }
            out.put("routines", String.join(",", strings(s, "SELECT routine_name FROM information_schema.routines"
                    + " WHERE routine_schema = DATABASE()")));
        }
        return out;
    }

    private static List<String> strings(Statement s, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
