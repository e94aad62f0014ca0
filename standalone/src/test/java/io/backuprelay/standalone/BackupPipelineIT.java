package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobProperties;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backuprelay.azurite.AzuriteProcess;
import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupIds;
import io.backuprelay.common.event.BackupOutcome;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.DumpReady;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.DeadLetters;
import io.backuprelay.common.ops.OpsEvent;
import io.backuprelay.common.ops.OpsStage;
import io.backuprelay.common.ops.OpsStatus;
import io.backuprelay.common.secret.SecretContext;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.LiveThreads;
import io.backuprelay.testkit.ScratchDatabase;
import io.backuprelay.testkit.TestKafka;
import io.backuprelay.testkit.TestSmtp;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.format.archive.DumpFormat;
import io.backuprelay.format.archive.Encryption;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup from request to email, through every service wired as the standalone mode wires them,
 * against the real broker, PostgreSQL, Azurite and SMTP server.
 */
class BackupPipelineIT {

    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final String MASTER_KEY = SecretSealer.newBase64Key();

    @TempDir
    static Path dataDir;

    private static Standalone app;
    private static Topics topics;
    private static SecretSealer sealer;
    private static BlobContainerClient container;

    @BeforeAll
    static void startEverything() throws Exception {
        String prefix = TestKafka.uniquePrefix();
        app = TestStack.start(prefix, dataDir, MASTER_KEY, Map.of("SMTP_FROM", "backups@platform.example"));
        topics = app.topics();
        sealer = SecretSealer.ofBase64("k1", MASTER_KEY);
        container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .createBlobContainerIfNotExists("db-backups-" + prefix.replace(".", ""));
    }

