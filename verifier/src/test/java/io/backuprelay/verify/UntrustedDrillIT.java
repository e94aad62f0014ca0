package io.backuprelay.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.blob.BlobAccess;
import io.backuprelay.blob.BlobCredential;
import io.backuprelay.blob.BlobStore;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BlobLocation;
import io.backuprelay.common.event.DrillOutcome.Kind;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.health.ComponentHealth;
import io.backuprelay.common.health.HealthCheck;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.JobWorker;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.RetryPolicy;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.database.DatabaseTarget;
import io.backuprelay.format.inventory.Inventory;
import io.backuprelay.format.archive.ArchiveFormat;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.format.archive.DumpFormat;
import io.backuprelay.format.archive.Encryption;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.format.manifest.BackupManifest;
import io.backuprelay.database.Restorer;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.ScratchDatabase;
import io.backuprelay.testkit.TestKafka;
import io.backuprelay.verify.VerifierConfig.DrillServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restore drill trusts nothing a tenant can write: its blob, its manifest, its database's
 * functions. Drills run against this machine's PostgreSQL and MariaDB as minimal users made here.
 */
class UntrustedDrillIT {

    /** The emulator's origin is allowed beyond Azure's hosts, as a service's settings would list it. */
    private static final BlobAccess ACCESS = new BlobAccess(EndpointPolicy.allowing(Azurite.origin()));

    private static final String PG_ROLE = "br_drill_" + UUID.randomUUID().toString().substring(0, 8);
    private static final String MARIA_USER = "br_drill_" + UUID.randomUUID().toString().substring(0, 8);
    private static final BlobCredential KEY = BlobCredential.accountKey(Azurite.ACCOUNT_KEY);

    @TempDir
    static Path work;
    private static BlobStore store;
    private final List<String> toolRuns = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void minimalUsersAndAContainer() {
        admin("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "CREATE ROLE " + PG_ROLE + " LOGIN CREATEDB");
        admin("jdbc:mariadb://127.0.0.1:3306/", "root", "CREATE USER '" + MARIA_USER + "'@'%'");
        admin("jdbc:mariadb://127.0.0.1:3306/", "root", "GRANT ALL ON `drill\\_%`.* TO '" + MARIA_USER + "'@'%'");
        store = ACCESS.store(Azurite.blobEndpoint(), Azurite.ACCOUNT_NAME, "drills-" + UUID.randomUUID().toString()
                .substring(0, 8), KEY);
        store.createContainerIfMissing();
    }

    @AfterAll
    static void dropUsers() {
        admin("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "DROP ROLE IF EXISTS " + PG_ROLE);
        admin("jdbc:mariadb://127.0.0.1:3306/", "root", "DROP USER IF EXISTS '" + MARIA_USER + "'@'%'");
    }

    @Test
    void aSuperuserOrAUserThatMayTouchServerFilesIsNoDrillUserAndAMinimalOneIs() throws Exception {
        assertThat(DrillRole.problem(pgServer("postgres"))).get().asString()
                .contains("'postgres'", "is a superuser", "CREATE ROLE backuprelay_drill LOGIN CREATEDB");
        String writer = "br_writer_" + UUID.randomUUID().toString().substring(0, 8);
        admin("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "CREATE ROLE " + writer + " LOGIN CREATEDB CREATEROLE IN ROLE pg_write_server_files");
        try {
            assertThat(DrillRole.problem(pgServer(writer))).get().asString()
                    .contains("has CREATEROLE", "is a member of pg_write_server_files");
        } finally {
            admin("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "DROP ROLE " + writer);
        }
        assertThat(DrillRole.problem(pgServer(PG_ROLE))).isEmpty();
        assertThat(DrillRole.problem(mariaServer("root"))).get().asString()
                .contains("'root'", "holds privileges on every database", "SUPER", "FILE", "GRANT ALL ON `drill\\_%`.*");
        assertThat(DrillRole.problem(mariaServer(MARIA_USER))).isEmpty();
    }

    @Test
    void aVerifierWhoseDrillUserIsASuperuserIsNotReadyAndDrillsNothingAndAMinimalOneStarts() throws Exception {
        var topics = new Topics(TestKafka.uniquePrefix());
        var kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, 1, (short) 1);
        var sealer = SecretSealer.ofBase64("k1",
                SecretSealer.newBase64Key());
        VerifierConfig superuser = new VerifierConfig(Optional.of(pgServer("postgres")), Optional.empty(),
                new RetryPolicy(1, Duration.ofSeconds(1), Duration.ofSeconds(1)), budget(Duration.ofMinutes(1), 1L << 30), 2);
        try (VerifierWorker verifier = new VerifierWorker(kafka, superuser, sealer, Clock.systemUTC()).start()) {
            var gate = Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> gateOf(verifier),
                    h -> !h.detail().equals("not checked yet"));
            assertThat(gate.ready()).isFalse();
            assertThat(gate.detail()).contains("'postgres'", "is a superuser", "CREATE ROLE backuprelay_drill LOGIN CREATEDB");
            Awaitility.await("it never consumes outcomes").during(Duration.ofSeconds(2))
                    .atMost(Duration.ofSeconds(4)).until(() -> verifier.jobs().state()
                            == JobWorker.State.NEW);
        }
        VerifierConfig minimal = new VerifierConfig(Optional.of(pgServer(PG_ROLE)), Optional.of(mariaServer(MARIA_USER)),
                new RetryPolicy(1, Duration.ofSeconds(1), Duration.ofSeconds(1)), budget(Duration.ofMinutes(1), 1L << 30), 2);
        try (VerifierWorker verifier = new VerifierWorker(kafka, minimal, sealer, Clock.systemUTC()).start()) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> verifier.jobs().state()
                    == JobWorker.State.RUNNING);
            assertThat(gateOf(verifier).ready()).isTrue();
        }
    }

