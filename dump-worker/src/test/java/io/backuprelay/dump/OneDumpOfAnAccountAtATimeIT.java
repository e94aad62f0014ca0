package io.backuprelay.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.database.PgTools;
import io.backuprelay.dump.archive.ArchiveSink;
import io.backuprelay.dump.runner.DumpFailedException;
import io.backuprelay.dump.runner.DumpJob;
import io.backuprelay.dump.runner.DumpRunner;
import io.backuprelay.dump.runner.SourceLock;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.dump.mariadb.MariaDbDumpRunner;
import io.backuprelay.dump.postgres.PgDumpRunner;
import io.backuprelay.testkit.ScratchDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two dumps of one account never run at once on its database, whatever the workers believe: a
 * worker frozen mid-dump (its partition already given to another) still holds the lock its dump's
 * connection took, so the other worker's dump of the same backup waits. Dumps of other accounts on
 * the same database do not wait.
 */
class OneDumpOfAnAccountAtATimeIT {

    private static final String ACCOUNT = "Acme \"Ñandú\" Ops";

    @TempDir
    Path staging;

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    @Test
    void onPostgresqlASecondDumpOfTheAccountStartsOnlyOnceTheFirstsSessionIsGone() throws Exception {
        try (ScratchDatabase db = ScratchDatabase.postgres(); Connection blocker = db.connect()) {
            db.execute("CREATE TABLE \"Orders\" (id serial PRIMARY KEY, total numeric)",
                    "INSERT INTO \"Orders\" (total) SELECT g FROM generate_series(1, 200) g");
            SourceDatabase source = new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", 5432, db.name(), "postgres", null);
            DumpRunner runner = new PgDumpRunner(PgTools.debian());
            holdTable(blocker, "LOCK TABLE \"Orders\" IN ACCESS EXCLUSIVE MODE"); // the first dump's pg_dump waits on it

            CompletableFuture<Instant> first = dumpAsync(runner, source, job("b-first", ACCOUNT, Duration.ofMinutes(1), null, null));
            await().atMost(Duration.ofSeconds(30)).until(() -> pgDumpWaitingOnTheTable(db) == 1);
            int holder = lockHolderPid(db); // the first dump's connection, the one lock held so far
            List<String> waited = new CopyOnWriteArrayList<>();
            AtomicReference<Instant> secondOpened = new AtomicReference<>();
            CompletableFuture<Instant> second = dumpAsync(runner, source, job("b-second", ACCOUNT, Duration.ofMinutes(1),
                    waited::add, secondOpened));
            CompletableFuture<Instant> otherAccount = dumpAsync(runner, source, job("b-other", "Other tenant",
                    Duration.ofMinutes(1), null, null));

            await().atMost(Duration.ofSeconds(30)).until(() -> !waited.isEmpty());
            assertThat(waited.getFirst()).startsWith("for another dump of this account's database").containsPattern("session "
                    + holder + "\\b");
            await().atMost(Duration.ofSeconds(30)).until(() -> pgDumpSessions(db) == 2 || otherAccount.isDone());
            assertThat(otherAccount).as("the other account's dump runs beside the first").isNotDone();
            // Held for three of the lock's polls: the same account's second pg_dump never starts meanwhile.
            await().during(SourceLock.POLL.multipliedBy(3)).atMost(SourceLock.POLL.multipliedBy(6))
                    .until(() -> pgDumpSessions(db) == 2 && secondOpened.get() == null);
            assertThat(waited).hasSize(1);

            blocker.commit();
            Instant firstEnded = first.get();
            Instant secondStarted = await().atMost(Duration.ofSeconds(30)).until(secondOpened::get, o -> o != null);
            assertThat(secondStarted).isAfterOrEqualTo(firstEnded);
            assertThat(second.get()).isAfter(firstEnded);
            assertThat(otherAccount.get()).isNotNull();
        }
    }

    @Test
    void onPostgresqlADumpWhoseAccountStaysLockedFailsNamingTheSessionThatHoldsIt() throws Exception {
        try (ScratchDatabase db = ScratchDatabase.postgres(); Connection blocker = db.connect()) {
            db.execute("CREATE TABLE \"Sales Ops\" (id int PRIMARY KEY)", "INSERT INTO \"Sales Ops\" VALUES (1)");
            SourceDatabase source = new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", 5432, db.name(), "postgres", null);
            DumpRunner runner = new PgDumpRunner(PgTools.debian());
            holdTable(blocker, "LOCK TABLE \"Sales Ops\" IN ACCESS EXCLUSIVE MODE");
            CompletableFuture<Instant> first = dumpAsync(runner, source, job("b-stuck", ACCOUNT, Duration.ofMinutes(1), null, null));
            await().atMost(Duration.ofSeconds(30)).until(() -> pgDumpWaitingOnTheTable(db) == 1);
            int holder = lockHolderPid(db);

            AtomicReference<Instant> opened = new AtomicReference<>();
            assertThatThrownBy(() -> runner.dump(source, "", sink(), job("b-late", ACCOUNT, Duration.ofSeconds(2), null, opened)))
                    .isInstanceOf(DumpFailedException.class)
                    .hasMessageStartingWith("Another dump of this account's database " + source.describe()
                            + " still runs after 2 s (session " + holder)
                    .hasMessageEndingWith("the operators can end that session on the database server.");
            assertThat(opened.get()).as("the tool never started").isNull();
            assertThat(pgDumpSessions(db)).isEqualTo(1);

            blocker.commit();
            assertThat(first.get()).isNotNull();
        }
    }