    @AfterAll
    static void stopEverything() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void aManualBackupBecomesARestorableBlobOneEmailAndTheLastBackupTime() throws Exception {
        try (ScratchDatabase source = ScratchDatabase.postgres(); ScratchDatabase restored = ScratchDatabase.postgres()) {
            fillWithATypicalSchema(source);
            String accountId = newAccountId();
            String admin = accountId + "-admin@tenant.example";
            register(accountId, admin, source.name(), 5432, "postgres", "");
            registerConnection(accountId, "main", "backups/companyX");

            BackupRequested request = BackupRequested.manual(accountId, "main", admin, Instant.now());
            publish(request);
            BackupOutcome outcome = awaitOutcome(request.backupId());

            assertThat(outcome).isInstanceOf(BackupCompleted.class);
            BackupCompleted completed = (BackupCompleted) outcome;
            String expectedName = "backups/companyX/" + accountId + "/"
                    + DateTimeFormatter.ofPattern("yyyy/MM").withZone(ZoneOffset.UTC).format(request.occurredAt()) + "/"
                    + accountId + "-" + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC)
                    .format(request.occurredAt()) + "-" + request.backupId() + ".dump.zst";
            assertThat(completed.destination().blobName()).isEqualTo(expectedName);
            assertThat(completed.destination().container()).isEqualTo(container.getBlobContainerName());

            var blob = container.getBlobClient(expectedName);
            BlobProperties properties = blob.getProperties();
            assertThat(properties.getBlobSize()).isEqualTo(completed.sizeBytes());
            assertThat(properties.getMetadata()).containsEntry("backupid", request.backupId())
                    .containsEntry("accountid", accountId)
                    .containsEntry("sha256", completed.sha256())
                    .containsEntry("engine", "POSTGRESQL")
                    .containsEntry("format", "pg_dump-custom");

            var manifest = Json.mapper().readTree(container.getBlobClient(expectedName + ".manifest.json")
                    .downloadContent().toBytes());
            assertThat(manifest.get("sha256").asText()).isEqualTo(completed.sha256());
            assertThat(manifest.get("tableCount").asLong()).isEqualTo(3);
            assertThat(manifest.get("format").asText()).isEqualTo("pg_dump-custom");

            Path archive = dataDir.resolve("downloaded.dump.zst");
            blob.downloadToFile(archive.toString(), true);
            Path dump = dataDir.resolve("downloaded.dump");
            run("zstd", "-d", "-q", "-f", archive.toString(), "-o", dump.toString());
            run("pg_restore", "--no-owner", "--exit-on-error", "-h", "127.0.0.1", "-U", "postgres",
                    "-d", restored.name(), dump.toString());
            assertThat(DatabaseFingerprint.of(restored)).isEqualTo(DatabaseFingerprint.of(source));
            assertThat(DatabaseFingerprint.of(restored).tables()).hasSize(3);

            await().atMost(PATIENCE).until(() -> TestSmtp.messagesTo(admin).size() == 1);
            MimeMessage email = TestSmtp.messagesTo(admin).getFirst();
            assertThat(email.getSubject()).isEqualTo("Database backup completed — Tenant " + accountId);
            assertThat(TestSmtp.text(email)).contains(expectedName).contains(container.getBlobContainerName())
                    .contains(Azurite.ACCOUNT_NAME);

            BackupStatus status = awaitStatus(accountId, s -> s.lastSuccessAt() != null);
            assertThat(status.lastSuccessAt()).isEqualTo(completed.endedAt());
            assertThat(status.inFlight()).isNull();
            await().atMost(PATIENCE).until(() -> stagingFiles().isEmpty());
            // The outcome is mailed once, even while the services keep running.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                    .until(() -> TestSmtp.messagesTo(admin).size() == 1);

            // Every stage of its life is on backup.ops, and the instance's heartbeat with them.
            await().atMost(PATIENCE).untilAsserted(() -> {
                List<OpsEvent> ops = KafkaProbe.records(topics.ops())
                        .stream().map(r -> Json.decode(r.value(), OpsEvent.class)).toList();
                assertThat(ops.stream().filter(e -> request.backupId().equals(e.backupId()))
                        .map(e -> e.stage() + " " + e.status()).toList())
                        .contains("DUMP STARTED", "DUMP FINISHED", "UPLOAD STARTED", "UPLOAD FINISHED", "VERIFY PASSED",
                                "NOTIFY SENT");
                // Overlap is on by default: the dump announced its archive, and the upload followed it.
                assertThat(ops).anyMatch(e -> request.backupId().equals(e.backupId())
                        && e.stage() == OpsStage.UPLOAD
                        && e.status() == OpsStatus.STARTED
                        && String.valueOf(e.detail()).endsWith("(while dumped)"));
                assertThat(eventsOf(request.backupId()).stream().filter(json -> json.contains("\"type\":\"dump."))
                        .map(json -> json.contains("\"dump.started\"") ? "dump.started" : "dump.ready").toList())
                        .containsExactly("dump.started", "dump.ready");
                assertThat(ops).anyMatch(e -> e.stage() == OpsStage.INSTANCE
                        && e.status() == OpsStatus.HEARTBEAT && "standalone".equals(e.worker()));
            });
        }
    }

    @Test
    void anArchiveAlteredInStagingIsNeverStoredAndTheBackupRecoversWithAFreshDump() throws Exception {
        try (ScratchDatabase source = ScratchDatabase.postgres()) {
            fillWithATypicalSchema(source);
            String accountId = newAccountId();
            String admin = accountId + "-admin@tenant.example";
            register(accountId, admin, source.name(), 5432, "postgres", "");
            registerConnection(accountId, "main", "backups");
            // As if the staged archive had changed on disk after the dump: same size, one byte flipped.
            byte[] dumped = new byte[64 * 1024];
            new Random(3).nextBytes(dumped);
            String dumpedSha256 = sha256(dumped);
            byte[] altered = dumped.clone();
            altered[12_345] ^= 0x10;
            Instant now = Instant.now();
            String backupId = BackupIds.newManual(now);
            Path staging = Files.createDirectories(dataDir.resolve("staging"));
            Files.write(staging.resolve(backupId + ".altered.archive"), altered);
            publishDump(new DumpReady(1, UUID.randomUUID().toString(), backupId, accountId, now,
                    Trigger.MANUAL, "main", now, backupId + ".altered.archive", dumped.length,
                    dumpedSha256, Engine.POSTGRESQL, "15", DumpFormat.PG_DUMP_CUSTOM, Compression.ZSTD, Encryption.NONE,
                    now, now, 1, null, now, admin, 0, List.of(), null));

            BackupOutcome outcome = awaitOutcome(backupId);

            assertThat(outcome).isInstanceOf(BackupCompleted.class);
            BackupCompleted completed = (BackupCompleted) outcome;
            assertThat(KafkaProbe.records(topics.requests()).stream()
                    .filter(r -> new String(r.value(), StandardCharsets.UTF_8).contains(backupId))
                    .map(r -> Json.decode(r.value(), BackupRequested.class))
                    .filter(r -> r.backupId().equals(backupId)).toList())
                    .as("the upload worker asked for a fresh dump").singleElement()
                    .satisfies(again -> assertThat(again.redumps()).isEqualTo(1));
            assertThat(completed.sha256()).isNotEqualTo(dumpedSha256);
            byte[] stored = container.getBlobClient(completed.destination().blobName()).downloadContent().toBytes();
            assertThat(sha256(stored)).as("what is stored is the fresh dump, whole").isEqualTo(completed.sha256());
            assertThat(container.listBlobs().stream().map(b -> b.getName())
                    .filter(name -> name.contains(backupId) && !name.endsWith(".manifest.json")).toList())
                    .as("one backup, one blob").hasSize(1);
            assertThat(completed.checks()).contains("SHA256_OF_BYTES_SENT", "CRC64_PER_BLOCK");
        }
    }

    @Test
    void anUnreachableDatabaseFailsWithAReasonAndAnEmail() throws Exception {
        String accountId = newAccountId();
        String admin = accountId + "-admin@tenant.example";
        register(accountId, admin, "app_db", 1, "app", "db-password-" + UUID.randomUUID());
        registerConnection(accountId, "main", "");

        BackupRequested request = BackupRequested.manual(accountId, "main", admin, Instant.now());
        publish(request);
        BackupFailed failed = (BackupFailed) awaitOutcome(request.backupId());

        assertThat(failed.stage()).isEqualTo(FailureStage.DUMP);
        assertThat(failed.reason()).isEqualTo("Cannot reach the database server 127.0.0.1:1 (connection refused)."
                + " Check that it is running and accepts connections from the backup service.");
        String body = awaitOneEmail(admin);
        assertThat(body).contains("Database dump").contains(failed.reason());
        assertThat(stagingFiles()).isEmpty();
    }

    @Test
    void aWrongPasswordFailsWithAReasonThatNeverShowsThePassword() throws Exception {
        try (ScratchDatabase source = ScratchDatabase.postgres()) {
            String user = "br_user_" + UUID.randomUUID().toString().substring(0, 8);
            source.admin("CREATE ROLE " + user + " LOGIN PASSWORD 'the-right-one' IN ROLE backuprelay_password_auth");
            String wrongPassword = "wrong-" + UUID.randomUUID();
            String accountId = newAccountId();
            String admin = accountId + "-admin@tenant.example";
            register(accountId, admin, source.name(), 5432, user, wrongPassword);
            registerConnection(accountId, "main", "");
            try {
                BackupRequested request = BackupRequested.manual(accountId, "main", admin, Instant.now());
                publish(request);
                BackupFailed failed = (BackupFailed) awaitOutcome(request.backupId());

                assertThat(failed.stage()).isEqualTo(FailureStage.DUMP);
                assertThat(failed.reason()).isEqualTo("The database server 127.0.0.1:5432 rejected the username '"
                        + user + "' or its password. Update the database credentials registered for this account.");
                String body = awaitOneEmail(admin);
                assertThat(body).contains(failed.reason()).doesNotContain(wrongPassword);
                assertThat(eventsOf(request.backupId())).allSatisfy(json -> assertThat(json).doesNotContain(wrongPassword));
                assertThat(stagingFiles()).isEmpty();
            } finally {
                source.admin("DROP ROLE IF EXISTS " + user);
            }
        }
    }

    @Test
    void aMalformedRequestIsDeadLetteredAndTheNextRequestStillRuns() throws Exception {
        String accountId = newAccountId();
        String admin = accountId + "-admin@tenant.example";
        register(accountId, admin, "app_db", 1, "app", "x");
        registerConnection(accountId, "main", "");

        KafkaProbe.send(topics.requests(), accountId, "{\"type\":\"backup.requested\",\"backupId\":".getBytes(StandardCharsets.UTF_8));
        BackupRequested next = BackupRequested.manual(accountId, "main", admin, Instant.now());
        publish(next);

        assertThat(awaitOutcome(next.backupId())).isInstanceOf(BackupFailed.class);
        List<ConsumerRecord<String, byte[]>> dead = KafkaProbe.records(topics.deadLetters()).stream()
                .filter(r -> accountId.equals(r.key())).toList();
        assertThat(dead).hasSize(1);
        ConsumerRecord<String, byte[]> letter = dead.getFirst();
        assertThat(header(letter, DeadLetters.SOURCE_TOPIC)).isEqualTo(topics.requests());
        assertThat(header(letter, DeadLetters.SOURCE_PARTITION)).matches("[0-2]");
        assertThat(header(letter, DeadLetters.SOURCE_OFFSET)).matches("\\d+");
        assertThat(header(letter, DeadLetters.ERROR)).startsWith("Not a valid BackupRequested");
        assertThat(new String(letter.value(), StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"backup.requested\",\"backupId\":");
    }

    @Test
    void aDumpNamingACompressionThisVersionDoesNotKnowIsDeadLetteredNamingIt() throws Exception {
        String accountId = newAccountId();
        Instant now = Instant.now();
        String backupId = BackupIds.newManual(now);
        DumpReady dump = new DumpReady(1, UUID.randomUUID().toString(), backupId, accountId, now, Trigger.MANUAL, "main",
                now, backupId + ".newer.archive", 10, "abc", Engine.POSTGRESQL, "15", DumpFormat.PG_DUMP_CUSTOM,
                Compression.ZSTD, Encryption.NONE, now, now, 1, null, now, null, 0, List.of(), null);
        ObjectNode fromANewerWriter = (ObjectNode) Json.mapper().readTree(Json.encode(dump));
        fromANewerWriter.put("compression", "lz4");
        KafkaProbe.send(topics.dumps(), accountId, Json.encode(fromANewerWriter));

        ConsumerRecord<String, byte[]> letter = await().atMost(PATIENCE).until(() -> KafkaProbe.records(topics.deadLetters())
                .stream().filter(r -> accountId.equals(r.key())).findFirst(), Optional::isPresent).get();
        assertThat(header(letter, DeadLetters.SOURCE_TOPIC)).isEqualTo(topics.dumps());
        assertThat(header(letter, DeadLetters.ERROR)).startsWith("Not a valid BackupEvent").contains("'lz4'");
    }

    // ---- what the platform's operators and the super-administrator would have registered ----

    private static String newAccountId() {
        return "acct-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * The alert rules and the dashboard in deploy/ name only series a running stack exports (after a
     * backup has run, so the timers and the consumers' lag exist). {@code up} is Prometheus' own.
     */
    @Test
    void everyMetricTheAlertsAndTheDashboardNameIsExported() throws Exception {
        Path deploy = AzuriteProcess.home().getParent().getParent().resolve("deploy");
        String rules = Files.readString(deploy.resolve("prometheus/backuprelay-alerts.yml"));
        String dashboard = Files.readString(deploy.resolve("grafana/backuprelay-dashboard.json"));
        Set<String> named = new TreeSet<>();
        Matcher metric = Pattern.compile("\\b((?:backuprelay|kafka|http|jvm)_[a-z_]+)\\b")
                .matcher(rules + dashboard);
        while (metric.find()) {
            named.add(metric.group(1));
        }
        assertThat(named).contains("backuprelay_jobs_dead_lettered_total", "backuprelay_upload_retrying_seconds",
                "kafka_consumer_fetch_manager_records_lag_max", "backuprelay_backups_overdue_total");

        String scrapeUrl = "http://127.0.0.1:" + app.shell().port() + "/metrics";
        HttpClient http = HttpClient.newHttpClient();
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.consolePort()
                + "/health/ready")).build(), HttpResponse.BodyHandlers.discarding()); // a console request
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
            String scrape = http.send(HttpRequest.newBuilder(URI.create(scrapeUrl)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Set<String> exported = scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                    .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toSet());
            assertThat(exported).as("series of the running stack").containsAll(named);
        });
    }

    /**
     * The services of the one JVM read each compacted topic with one thread between them (issue 30: there
     * were 27, one per service and topic), and send their ops events, events, heartbeats, sent-mail records
     * and console writes through one producer; each still lists the views it reads in health. The backups
     * of the other tests went through these shared clients.
     */
    @Test
    void theServicesReadEachCompactedTopicWithOneThreadAndSendWithOneProducer() throws Exception {
        List<String> readers = liveThreads().filter(name -> name.startsWith("view-" + topics.prefix())).toList();
        assertThat(readers).containsExactlyInAnyOrder("view-" + topics.accounts(), "view-" + topics.settings(),
                "view-" + topics.connections(), "view-" + topics.status(), "view-" + topics.channels(),
                "view-" + topics.notifications());
        List<String> services = List.of("dump-worker", "upload-worker", "notifier", "verifier", "copier", "console");
        assertThat(liveThreads()).as("no service reads a topic with a thread of its own (view-<service>-<topic>)")
                .noneMatch(name -> services.stream().anyMatch(service -> name.startsWith("view-" + service + "-")));
        String producers = "kafka-producer-network-thread | ";
        assertThat(liveThreads()).as("one producer for the plain records").contains(producers + "shared-producer")
                .doesNotContain(producers + "dump-worker-ops", producers + "dump-worker-events", producers + "console",
                        producers + "notifier-sent", producers + "copier-events", producers + "verifier-ops",
                        producers + "standalone-heartbeat-" + app.kafka().instanceId());

        String health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + app.shell().port() + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(health).as("each service lists the views it reads").contains("\"view-dump-worker-accounts\"",
                "\"view-upload-worker-connections\"", "\"view-notifier-sent\"", "\"view-notifier-channels\"",
                "\"view-verifier-status\"", "\"view-copier-settings\"", "\"view-console-channels\"");
    }

    /** Virtual threads included: from JDK 25 a view's reader runs on one. */
    private static Stream<String> liveThreads() {
        return LiveThreads.names().stream();
    }

    private static void register(String accountId, String admin, String database, int port, String user, String password) {
        Account account = new Account(accountId, "Tenant " + accountId, "en", "Europe/Lisbon", List.of(admin),
                new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", port, database, user,
                        sealer.seal(password, SecretContext.databasePassword(accountId,
                                Engine.POSTGRESQL, "127.0.0.1", port, database, user))));
        KafkaProbe.send(topics.accounts(), accountId, Json.encode(account));
    }

    private static void registerConnection(String accountId, String connectionId, String path) {
        Connection connection = new Connection(accountId, connectionId, ConnectionType.AZURE_BLOB, "Main backups",
                Azurite.ACCOUNT_NAME, container.getBlobContainerName(), path,
                sealer.seal(Azurite.ACCOUNT_KEY, SecretContext.accessKey(accountId, connectionId,
                        Azurite.blobEndpoint(), Azurite.ACCOUNT_NAME, container.getBlobContainerName())), true,
                Azurite.blobEndpoint(), null, null, null, null);
        KafkaProbe.send(topics.connections(), connection.key(), Json.encode(connection));
    }

    private static void publishDump(DumpReady dump) {
        KafkaProbe.send(topics.dumps(), dump.accountId(), Json.encode(dump));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static void publish(BackupRequested request) {
        KafkaProbe.send(topics.requests(), request.accountId(), Json.encode(request));
    }

    // ---- what a person would look at ----

    private static BackupOutcome awaitOutcome(String backupId) {
        return await().atMost(PATIENCE).until(() -> KafkaProbe.records(topics.outcomes()).stream()
                .map(r -> Json.decode(r.value(), BackupEvent.class))
                .filter(BackupOutcome.class::isInstance)
                .map(BackupOutcome.class::cast)
                .filter(o -> o.backupId().equals(backupId))
                .findFirst(), Optional::isPresent).orElseThrow();
    }

    private static BackupStatus awaitStatus(String accountId, Predicate<BackupStatus> condition) {
        return await().atMost(PATIENCE).until(() -> KafkaProbe.records(topics.status()).stream()
                .filter(r -> accountId.equals(r.key()))
                .map(r -> Json.decode(r.value(), BackupStatus.class))
                .reduce((first, second) -> second), s -> s.isPresent() && condition.test(s.get())).orElseThrow();
    }

    private static String awaitOneEmail(String recipient) throws Exception {
        await().atMost(PATIENCE).until(() -> TestSmtp.messagesTo(recipient).size() == 1);
        return TestSmtp.text(TestSmtp.messagesTo(recipient).getFirst());
    }

    private static List<String> eventsOf(String backupId) {
        return Stream.of(topics.requests(), topics.dumps(), topics.outcomes(), topics.status())
                .flatMap(t -> KafkaProbe.records(t).stream())
                .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .filter(json -> json.contains(backupId))
                .toList();
    }

    private static List<String> stagingFiles() throws IOException {
        Path staging = dataDir.resolve("staging");
        if (!Files.isDirectory(staging)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(staging)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static void fillWithATypicalSchema(ScratchDatabase db) {
        db.execute(
                "CREATE SEQUENCE invoice_number START 1000",
                "CREATE TABLE customer (id serial PRIMARY KEY, name text NOT NULL, city text, created_at timestamptz NOT NULL DEFAULT now())",
                "CREATE TABLE invoice (id bigserial PRIMARY KEY, number bigint NOT NULL DEFAULT nextval('invoice_number'),"
                        + " customer_id int NOT NULL REFERENCES customer(id), amount numeric(12,2) NOT NULL, note text)",
                "CREATE TABLE audit_log (id bigserial PRIMARY KEY, payload jsonb NOT NULL)",
                "CREATE INDEX invoice_by_customer ON invoice (customer_id, amount)",
                "INSERT INTO customer (name, city) SELECT 'Customer ' || g, (ARRAY['Lisboa','São Paulo','Zürich','東京'])[1 + g % 4]"
                        + " FROM generate_series(1, 2000) g",
                "INSERT INTO customer (name, city) VALUES ('Ñandú Ltda — «façade» 🦜', 'Málaga')",
                "INSERT INTO invoice (customer_id, amount, note) SELECT 1 + g % 2000, (g * 7 % 10000) / 100.0,"
                        + " CASE WHEN g % 3 = 0 THEN 'paid' END FROM generate_series(1, 5000) g",
                "INSERT INTO audit_log (payload) SELECT jsonb_build_object('event', 'login', 'n', g) FROM generate_series(1, 1500) g",
                "CREATE VIEW big_invoices AS SELECT c.name, i.amount FROM invoice i JOIN customer c ON c.id = i.customer_id WHERE i.amount > 90");
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
    }
}