    private static ComponentHealth gateOf(VerifierWorker verifier) {
        return verifier.components().stream().map(HealthCheck::health)
                .filter(h -> h.name().equals(DrillGate.NAME)).findFirst().orElseThrow();
    }

    @Test
    void aTenantsFunctionThatWritesAServerFileFailsHarmlesslyAndTheFindingSaysSo() throws Exception {
        Path written = Path.of("/tmp/backuprelay-drill-" + UUID.randomUUID());
        try (ScratchDatabase source = ScratchDatabase.postgres()) {
            // Harmless in the tenant's own database; in a drill database it writes a file on the server.
            source.execute("CREATE FUNCTION \"Leak\"(v int) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN"
                            + " IF current_database() LIKE 'drill%' THEN EXECUTE format('COPY (SELECT v) TO %L', '"
                            + written + "'); END IF; RETURN true; END $$",
                    "CREATE TABLE \"Orders\" (id int PRIMARY KEY, CHECK (\"Leak\"(id)))",
                    "INSERT INTO \"Orders\" VALUES (1), (2)");
            BackupCompleted completed = storePostgresBackup(source);

            Drill.Finding finding = drill(budget(Duration.ofMinutes(2), 1L << 30)).run(store, completed);

            assertThat(finding.passed()).isFalse();
            assertThat(finding.kind()).isEqualTo(Kind.RESTORE);
            assertThat(finding.detail()).startsWith("The backup did not restore: pg_restore could not restore into")
                    .contains("pg_write_server_files");
            assertThat(written).as("no file was written on the drill server").doesNotExist();
            assertThat(toolRuns).hasSize(1);
        }
    }