    @Test
    void onMariadbASecondDumpOfTheAccountWaitsForTheFirstAndFailsWhenItOutlastsTheWait() throws Exception {
        try (ScratchDatabase db = ScratchDatabase.mariadb(); Connection blocker = db.connect()) {
            db.execute("CREATE TABLE `Sales Ops` (id INT PRIMARY KEY)", "INSERT INTO `Sales Ops` VALUES (1), (2)");
            SourceDatabase source = new SourceDatabase(Engine.MARIADB, "127.0.0.1", 3306, db.name(), "root", null);
            DumpRunner runner = MariaDbDumpRunner.standard();
            try (Statement statement = blocker.createStatement()) {
                statement.execute("LOCK TABLES `Sales Ops` WRITE"); // the first dump's mariadb-dump waits on it
            }
            AtomicReference<Instant> firstOpened = new AtomicReference<>();
            CompletableFuture<Instant> first = dumpAsync(runner, source, job("m-first", ACCOUNT, Duration.ofMinutes(1),
                    null, firstOpened));
            await().atMost(Duration.ofSeconds(30)).until(() -> firstOpened.get() != null);

            List<String> waited = new CopyOnWriteArrayList<>();
            AtomicReference<Instant> secondOpened = new AtomicReference<>();
            assertThatThrownBy(() -> runner.dump(source, "", sink(), job("m-second", ACCOUNT, Duration.ofSeconds(2),
                    waited::add, secondOpened)))
                    .isInstanceOf(DumpFailedException.class)
                    .hasMessageStartingWith("Another dump of this account's database " + source.describe()
                            + " still runs after 2 s (connection ");
            assertThat(waited).singleElement().asString().startsWith("for another dump of this account's database");
            assertThat(secondOpened.get()).as("the tool never started").isNull();

            CompletableFuture<Instant> third = dumpAsync(runner, source, job("m-third", ACCOUNT, Duration.ofMinutes(1),
                    null, null));
            await("still waiting for the first").during(SourceLock.POLL.multipliedBy(2))
                    .atMost(SourceLock.POLL.multipliedBy(4)).until(() -> !third.isDone());
            try (Statement statement = blocker.createStatement()) {
                statement.execute("UNLOCK TABLES");
            }
            Instant firstEnded = first.get();
            assertThat(third.get()).isAfter(firstEnded);
        }
    }

    private static void holdTable(Connection connection, String lock) throws Exception {
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute(lock);
        }
    }

    private CompletableFuture<Instant> dumpAsync(DumpRunner runner, SourceDatabase source, DumpJob job) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                runner.dump(source, "", sink(), job);
                return Instant.now();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, threads);
    }

    private DumpJob job(String backupId, String account, Duration wait, Consumer<String> waiting,
                        AtomicReference<Instant> opened) {
        return new DumpJob(backupId, List.of(), Duration.ofMinutes(1), null, (partial, format) -> {
            if (opened != null) {
                opened.set(Instant.now());
            }
        }, new DumpJob.Exclusive(account, wait, waiting));
    }

    private ArchiveSink sink() {
        return new ArchiveSink(staging, Compression.ZSTD, 3, 0);
    }

    /** pg_dump's sessions on the database (application_name backuprelay). */
    private static int pgDumpSessions(ScratchDatabase db) throws Exception {
        return intOf(db, "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + db.name()
                + "' AND application_name = 'backuprelay' AND backend_type = 'client backend'");
    }

    /** pg_dump's sessions waiting on the test's table lock: the dump runs, its account's lock taken before. */
    private static int pgDumpWaitingOnTheTable(ScratchDatabase db) throws Exception {
        return intOf(db, "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + db.name()
                + "' AND application_name = 'backuprelay' AND wait_event_type = 'Lock'");
    }

    /** The session that holds an advisory lock on the database (when only one does). */
    private static int lockHolderPid(ScratchDatabase db) throws Exception {
        return intOf(db, "SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE d.datname = '"
                + db.name() + "' AND l.locktype = 'advisory' AND l.granted");
    }

    private static int intOf(ScratchDatabase db, String sql) throws Exception {
        try (Connection connection = db.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
