package io.backuprelay.standalone.copies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupOutcome;
import io.backuprelay.common.event.CopyFailed;
import io.backuprelay.common.event.CopyStored;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenMinter;
import io.backuprelay.standalone.Standalone;
import io.backuprelay.standalone.restore.RestoreCommand;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.S3Mock;
import io.backuprelay.testkit.ScratchDatabase;
import io.backuprelay.testkit.TcpProxy;
import io.backuprelay.testkit.TestKafka;
import io.backuprelay.testkit.TestSmtp;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 3-2-1 through the whole stack: an account whose backups go to an Azure container (Azurite) and are copied to an
 * S3 bucket (S3Mock, behind a proxy the test can cut), through the console's API as a super-administrator sets it
 * up, every service as the standalone mode runs them.
 *
 * <p>The outage lasts {@code -Dcopies.outage} (30 s by default; {@code PT10M} for the run docs/copies.md reports).
 */
class CopiesIT {

    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final Duration OUTAGE = Duration.parse(System.getProperty("copies.outage", "PT30S"));
    private static final String JWT_SECRET = "copies-" + UUID.randomUUID();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dataDir;

    private static Standalone app;
    private static BlobContainerClient container;
    private static TcpProxy s3;
    private static String s3Endpoint;
    private static TokenMinter minter;