    @Test
    void aBlobRewrittenWithAMatchingManifestIsCorruptedAndNoToolRunsOnIt() throws Exception {
        try (ScratchDatabase source = ScratchDatabase.postgres()) {
            source.execute("CREATE TABLE \"Sales Ops\" (id int PRIMARY KEY, note text)",
                    "INSERT INTO \"Sales Ops\" SELECT g, 'row ' || g FROM generate_series(1, 500) g");
            BackupCompleted completed = storePostgresBackup(source);
            Drill drill = drill(budget(Duration.ofMinutes(2), 1L << 30));
            assertThat(drill.run(store, completed).passed()).as("the untouched backup restores").isTrue();
            toolRuns.clear();

            // The tenant rewrites the blob and, to match, the SHA-256 in the manifest beside it.
            String blobName = completed.destination().blobName();
            byte[] bytes = store.readSmall(blobName, Integer.MAX_VALUE - 1).orElseThrow();
            bytes[bytes.length / 2] ^= 0x01;
            store.putSmall(blobName, bytes, Map.of());
            BackupManifest manifest = BackupManifest.parse(store.readSmall(blobName + ".manifest.json", 1 << 20)
                    .orElseThrow());
            store.putSmall(blobName + ".manifest.json", new BackupManifest(manifest.backupId(), manifest.accountId(),
                    manifest.engine(), manifest.serverVersion(), manifest.toolVersion(), manifest.format(),
                    manifest.compression(), manifest.encryption(), manifest.encryptionRecipients(), bytes.length,
                    sha256(bytes), manifest.startedAt(), manifest.endedAt(), manifest.tableCount(),
                    manifest.inventory()).toJson(), Map.of());

            Drill.Finding finding = drill.run(store, completed);

            assertThat(finding.passed()).isFalse();
            assertThat(finding.detail()).isEqualTo("The manifest names SHA-256 " + sha256(bytes)
                    + " but the backup was stored with " + completed.sha256() + ".");
            // The manifest put back, the blob is still not the backup's.
            store.putSmall(blobName + ".manifest.json", manifest.toJson(), Map.of());
            finding = drill.run(store, completed);
            assertThat(finding.detail()).isEqualTo("The stored blob is corrupted: its SHA-256 is " + sha256(bytes)
                    + ", the backup was stored with " + completed.sha256() + ". No restore tool ran on it.");
            // A blob made longer than the backup is not read past the backup's size.
            store.putSmall(blobName, Arrays.copyOf(bytes, bytes.length * 3), Map.of());
            assertThat(drill.run(store, completed).detail()).startsWith("The stored blob is corrupted: it is longer than the "
                    + completed.sizeBytes() + " bytes the backup stored.");
            assertThat(toolRuns).as("no restore tool ran").isEmpty();
            try (var files = Files.list(work.resolve("drill"))) {
                assertThat(files.toList()).as("no copy is left in the drill's staging").isEmpty();
            }
        }
    }

    @Test
    void aRestoreThatOutrunsItsTimeOrByteBudgetIsStopped() throws Exception {
        try (ScratchDatabase source = ScratchDatabase.postgres()) {
            source.execute("CREATE FUNCTION slow(v int) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN"
                            + " IF current_database() LIKE 'drill%' THEN PERFORM pg_sleep(60); END IF; RETURN true; END $$",
                    "CREATE TABLE slow_orders (id int PRIMARY KEY, CHECK (slow(id)))",
                    "INSERT INTO slow_orders VALUES (1)",
                    "CREATE TABLE bulk (id int, filler text)",
                    "INSERT INTO bulk SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g");
            BackupCompleted completed = storePostgresBackup(source);

            long started = System.nanoTime();
            Drill.Finding slow = drill(budget(Duration.ofSeconds(3), 1L << 30)).run(store, completed);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
            assertThat(slow.passed()).isFalse();
            assertThat(slow.detail()).containsPattern("time budget of 3 s|statement timeout");

            Drill.Finding bomb = drill(budget(Duration.ofMinutes(2), 64 * 1024)).run(store, completed);
            assertThat(bomb.passed()).isFalse();
            assertThat(bomb.detail()).isEqualTo("The backup did not restore: pg_restore was stopped: the archive expands"
                    + " past the restore's budget of 65536 bytes");
        }
    }

