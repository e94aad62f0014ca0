package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.RestoreDrill;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.DrillOutcome;
import io.backuprelay.common.event.RestoreFailed;
import io.backuprelay.common.event.RestoreVerified;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.secret.SecretContext;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.ScratchDatabase;
import io.backuprelay.testkit.TestKafka;
import io.backuprelay.testkit.TestSmtp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restore drill, with every service wired as the standalone mode wires them and a drill server
 * (this machine's PostgreSQL, scratch databases of its own): a completed backup is restored and
 * compared without a single connection to the tenant's database, and a blob damaged in Azure after
 * it was stored is caught and mailed to the super-administrator in their language.
 */
class RestoreDrillIT {

    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final String MASTER_KEY = SecretSealer.newBase64Key();

    @TempDir
    static Path dataDir;

    private static Standalone app;
    private static Topics topics;
    private static SecretSealer sealer;
    private static BlobContainerClient container;

    /** A minimal drill role, as docs/configuration.md tells operators to make: the verifier refuses a superuser. */
    private static final String DRILL_ROLE = "br_drill_" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void startEverything() throws Exception {
        postgresAdmin("CREATE ROLE " + DRILL_ROLE + " LOGIN CREATEDB");
        String prefix = TestKafka.uniquePrefix();
        app = TestStack.start(prefix, dataDir, MASTER_KEY, Map.of(
                "DRILL_POSTGRES_URL", "postgresql://" + DRILL_ROLE + "@127.0.0.1:5432/postgres",
                "SMTP_FROM", "backups@platform.example"));
        topics = app.topics();
        sealer = SecretSealer.ofBase64("k1", MASTER_KEY);
        container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .createBlobContainerIfNotExists("drills-" + prefix.replace(".", ""));
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (app != null) {
            app.close();
        }
        postgresAdmin("DROP ROLE IF EXISTS " + DRILL_ROLE);
    }

    private static void postgresAdmin(String sql) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
             Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void aBackupIsRestoredAndComparedWithoutTouchingTheSourceAndADamagedBlobIsCaughtAndMailed() throws Exception {
        try (ScratchDatabase source = ScratchDatabase.postgres()) {
            source.execute(
                    "CREATE TABLE customer (id serial PRIMARY KEY, name text NOT NULL)",
                    "CREATE TABLE invoice (id bigserial PRIMARY KEY, customer_id int REFERENCES customer(id), total numeric)",
                    "INSERT INTO customer (name) SELECT 'Cliente ' || g FROM generate_series(1, 3000) g",
                    "INSERT INTO invoice (customer_id, total) SELECT 1 + g % 3000, g * 0.5 FROM generate_series(1, 9000) g",
                    "CREATE VIEW big AS SELECT * FROM invoice WHERE total > 100",
                    "CREATE FUNCTION keep() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'",
                    "CREATE TRIGGER keep_invoice BEFORE INSERT ON invoice FOR EACH ROW EXECUTE FUNCTION keep()");
            String accountId = "acct-" + UUID.randomUUID().toString().substring(0, 8);
            String admin = accountId + "-admin@tenant.example";
            KafkaProbe.send(topics.accounts(), accountId, Json.encode(new Account(accountId, "Tenant " + accountId, "es",
                    "Europe/Madrid", List.of(admin), new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", 5432,
                    source.name(), "postgres", sealer.seal("", SecretContext.databasePassword(accountId,
                    Engine.POSTGRESQL, "127.0.0.1", 5432, source.name(), "postgres"))))));
            Connection connection = new Connection(accountId, "main", ConnectionType.AZURE_BLOB, "Main", Azurite.ACCOUNT_NAME,
                    container.getBlobContainerName(), "backups", sealer.seal(Azurite.ACCOUNT_KEY, SecretContext.accessKey(accountId, "main",
                    Azurite.blobEndpoint(), Azurite.ACCOUNT_NAME, container.getBlobContainerName())), true,
                    Azurite.blobEndpoint(), null, null, null, null);
            KafkaProbe.send(topics.connections(), connection.key(), Json.encode(connection));
            settings(accountId, RestoreDrill.OFF);

            BackupRequested request = BackupRequested.manual(accountId, "main", admin, Instant.now());
            KafkaProbe.send(topics.requests(), accountId, Json.encode(request));
            BackupCompleted completed = await().atMost(PATIENCE).until(() -> events(BackupCompleted.class).stream()
                    .filter(c -> c.backupId().equals(request.backupId())).findFirst(), Optional::isPresent)
                    .orElseThrow();
            await().atMost(PATIENCE).until(() -> TestSmtp.messagesTo(admin).size() == 1); // the success email
            assertThat(events(DrillOutcome.class)).as("the drill is off for this account").isEmpty();

            // From here on, nothing may connect to the tenant's database.
            long sessionsBefore = sessions(source.name());
            assertThat(sessionsBefore).as("the dump's own sessions are counted").isPositive();
            Set<String> seen = ConcurrentHashMap.newKeySet();
            AtomicBoolean watching = new AtomicBoolean(true);
            Thread watcher = Thread.ofVirtual().start(() -> watch(source.name(), seen, watching));

            settings(accountId, RestoreDrill.EVERY_BACKUP);
            // The same outcome again, as a redelivery would bring it, until the verifier has seen the new policy.
            RestoreVerified verified = await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(3)).until(() -> {
                if (!drillStarted(completed.backupId())) {
                    KafkaProbe.send(topics.outcomes(), accountId, Json.encode(completed));
                }
                return events(RestoreVerified.class).stream().filter(v -> v.backupId().equals(completed.backupId()))
                        .findFirst();
            }, Optional::isPresent).orElseThrow();
            await().atMost(PATIENCE).until(() -> scratchDatabases().isEmpty()); // any drill still running has ended
            watching.set(false);
            watcher.join();
            assertThat(verified.kind()).isEqualTo(DrillOutcome.Kind.RESTORE);
            assertThat(verified.detail()).isEqualTo("2 tables (12,000 rows), 1 view, 2 sequences, 1 routine, 1 trigger");
            assertThat(seen).as("backends on the tenant's database during the drill").isEmpty();
            assertThat(sessions(source.name())).as("sessions ever opened on the tenant's database").isEqualTo(sessionsBefore);
            assertThat(scratchDatabases()).as("the scratch database is dropped").isEmpty();
            BackupStatus status = awaitStatus(accountId, s -> s.lastVerifiedRestore().isPresent());
            assertThat(status.lastVerifiedRestore().get().backupId()).isEqualTo(completed.backupId());

            // The next backup's email says when a restore was last proved: the first backup's drill, or the
            // next one's own when its drill (every backup, on a small database) ended before the email went.
            BackupRequested next = BackupRequested.manual(accountId, "main", admin, Instant.now());
            KafkaProbe.send(topics.requests(), accountId, Json.encode(next));
            await().atMost(PATIENCE).until(() -> TestSmtp.messagesTo(admin).size() == 2);
            assertThat(TestSmtp.text(TestSmtp.messagesTo(admin).get(1))).contains(next.backupId())
                    .containsPattern("Última restauración verificada: +.*, copia (" + completed.backupId() + "|"
                            + next.backupId() + ") \\(restaurada en una base de datos temporal");

            // A byte of the stored blob flipped in Azure, after the commit: the next drill catches it.
            var blob = container.getBlobClient(completed.destination().blobName());
            byte[] bytes = blob.downloadContent().toBytes();
            bytes[bytes.length / 2] ^= 0x01;
            blob.upload(BinaryData.fromBytes(bytes), true);
            KafkaProbe.send(topics.outcomes(), accountId, Json.encode(completed));

            RestoreFailed failed = await().atMost(PATIENCE).until(() -> events(RestoreFailed.class).stream()
                    .filter(f -> f.backupId().equals(completed.backupId())).findFirst(), Optional::isPresent)
                    .orElseThrow();
            assertThat(failed.detail()).startsWith("The stored blob is corrupted: its SHA-256 is ")
                    .endsWith("the backup was stored with " + completed.sha256() + ". No restore tool ran on it.");
            await().atMost(PATIENCE).until(() -> TestSmtp.messagesTo(admin).size() == 3);
            var mail = TestSmtp.messagesTo(admin).get(2);
            assertThat(mail.getSubject()).isEqualTo("Una copia de seguridad no pasó la prueba de restauración — Tenant "
                    + accountId);
            assertThat(TestSmtp.text(mail)).contains(completed.backupId()).contains("The stored blob is corrupted")
                    .contains("no confíe en esta copia");
            BackupStatus after = awaitStatus(accountId, s -> s.recent().stream().anyMatch(o -> o.backupId()
                    .equals(completed.backupId()) && o.restoreCheck() != null && !o.restoreCheck().passed()));
            assertThat(after.recent().stream().filter(o -> o.backupId().equals(completed.backupId())).findFirst()
                    .orElseThrow().restoreCheck().detail()).startsWith("The stored blob is corrupted");
            assertThat(scratchDatabases()).isEmpty();
        }
    }

    /** Whether the verifier said it started a drill of this backup (on backup.ops). */
    private static boolean drillStarted(String backupId) {
        return KafkaProbe.records(topics.ops()).stream().map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .anyMatch(json -> json.contains(backupId) && json.contains("\"DRILL\"") && json.contains("\"STARTED\""));
    }

    private static void settings(String accountId, RestoreDrill drill) {
        KafkaProbe.send(topics.settings(), accountId, Json.encode(new BackupSettings(accountId, BackupType.MANUAL, "main",
                null, null, null, drill)));
    }

    private static <T extends BackupEvent> List<T> events(Class<T> type) {
        return KafkaProbe.records(topics.outcomes()).stream()
                .map(r -> Json.decode(r.value(), BackupEvent.class))
                .filter(type::isInstance).map(type::cast).toList();
    }

    private static BackupStatus awaitStatus(String accountId, Predicate<BackupStatus> condition) {
        return await().atMost(PATIENCE).until(() -> KafkaProbe.records(topics.status()).stream()
                .filter(r -> accountId.equals(r.key()))
                .map(r -> Json.decode(r.value(), BackupStatus.class))
                .reduce((first, second) -> second), s -> s.isPresent() && condition.test(s.get())).orElseThrow();
    }

    /** Sessions ever established to the database, as PostgreSQL counts them. */
    private static long sessions(String database) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("SELECT pg_stat_clear_snapshot()");
            try (ResultSet rs = s.executeQuery("SELECT sessions FROM pg_stat_database WHERE datname = '" + database + "'")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Every backend on {@code database}, sampled every 20 ms from another database, while {@code watching}. */
    private static void watch(String database, Set<String> seen, AtomicBoolean watching) {
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
             Statement s = c.createStatement()) {
            while (watching.get()) {
                try (ResultSet rs = s.executeQuery("SELECT pid, application_name FROM pg_stat_activity WHERE datname = '"
                        + database + "'")) {
                    while (rs.next()) {
                        seen.add(rs.getLong(1) + " " + rs.getString(2));
                    }
                }
                Thread.sleep(20);
            }
        } catch (Exception e) {
            seen.add("the watcher failed: " + e);
        }
    }

    private static List<String> scratchDatabases() throws Exception {
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'drill\\_%'")) {
            List<String> names = new ArrayList<>();
            while (rs.next()) {
                names.add(rs.getString(1));
            }
            return names;
        }
    }
}
