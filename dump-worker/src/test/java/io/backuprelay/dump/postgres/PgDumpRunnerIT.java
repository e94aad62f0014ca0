package io.backuprelay.dump.postgres;
import io.backuprelay.database.ChildEnvironment;
import io.backuprelay.database.PgTools;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.dump.runner.DumpFailedException;
import io.backuprelay.dump.runner.DumpJob;
import io.backuprelay.dump.runner.DumpRunner;
import io.backuprelay.dump.archive.ArchiveSink;
import io.backuprelay.testkit.ScratchDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pg_dump against the local PostgreSQL server, through a wrapper that records how it was called. */
class PgDumpRunnerIT {

    private static final String PASSWORD = "Sup3r:S3cret\\pass-" + UUID.randomUUID();

    @TempDir
    Path tools;
    @TempDir
    Path staging;
    @TempDir
    Path calls;

    private ScratchDatabase db;
    private String user;

    @BeforeEach
    void database() {
        db = ScratchDatabase.postgres();
        db.execute("CREATE TABLE customer (id serial PRIMARY KEY, name text NOT NULL)",
                "INSERT INTO customer (name) SELECT 'Customer ' || g FROM generate_series(1, 500) g");
        user = "br_user_" + UUID.randomUUID().toString().substring(0, 8);
        // Members of this role must give their password: scripts/prepare-tests puts the rule in pg_hba.conf.
        db.admin("CREATE ROLE " + user + " LOGIN PASSWORD '" + PASSWORD.replace("'", "''")
                + "' IN ROLE backuprelay_password_auth");
        db.admin("GRANT CONNECT ON DATABASE " + db.name() + " TO " + user);
        db.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + user,
                "GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO " + user);
    }

    @AfterEach
    void drop() {
        db.close();
        db.admin("DROP ROLE IF EXISTS " + user);
    }

    @Test
    void thePasswordReachesPgDumpThroughAPrivateFileNeverItsArgumentsOrEnvironment() throws Exception {
        installWrapper("");

        DumpRunner.Dumped dumped = runner().dump(source(), PASSWORD, sink(), job("b-1"));

        assertThat(dumped.archive().path().getParent()).isEqualTo(staging);
        assertThat(dumped.archive().path().getFileName().toString()).matches("b-1\\.[0-9a-f]{8}\\.archive");
        assertThat(dumped.archive().sizeBytes()).isEqualTo(Files.size(dumped.archive().path())).isPositive();
        assertThat(dumped.archive().sha256()).isEqualTo(sha256(dumped.archive().path()));
        assertThat(dumped.serverVersion()).startsWith("15.");
        String args = Files.readString(calls.resolve("args"));
        String env = Files.readString(calls.resolve("env"));
        // The database goes as a quoted connection parameter: a name can never become a connection string.
        assertThat(args).contains("--format=custom", "--compress=0", "--username=" + user,
                "--dbname=dbname='" + db.name() + "'").doesNotContain(PASSWORD);
        assertThat(env).doesNotContain(PASSWORD).doesNotContain("PGPASSWORD").contains("PGPASSFILE=")
                .as("the account's TLS mode, PREFER unless set").contains("PGSSLMODE=prefer");
        // Only an allowlisted environment reaches the tool: not the worker's own (JAVA_HOME, the master key, SMTP…).
        assertThat(env.lines().map(l -> l.substring(0, Math.max(0, l.indexOf('=')))))
                .doesNotContain("JAVA_HOME", "BACKUPRELAY_MASTER_KEY", "SMTP_PASSWORD", "MAVEN_OPTS")
                .allMatch(name -> ChildEnvironment.PASSED.contains(name) || name.startsWith("PG")
                        || Set.of("PWD", "SHLVL", "_", "OLDPWD").contains(name), "allowlisted");
        String passFile = env.lines().filter(l -> l.startsWith("PGPASSFILE=")).findFirst().orElseThrow().substring(11);
        assertThat(Path.of(passFile)).doesNotExist();
        assertThat(Files.readString(calls.resolve("passfile-mode"))).contains("-rw-------");
        assertThat(stagingFiles()).containsExactly(dumped.archive().path().getFileName().toString());
    }

    @Test
    void aWrongPasswordIsReportedInPlainWordsWithoutThePassword() throws Exception {
        installWrapper("");
        String wrong = "wrong-" + PASSWORD;

        assertThatThrownBy(() -> runner().dump(source(), wrong, sink(), job("b-2")))
                .isInstanceOf(DumpFailedException.class)
                .hasMessage("The database server 127.0.0.1:5432 rejected the username '" + user
                        + "' or its password. Update the database credentials registered for this account.")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong));
        assertThat(stagingFiles()).isEmpty();
    }

    @Test
    void anUnreachableServerIsReportedInPlainWords() throws Exception {
        installWrapper("");
        SourceDatabase nowhere = new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", 1, db.name(), user, null);

        assertThatThrownBy(() -> runner().dump(nowhere, PASSWORD, sink(), job("b-3")))
                .isInstanceOf(DumpFailedException.class)
                .hasMessageStartingWith("Cannot reach the database server 127.0.0.1:1 (connection refused).");
        assertThat(stagingFiles()).isEmpty();
    }

    @Test
    void aMissingDatabaseIsNamed() throws Exception {
        installWrapper("");
        SourceDatabase missing = new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", 5432, "no_such_db", "postgres", null);

        assertThatThrownBy(() -> runner().dump(missing, "", sink(), job("b-4")))
                .hasMessage("The database 'no_such_db' does not exist on 127.0.0.1:5432.");
    }

    @Test
    void aDumpToolThatDiesMidWayFailsAndLeavesNoFile() throws Exception {
        installWrapper("/usr/lib/postgresql/15/bin/pg_dump \"$@\" | head -c 1000; exit 1\n");

        assertThatThrownBy(() -> runner().dump(source(), PASSWORD, sink(), job("b-5")))
                .isInstanceOf(DumpFailedException.class)
                .hasMessageStartingWith("pg_dump could not dump 127.0.0.1:5432/" + db.name());
        assertThat(stagingFiles()).isEmpty();
    }

    @Test
    void theInventoryIsTakenInTheDumpsSnapshotWithExactRowCounts() throws Exception {
        installWrapper("");
        db.execute("CREATE VIEW named AS SELECT name FROM customer", "GRANT SELECT ON named TO " + user);

        DumpRunner.Dumped dumped = runner().dump(source(), PASSWORD, sink(), job("b-10"));

        assertThat(Files.readString(calls.resolve("args"))).containsPattern("--snapshot=[0-9A-F-]+");
        assertThat(dumped.inventory().tables()).containsExactlyEntriesOf(Map.of("public.customer", 500L));
        assertThat(dumped.inventory().views()).containsExactly("public.named");
        assertThat(dumped.inventory().sequences()).containsExactly("public.customer_id_seq");
    }

    @Test
    void anArchiveThatLacksAnObjectOfTheDatabaseFailsTheBackupNamingIt() throws Exception {
        // a dump tool that leaves a table out and still exits 0
        installWrapper("exec /usr/lib/postgresql/15/bin/pg_dump \"$@\" --exclude-table=customer\n");

        assertThatThrownBy(() -> runner().dump(source(), PASSWORD, sink(), job("b-11")))
                .isInstanceOf(DumpFailedException.class)
                .hasMessageContaining("lacks 1 object(s) the database holds: table public.customer.")
                .hasMessageContaining("The backup user '" + user + "'");
        assertThat(stagingFiles()).isEmpty();
    }

    @Test
    void aTableTheBackupUserMayNotReadIsNamedWithTheGrantItLacksAndAReadableOneIsNot() throws Exception {
        db.execute("CREATE TABLE \"Nómina Secreta\" (id int)", "INSERT INTO \"Nómina Secreta\" VALUES (1)");
        // a dump tool that leaves out what it may not read, and a table it may read, and still exits 0
        installWrapper("exec /usr/lib/postgresql/15/bin/pg_dump \"$@\" '--exclude-table=public.\"Nómina Secreta\"'"
                + " --exclude-table=customer\n");

        assertThatThrownBy(() -> runner().dump(source(), PASSWORD, sink(), job("b-12")))
                .isInstanceOf(DumpFailedException.class)
                .hasMessageContaining("lacks 2 object(s) the database holds: table public.\"Nómina Secreta\", table public.customer.")
                .hasMessageContaining("The backup user '" + user + "' may not read 1 of them: table public.\"Nómina Secreta\";"
                        + " grant it read access to them (USAGE on their schema and SELECT on the tables")
                .hasMessageEndingWith("It may read the other 1, which pg_dump left out on its own.");
        assertThat(stagingFiles()).isEmpty();
    }

    @Test
    void objectsLeftOutThatTheUserMayReadAreADumpDefectNamedWithQuotedNamesAndNoGrantAdvice() throws Exception {
        db.execute("CREATE SCHEMA \"Sales Ops\"", "CREATE TABLE \"Sales Ops\".\"Orders\" (id serial PRIMARY KEY)",
                "GRANT USAGE ON SCHEMA \"Sales Ops\" TO " + user, "GRANT SELECT ON ALL TABLES IN SCHEMA \"Sales Ops\" TO " + user,
                "GRANT SELECT ON ALL SEQUENCES IN SCHEMA \"Sales Ops\" TO " + user);
        installWrapper("exec /usr/lib/postgresql/15/bin/pg_dump \"$@\" '--exclude-table=\"Sales Ops\".\"Orders\"'"
                + " '--exclude-table=\"Sales Ops\".\"Orders_id_seq\"'\n");

        assertThatThrownBy(() -> runner().dump(source(), PASSWORD, sink(), job("b-13")))
                .isInstanceOf(DumpFailedException.class)
                .hasMessageContaining("lacks 2 object(s) the database holds: table \"Sales Ops\".\"Orders\","
                        + " sequence \"Sales Ops\".\"Orders_id_seq\".")
                .hasMessageContaining("The backup user '" + user + "' may read all of them, so no grant is missing")
                .message().doesNotContain("grant it");
    }

    @Test
    void aDumpToolThatWritesNothingFailsAndLeavesNoFile() throws Exception {
        installWrapper("exit 0\n");

        assertThatThrownBy(() -> runner().dump(source(), PASSWORD, sink(), job("b-7")))
                .isInstanceOf(DumpFailedException.class)
                .hasMessage("pg_dump ended without writing anything for 127.0.0.1:5432/" + db.name() + ".");
        assertThat(stagingFiles()).isEmpty();
    }

    @Test
    void aStalledDumpIsStoppedAndFailsInPlainWords() throws Exception {
        installWrapper("echo $$ > " + calls.resolve("pid") + "; printf 'PGDMP'; exec sleep 300\n");

        assertThatThrownBy(() -> runner().dump(source(), PASSWORD, sink(), job("b-8", Duration.ofSeconds(2))))
                .isInstanceOf(DumpFailedException.class)
                .hasMessage("pg_dump wrote nothing for 2 s and was stopped (5 bytes dumped until then).");
        long pid = Long.parseLong(Files.readString(calls.resolve("pid")).trim());
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(stagingFiles()).isEmpty();
    }

    @Test
    void aDumpOfOneSchemaHoldsOnlyThatSchema() throws Exception {
        installWrapper("");
        db.execute("CREATE SCHEMA tenant_b", "CREATE TABLE tenant_b.secret_stuff (id int)",
                "GRANT USAGE ON SCHEMA tenant_b TO " + user, "GRANT SELECT ON ALL TABLES IN SCHEMA tenant_b TO " + user);
        SourceDatabase onlyPublic = new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", 5432, db.name(), user,
                null, "public");

        DumpRunner.Dumped dumped = runner().dump(onlyPublic, PASSWORD, sink(), job("b-9"));

        assertThat(Files.readString(calls.resolve("args"))).contains("--schema=public");
        assertThat(dumped.tableCount()).isEqualTo(1);
        assertThat(dumped.inventory().tables()).containsOnlyKeys("public.customer");
    }

    @Test
    void cancellingADumpStopsTheToolAndRemovesThePartialFile() throws Exception {
        installWrapper("echo $$ > " + calls.resolve("pid") + "; printf 'PGDMP partial'; exec sleep 300\n");
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread job = Thread.ofVirtual().start(() -> {
            try {
                runner().dump(source(), PASSWORD, sink(), job("b-6"));
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        awaitFile(calls.resolve("pid"));
        long pid = Long.parseLong(Files.readString(calls.resolve("pid")).trim());

        job.interrupt();

        assertThat(outcome.get(30, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(stagingFiles()).isEmpty();
    }

    private PgDumpRunner runner() {
        return new PgDumpRunner(new PgTools(tools));
    }

    private static DumpJob job(String backupId) {
        return new DumpJob(backupId, List.of(), Duration.ofMinutes(1), null);
    }

    private static DumpJob job(String backupId, Duration stallTimeout) {
        return new DumpJob(backupId, List.of(), stallTimeout, null);
    }

    private ArchiveSink sink() {
        return new ArchiveSink(staging, 3);
    }

    private SourceDatabase source() {
        return new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", 5432, db.name(), user, null);
    }

    /** A pg_dump 15 that records its arguments, environment and password file, then runs {@code body} (or the real one). */
    private void installWrapper(String body) throws IOException {
        Path bin = Files.createDirectories(tools.resolve("15/bin"));
        Path script = bin.resolve("pg_dump");
        String record = "[ \"$1\" = --version ] && exec /usr/lib/postgresql/15/bin/pg_dump --version\n"
                + "printf '%s\\n' \"$@\" > " + calls.resolve("args") + "\n"
                + "env > " + calls.resolve("env") + "\n"
                + "ls -l \"$PGPASSFILE\" > " + calls.resolve("passfile-mode") + "\n";
        String run = body.isEmpty() ? "exec /usr/lib/postgresql/15/bin/pg_dump \"$@\"\n" : body;
        Files.writeString(script, "#!/bin/sh\n" + record + run);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        // pg_restore --list, beside pg_dump as Debian installs them, checks the archive against the database
        Files.createSymbolicLink(bin.resolve("pg_restore"), Path.of("/usr/lib/postgresql/15/bin/pg_restore"));
    }

    private List<String> stagingFiles() throws IOException {
        try (Stream<Path> files = Files.list(staging)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static void awaitFile(Path file) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(file)
                && !Files.readString(file).isBlank());
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