    @Test
    void aMariadbBackupWithDefinersRestoresAsTheMinimalUserInTheSandbox() throws Exception {
        try (ScratchDatabase source = ScratchDatabase.mariadb()) {
            source.execute("CREATE TABLE `Sales Ops` (id INT PRIMARY KEY, total DECIMAL(10,2))",
                    "INSERT INTO `Sales Ops` VALUES (1, 10.50), (2, 20.25)",
                    "CREATE VIEW `big ones` AS SELECT * FROM `Sales Ops` WHERE total > 15",
                    "CREATE TRIGGER `keep` BEFORE INSERT ON `Sales Ops` FOR EACH ROW SET NEW.total = NEW.total",
                    "CREATE PROCEDURE `Año`() SELECT 1");
            Path dump = work.resolve(UUID.randomUUID() + ".sql");
            Process tool = new ProcessBuilder("mariadb-dump", "--host=127.0.0.1", "--user=root", "--single-transaction",
                    "--routines", "--triggers", "--events", "--default-character-set=utf8mb4", "--", source.name())
                    .redirectOutput(dump.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            assertThat(tool.waitFor()).isZero();
            assertThat(Files.readString(dump)).contains("DEFINER=`root`@");
            Inventory inventory = Restorer.inventory(new DatabaseTarget(Engine.MARIADB, "127.0.0.1", 3306, source.name(), "root"), "");
            BackupCompleted completed = storeBackup(dump, Engine.MARIADB, DumpFormat.MARIADB_SQL, inventory);

            Drill.Finding finding = drill(budget(Duration.ofMinutes(2), 1L << 30)).run(store, completed);

            assertThat(finding.detail()).contains("1 table (2 rows)", "1 view", "1 routine", "1 trigger");
            assertThat(finding.passed()).isTrue();
            assertThat(finding.kind()).isEqualTo(Kind.RESTORE);
        }
    }

    private static void admin(String url, String user, String sql) {
        try (var connection = DriverManager.getConnection(url, user, "");
             var statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private Drill drill(VerifierConfig.Budget budget) {
        VerifierConfig config = new VerifierConfig(Optional.of(pgServer(PG_ROLE)), Optional.of(mariaServer(MARIA_USER)),
                new RetryPolicy(1, Duration.ofSeconds(1), Duration.ofSeconds(1)), budget, 2);
        Restorer restorer = Restorer.standard();
        return new Drill(config, (target, password, clean, dump, untrusted) -> {
            toolRuns.add(target.database());
            restorer.feed(target, password, clean, dump, untrusted);
        });
    }

    private static VerifierConfig.Budget budget(Duration timeout, long maxPlainBytes) {
        return new VerifierConfig.Budget(work.resolve("drill"), timeout, 1L << 30, maxPlainBytes, 1 << 20);
    }

    private static DrillServer pgServer(String user) {
        return new DrillServer(new DatabaseTarget(Engine.POSTGRESQL, "127.0.0.1", 5432, "postgres", user), "");
    }

    private static DrillServer mariaServer(String user) {
        return new DrillServer(new DatabaseTarget(Engine.MARIADB, "127.0.0.1", 3306, "information_schema", user), "");
    }

    /** pg_dump's custom archive of the source, stored uncompressed with its manifest, as a completed backup. */
    private static BackupCompleted storePostgresBackup(ScratchDatabase source) throws Exception {
        Path dump = work.resolve(UUID.randomUUID() + ".archive");
        Process tool = new ProcessBuilder("pg_dump", "--format=custom", "--compress=0", "--host=127.0.0.1",
                "--username=postgres", "--file=" + dump, "--dbname=" + source.name())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        assertThat(tool.waitFor()).isZero();
        Inventory inventory = Restorer.inventory(new DatabaseTarget(Engine.POSTGRESQL, "127.0.0.1", 5432, source.name(),
                "postgres"), "");
        return storeBackup(dump, Engine.POSTGRESQL, DumpFormat.PG_DUMP_CUSTOM, inventory);
    }

    private static BackupCompleted storeBackup(Path archive, Engine engine, DumpFormat format, Inventory inventory)
            throws Exception {
        byte[] bytes = Files.readAllBytes(archive);
        String backupId = UUID.randomUUID().toString();
        String blobName = "backups/Acme Ñandú/" + backupId + ".archive";
        String sha256 = sha256(bytes);
        store.putSmall(blobName, bytes, Map.of());
        store.putSmall(blobName + ".manifest.json", new BackupManifest(backupId, "acme", engine, null, null,
                format, Compression.NONE, Encryption.NONE, List.of(), bytes.length, sha256, null, null,
                inventory.tables().size(), inventory).toJson(), Map.of());
        Instant now = Instant.now();
        return new BackupCompleted(1, UUID.randomUUID().toString(), backupId, "acme", now, Trigger.MANUAL,
                new BlobLocation(Azurite.ACCOUNT_NAME, "drills", blobName, "http://unused"), bytes.length, sha256, engine,
                now.minusSeconds(5), now, List.of(), "main", List.of(), null,
                new ArchiveFormat(format, Compression.NONE, Encryption.NONE), null);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
