package io.backuprelay.dump;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.DumpReady;
import io.backuprelay.common.event.DumpStarted;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.JobContext;
import io.backuprelay.common.kafka.JobResult;
import io.backuprelay.common.ops.OpsEvent;
import io.backuprelay.common.ops.OpsStatus;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.database.PgTools;
import io.backuprelay.dump.archive.ArchiveSink;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.dump.mariadb.MariaDbDumpRunner;
import io.backuprelay.dump.postgres.PgDumpRunner;
import io.backuprelay.dump.runner.SourceTls;
import io.backuprelay.testkit.ScratchDatabase;
import io.backuprelay.testkit.TcpProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source database ends the dump's session mid-dump, as an administrator's
 * {@code pg_terminate_backend} or {@code KILL CONNECTION} would: the dump is tried again and the
 * backup goes on. A throttling proxy between the tool and the server makes the dump last seconds.
 */
class SourceEndsTheDumpSessionIT {

    /** About 4 MB at 400 KB/s: a dump of some ten seconds, long enough to be ended in the middle. */
    private static final long BYTES_PER_SECOND = 400_000;

    @TempDir
    Path staging;

    private final Topics topics = new Topics("t.");
    private final List<OpsEvent> ops = new CopyOnWriteArrayList<>();
    private final List<DumpStarted> announced = new CopyOnWriteArrayList<>();