    @BeforeAll
    static void startEverything() throws Exception {
        String prefix = TestKafka.uniquePrefix();
        s3 = TcpProxy.start(URI.create(S3Mock.endpoint()).getPort(), 27);
        s3Endpoint = "http://127.0.0.1:" + s3.port();
        Map<String, String> settings = new LinkedHashMap<>(Map.ofEntries(
                Map.entry("KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers()),
                Map.entry("BACKUPRELAY_TOPIC_PREFIX", prefix),
                Map.entry("BACKUPRELAY_TOPIC_PARTITIONS", "3"),
                Map.entry("SERVICE_PORT", "0"),
                Map.entry("BACKUPRELAY_DATA_DIR", dataDir.toString()),
                Map.entry("BACKUPRELAY_MASTER_KEY", SecretSealer.newBase64Key()),
                Map.entry("SMTP_HOST", "127.0.0.1"),
                Map.entry("SMTP_PORT", Integer.toString(TestSmtp.port())),
                Map.entry("SMTP_SECURITY", "NONE"),
                Map.entry("SMTP_FROM", "backups@platform.example"),
                Map.entry("CONSOLE_PORT", "0"),
                Map.entry("CONSOLE_JWT_SECRET", JWT_SECRET),
                Map.entry("CONSOLE_MANUAL_BACKUPS_PER_DAY", "100"),
                // Quick tries: the outage is waited out within a test, and a copy still given up after 30 min.
                Map.entry("COPY_RETRY_INITIAL", "PT1S"),
                Map.entry("COPY_RETRY_MAX", "PT5S"),
                Map.entry("COPY_RETRY_BUDGET", "PT30M")));
        app = Standalone.startWithEndpoints(new ConfigSource(settings),
                policy -> policy.alsoAllowing(Azurite.origin()).alsoAllowing(s3Endpoint));
        container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .createBlobContainerIfNotExists("copies-" + prefix.replaceAll("[^a-z0-9]", ""));
        minter = new TokenMinter(JWT_SECRET.getBytes(StandardCharsets.UTF_8), null);
    }

    @AfterAll
    static void stopEverything() {
        if (app != null) {
            app.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void eachBackupIsStoredInAzureAndCopiedToS3VerifiedRestorableFromEitherAndEachSideKeepsItsOwnNumber()
            throws Exception {
        try (ScratchDatabase source = ScratchDatabase.postgres(); ScratchDatabase fromAzure = ScratchDatabase.postgres();
             ScratchDatabase fromS3 = ScratchDatabase.postgres()) {
            fill(source);
            Tenant tenant = Tenant.register(source, newBucket(false), null, 2, 3);

            List<BackupCompleted> backups = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                BackupCompleted backup = completed(tenant.requestBackup());
                CopyStored copy = awaitCopy(backup.backupId());
                assertThat(copy.sha256()).isEqualTo(backup.sha256());
                assertThat(copy.connectionId()).isEqualTo(tenant.offsite);
                assertThat(sha256Of(tenant.bucket, copy.location().blobName())).as("the copy's bytes, read from S3")
                        .isEqualTo(backup.sha256());
                assertThat(S3Mock.client().headObject(h -> h.bucket(tenant.bucket).key(copy.location().blobName()
                        + ".manifest.json")).contentLength()).as("its manifest beside it").isPositive();
                backups.add(backup);
            }

            await().atMost(PATIENCE).untilAsserted(() -> {
                assertThat(backupsInAzure(tenant)).as("the destination keeps 2").hasSize(2);
                assertThat(backupsInS3(tenant)).as("the copy destination keeps 3").hasSize(3);
            });
            BackupCompleted latest = backups.getLast();
            assertThat(backupsInS3(tenant)).anyMatch(name -> name.contains(latest.backupId()));

            assertThat(restore(tenant, fromS3, "--bucket", tenant.bucket, "--region", S3Mock.REGION, "--endpoint",
                    s3Endpoint, "--path-style", "--path", tenant.prefix)).isZero();
            assertThat(restore(tenant, fromAzure, "--storage-account", Azurite.ACCOUNT_NAME, "--container",
                    container.getBlobContainerName(), "--endpoint", Azurite.blobEndpoint(), "--path", "backups")).isZero();
            assertThat(count(fromS3)).isEqualTo(count(source));
            assertThat(count(fromAzure)).isEqualTo(count(source));

            BackupStatus status = awaitStatus(tenant.accountId, s -> s.recent().size() == 4
                    && s.recent().stream().allMatch(o -> o.copy(tenant.offsite).map(c -> c.state()
                    == BackupStatus.CopyState.State.STORED).orElse(false)));
            assertThat(status.lastSuccessBackupId()).as("the destination's").isEqualTo(latest.backupId());
            JsonNode page = tenant.backupsPage();
            assertThat(page.toString()).contains(tenant.offsite).contains("STORED");
            String link = call("POST", "/api/accounts/" + tenant.accountId + "/backups/" + latest.backupId()
                    + "/download?copy=" + tenant.offsite, tenant.superadmin, null, 200).get("url").asText();
            HttpResponse<byte[]> downloaded = HTTP.send(HttpRequest.newBuilder(URI.create(link)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(downloaded.statusCode()).isEqualTo(200);
            assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(downloaded.body())))
                    .as("the copy downloaded from S3 with the page's link").isEqualTo(latest.sha256());
        }
    }

    @Test
    void aCopyDestinationDownWhileBackupsCompleteGetsEveryCopyAfterTheOutageAndTheEmailAndPageSaySo() throws Exception {
        try (ScratchDatabase source = ScratchDatabase.postgres()) {
            fill(source);
            Tenant tenant = Tenant.register(source, newBucket(false), null, null, null);
            Instant cut = Instant.now();
            Thread outage = Thread.ofVirtual().start(() -> {
                try {
                    s3.refuseFor(OUTAGE);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            List<BackupCompleted> during = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                during.add(completed(tenant.requestBackup()));
            }
            Instant completedAt = Instant.now();
            BackupStatus retrying = awaitStatus(tenant.accountId, s -> s.recent().stream().anyMatch(o -> o.copy(
                    tenant.offsite).map(c -> c.state() == BackupStatus.CopyState.State.RETRYING).orElse(false)));
            String pageWhileDown = tenant.backupsPage().toString();
            outage.join();

            assertThat(Duration.between(cut, completedAt)).as("every backup is complete while the copies wait")
                    .isLessThan(OUTAGE);
            assertThat(retrying.lastSuccessBackupId()).isIn(during.stream().map(BackupCompleted::backupId).toList());
            assertThat(pageWhileDown).contains("RETRYING");
            // One account's copies run one at a time: the first is tried until the bucket answers, the next follows.
            assertThat(awaitCopy(during.getFirst().backupId()).attempt()).as("it arrived after failed tries")
                    .isGreaterThan(1);
            for (BackupCompleted backup : during) {
                CopyStored copy = awaitCopy(backup.backupId());
                assertThat(copy.occurredAt()).as("after the outage").isAfter(cut.plus(OUTAGE).minusSeconds(1));
                assertThat(sha256Of(tenant.bucket, copy.location().blobName())).isEqualTo(backup.sha256());
                assertThat(copyFailures(backup.backupId())).as("none given up").noneMatch(f -> !f.willRetry());
            }
            long late = during.stream().filter(b -> awaitCopy(b.backupId()).attempt() > 1).count();
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(TestSmtp.messagesTo(tenant.admin).stream()
                    .map(TestSmtp::text).toList())
                    .as("each backup's email at once, naming the copy destination, then each late copy's arrival")
                    .hasSize(during.size() + (int) late)
                    .anySatisfy(text -> assertThat(text).contains("Offsite «S3» copy"))
                    .anySatisfy(text -> assertThat(text).containsIgnoringCase("attempts")));
            awaitStatus(tenant.accountId, s -> s.recent().stream().allMatch(o -> o.copy(tenant.offsite)
                    .map(c -> c.state() == BackupStatus.CopyState.State.STORED).orElse(false)));
        }
    }

    @Test
    void anImmutableCopyIsKeptPastItsRetentionAndThePageSaysUntilWhen() throws Exception {
        try (ScratchDatabase source = ScratchDatabase.postgres()) {
            fill(source);
            Tenant tenant = Tenant.register(source, newBucket(true), Map.of("days", 1, "mode", "LOCKED",
                    "legalHold", false), null, 1);
            CopyStored first = awaitCopy(completed(tenant.requestBackup()).backupId());
            CopyStored second = awaitCopy(completed(tenant.requestBackup()).backupId());

            assertThat(first.immutableUntil()).isAfter(Instant.now().plus(Duration.ofHours(23)));
            assertThat(backupsInS3(tenant)).as("keep 1, but the first copy is locked for a day")
                    .contains(first.location().blobName(), second.location().blobName());
            assertThat(S3Mock.client().getObjectRetention(r -> r.bucket(tenant.bucket)
                    .key(first.location().blobName())).retention().retainUntilDate()).isAfter(Instant.now());
            assertThat(tenant.backupsPage().toString()).contains(first.immutableUntil().toString().substring(0, 10));
        }
    }

    // ---- the tenant, as its operator and super-administrator set it up through the console ----

    private static final class Tenant {
        final String accountId = "Copias.N-" + UUID.randomUUID().toString().substring(0, 6);
        final String admin = "ana.perez+" + accountId.substring(accountId.length() - 6) + "@tenant.example";
        final String prefix = "Copias Ñ";
        String bucket;
        String offsite;
        String superadmin;

        static Tenant register(ScratchDatabase source, String bucket, Map<String, Object> immutability,
                               Integer keepAtDestination, Integer keepAtCopy) throws Exception {
            Tenant tenant = new Tenant();
            tenant.bucket = bucket;
            String operator = minter.mint("ops", null, null, Role.OPERATOR, Duration.ofHours(1));
            tenant.superadmin = minter.mint("ana", tenant.admin, tenant.accountId, Role.SUPERADMIN, Duration.ofHours(1));
            call("PUT", "/api/operator/accounts/" + tenant.accountId, operator, Map.of(
                    "displayName", "Ünïcode \"Acme\" Corp", "locale", "en", "timeZone", "UTC",
                    "superadminEmails", List.of(tenant.admin),
                    "source", Map.of("engine", "POSTGRESQL", "host", "127.0.0.1", "port", source.port(),
                            "database", source.name(), "username", source.adminUser())), 201);
            String main = call("POST", "/api/accounts/" + tenant.accountId + "/connections", tenant.superadmin, Map.of(
                    "type", "AZURE_BLOB", "description", "Main", "storageAccountName", Azurite.ACCOUNT_NAME,
                    "containerName", container.getBlobContainerName(), "path", "backups",
                    "accessKey", Azurite.ACCOUNT_KEY, "enabledForAutomaticBackup", true,
                    "endpoint", Azurite.blobEndpoint()), 201).get("connectionId").asText();
            Map<String, Object> s3Fields = new LinkedHashMap<>(Map.of("type", "S3", "description", "Offsite «S3» copy",
                    "endpoint", s3Endpoint, "region", S3Mock.REGION, "bucket", bucket, "prefix", tenant.prefix,
                    "accessKeyId", S3Mock.ACCESS_KEY_ID, "secretAccessKey", S3Mock.SECRET_ACCESS_KEY, "pathStyle", true));
            if (immutability != null) {
                s3Fields.put("immutability", immutability);
            }
            tenant.offsite = call("POST", "/api/accounts/" + tenant.accountId + "/connections", tenant.superadmin,
                    s3Fields, 201).get("connectionId").asText();
            Map<String, Object> copy = new LinkedHashMap<>(Map.of("connectionId", tenant.offsite));
            if (keepAtCopy != null) {
                copy.put("retention", Map.of("keepLast", keepAtCopy));
            }
            Map<String, Object> settings = new LinkedHashMap<>(Map.of("backupType", "MANUAL",
                    "destinationConnectionId", main, "copies", List.of(copy)));
            if (keepAtDestination != null) {
                settings.put("retention", Map.of("keepLast", keepAtDestination));
            }
            call("PUT", "/api/accounts/" + tenant.accountId + "/backup-settings", tenant.superadmin, settings, 200);
            return tenant;
        }

        String requestBackup() throws Exception {
            // The console says 409 while the previous backup of the account is not recorded as ended.
            return await().atMost(PATIENCE).ignoreExceptions().until(() -> call("POST", "/api/accounts/" + accountId
                    + "/backups", superadmin, null, 202).get("backupId").asText(), id -> id != null);
        }

        JsonNode backupsPage() throws Exception {
            return call("GET", "/api/accounts/" + accountId + "/backups", superadmin, null, 200);
        }
    }

    private static JsonNode call(String method, String path, String token, Object body, int expected) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.consolePort()
                        + path)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(Json.mapper().writeValueAsString(body), StandardCharsets.UTF_8))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != expected) {
            throw new AssertionError(method + " " + path + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return answer.body().isBlank() ? Json.mapper().nullNode() : Json.mapper().readTree(answer.body());
    }

    // ---- what a person would look at ----

    private static BackupCompleted completed(String backupId) {
        BackupOutcome outcome = await().atMost(PATIENCE).until(() -> events().stream()
                .filter(BackupOutcome.class::isInstance).map(BackupOutcome.class::cast)
                .filter(o -> o.backupId().equals(backupId)).findFirst(), Optional::isPresent).orElseThrow();
        assertThat(outcome).as(outcome.toString()).isInstanceOf(BackupCompleted.class);
        return (BackupCompleted) outcome;
    }

    private static CopyStored awaitCopy(String backupId) {
        return await().atMost(PATIENCE.plus(OUTAGE)).until(() -> events().stream()
                .filter(CopyStored.class::isInstance).map(CopyStored.class::cast)
                .filter(c -> c.backupId().equals(backupId)).findFirst(), Optional::isPresent).orElseThrow();
    }

    private static List<CopyFailed> copyFailures(String backupId) {
        return events().stream().filter(CopyFailed.class::isInstance).map(CopyFailed.class::cast)
                .filter(c -> c.backupId().equals(backupId)).toList();
    }

    private static List<BackupEvent> events() {
        return KafkaProbe.records(app.topics().outcomes()).stream().map(r -> Json.decode(r.value(), BackupEvent.class))
                .toList();
    }

    private static BackupStatus awaitStatus(String accountId, Predicate<BackupStatus> condition) {
        return await().atMost(PATIENCE.plus(OUTAGE)).until(() -> KafkaProbe.records(app.topics().status()).stream()
                .filter(r -> accountId.equals(r.key())).map(r -> Json.decode(r.value(), BackupStatus.class))
                .reduce((first, second) -> second), s -> s.isPresent() && condition.test(s.get())).orElseThrow();
    }

    private static List<String> backupsInAzure(Tenant tenant) {
        return container.listBlobs().stream().map(b -> b.getName())
                .filter(n -> n.contains(tenant.accountId) && !n.endsWith(".manifest.json")).toList();
    }

    private static List<String> backupsInS3(Tenant tenant) {
        return S3Mock.client().listObjectsV2Paginator(l -> l.bucket(tenant.bucket)).contents().stream()
                .map(o -> o.key()).filter(k -> !k.endsWith(".manifest.json")).toList();
    }

    private static String sha256Of(String bucket, String key) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = S3Mock.client().getObject(g -> g.bucket(bucket).key(key))) {
            digest.update(in.readAllBytes());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String newBucket(boolean objectLock) {
        String bucket = "copies-" + UUID.randomUUID().toString().substring(0, 8);
        S3Mock.createBucket(bucket, objectLock);
        return bucket;
    }

    /** As {@code ./backuprelay restore --account … --latest …} runs it, the keys in its environment. */
    private static int restore(Tenant tenant, ScratchDatabase into, String... where) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("--account", tenant.accountId, "--latest"));
        args.addAll(List.of(where));
        args.addAll(List.of("--to", "postgresql://" + into.adminUser() + "@127.0.0.1:" + into.port() + "/" + into.name()));
        int exit = new RestoreCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8), Map.of(
                "AWS_ACCESS_KEY_ID", S3Mock.ACCESS_KEY_ID, "AWS_SECRET_ACCESS_KEY", S3Mock.SECRET_ACCESS_KEY,
                "AZURE_STORAGE_KEY", Azurite.ACCOUNT_KEY,
                "BACKUPRELAY_ALLOWED_ENDPOINTS", s3Endpoint + "," + Azurite.origin())).run(args.toArray(String[]::new));
        assertThat(out.toString(StandardCharsets.UTF_8)).as("the restore's output").contains("SHA-256 matches");
        return exit;
    }

    private static void fill(ScratchDatabase db) {
        db.execute("CREATE TABLE \"Clientes Ñ\" (id serial PRIMARY KEY, nombre text NOT NULL)",
                "INSERT INTO \"Clientes Ñ\" (nombre) SELECT 'Cliente «' || g || '»' FROM generate_series(1, 3000) g");
    }

    private static long count(ScratchDatabase db) throws Exception {
        try (var connection = db.connect(); var statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT count(*) FROM \"Clientes Ñ\"")) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