    @Test
    void aPgDumpWhoseSessionIsTerminatedMidDumpIsTriedAgainAndTheBackupIsDumped() throws Exception {
        try (ScratchDatabase db = ScratchDatabase.postgres();
             TcpProxy slow = TcpProxy.start(db.port(), 7).throttle(BYTES_PER_SECOND)) {
            db.execute("CREATE TABLE \"Ventes été\" (id int PRIMARY KEY, data text)",
                    "INSERT INTO \"Ventes été\" SELECT g, md5(g::text) || md5((g * 31)::text) FROM generate_series(1, 60000) g");
            SourceDatabase source = new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", slow.port(), db.name(),
                    "postgres", null);

            AtomicReference<String> killed = endOnceMidDump(() -> terminatePgDump(db.name()));
            JobResult result = handler(source).handle(request(), context());

            // Through the proxy pg_dump reads the end of the session, not always the server's FATAL before it.
            assertBackupDumpedAfterOneRetry(result, killed.get(), "pg_dump could not dump " + source.describe());
        }
    }

    @Test
    void aMariadbDumpWhoseConnectionIsKilledMidDumpIsTriedAgainAndTheBackupIsDumped() throws Exception {
        try (ScratchDatabase db = ScratchDatabase.mariadb();
             TcpProxy slow = TcpProxy.start(db.port(), 7).throttle(BYTES_PER_SECOND)) {
            db.execute("CREATE TABLE `Ventes été` (id int PRIMARY KEY, data text)",
                    "INSERT INTO `Ventes été` SELECT seq, CONCAT(MD5(seq), MD5(seq * 31)) FROM seq_1_to_60000");
            SourceDatabase source = new SourceDatabase(Engine.MARIADB, "127.0.0.1", slow.port(), db.name(),
                    "root", null);

            AtomicReference<String> killed = endOnceMidDump(() -> killMariadbDump(db.name()));
            JobResult result = handler(source).handle(request(), context());

            assertBackupDumpedAfterOneRetry(result, killed.get(), "mariadb-dump could not dump " + source.describe());
        }
    }

    private void assertBackupDumpedAfterOneRetry(JobResult result, String killed, String reasonNamed) throws Exception {
        assertThat(killed).as("the source ended one dump session mid-dump").isNotNull();
        assertThat(result.outputs().getFirst().topic()).isEqualTo(topics.dumps());
        DumpReady ready = Json.decode(result.outputs().getFirst().value(), DumpReady.class);
        assertThat(staging.resolve(ready.stagingFile())).hasSize(ready.sizeBytes());
        assertThat(ops).filteredOn(e -> e.status() == OpsStatus.RETRIED).singleElement()
                .satisfies(retried -> assertThat(retried.detail()).contains("ended the dump's session", reasonNamed));
        assertThat(announced).as("the second try announces its own file").hasSize(2)
                .extracting(DumpStarted::partialFile).doesNotHaveDuplicates();
        assertThat(announced.getLast().stagingFile()).isEqualTo(ready.stagingFile());
        try (Stream<Path> files = Files.list(staging)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .as("the first try's partial file is gone").containsExactlyInAnyOrder(ready.stagingFile(), ready.manifestFile());
        }
    }

    private interface Kill {
        /** @return what was ended, or null if no dump session runs (yet) */
        String once() throws SQLException;
    }

    /** Looks for the dump's session every 100 ms for up to a minute, and ends it once. */
    private static AtomicReference<String> endOnceMidDump(Kill kill) {
        AtomicReference<String> killed = new AtomicReference<>();
        Thread.ofVirtual().name("source-ends-session").start(() -> Awaitility.await()
                .atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    killed.set(kill.once());
                    return killed.get() != null;
                }));
        return killed;
    }

    /** pg_dump's session (application_name backuprelay) while it copies a table. */
    private static String terminatePgDump(String database) throws SQLException {
        try (Connection admin = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
             PreparedStatement terminate = admin.prepareStatement("SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity"
                     + " WHERE application_name = 'backuprelay' AND datname = ? AND query LIKE 'COPY %'")) {
            terminate.setString(1, database);
            try (ResultSet rows = terminate.executeQuery()) {
                return rows.next() && rows.getBoolean(2) ? "pg_dump session " + rows.getLong(1) : null;
            }
        }
    }

    /** mariadb-dump's connection while it streams a table (its {@code SELECT /*!40001 SQL_NO_CACHE *}{@code /} query). */
    private static String killMariadbDump(String database) throws SQLException {
        try (Connection admin = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", "");
             PreparedStatement find = admin.prepareStatement("SELECT ID FROM information_schema.PROCESSLIST"
                     + " WHERE DB = ? AND INFO LIKE 'SELECT /*!40001 SQL_NO_CACHE */%'")) {
            find.setString(1, database);
            try (ResultSet rows = find.executeQuery()) {
                if (!rows.next()) {
                    return null;
                }
                long id = rows.getLong(1);
                try (var kill = admin.createStatement()) {
                    kill.execute("KILL CONNECTION " + id);
                }
                return "mariadb-dump connection " + id;
            }
        }
    }

    private DumpHandler handler(SourceDatabase source) {
        Account account = new Account("cafe-creme", "Café Crème", "fr", "Europe/Paris", List.of("zoe@cafe.example"), source);
        BackupSettings settings = new BackupSettings("cafe-creme", BackupType.MANUAL, null, null, List.of(), null);
        DumpWorkerConfig config = new DumpWorkerConfig(staging, 1, Duration.ofSeconds(5),
                new DumpWorkerConfig.Archive(Compression.ZSTD, 3, 0),
                new DumpWorkerConfig.Space(0, Duration.ofSeconds(2), Duration.ofHours(48), Duration.ofMinutes(10)),
                new DumpWorkerConfig.Patience(Duration.ofMinutes(1), 2, Duration.ofSeconds(1), Duration.ofMinutes(1)),
                SourceTls.SYSTEM_CAS);
        return new DumpHandler(topics,
                new DumpHandler.Lookups(id -> Optional.of(account), id -> Optional.of(settings), id -> Optional.empty(),
                        () -> { }),
                new DumpHandler.Tools(Map.of(Engine.POSTGRESQL, new PgDumpRunner(PgTools.debian()),
                        Engine.MARIADB, MariaDbDumpRunner.standard()),
                        SecretSealer.ofBase64("k1", SecretSealer.newBase64Key()),
                        new ArchiveSink(staging, Compression.ZSTD, 3, 0), config),
                ops::add, (topic, key, value) -> {
                    if (value instanceof DumpStarted started) {
                        announced.add(started);
                    }
                }, "dump-test", Clock.systemUTC());
    }

    private static BackupRequested request() {
        return BackupRequested.manual("cafe-creme", "main", "Zoë O'Brien", Instant.now());
    }

    private static JobContext context() {
        return new JobContext("t.backup.requests", 0, 0, "cafe-creme", 1);
    }
}
