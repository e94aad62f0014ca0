package io.backuprelay.standalone.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.fasterxml.jackson.databind.JsonNode;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupOutcome;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenMinter;
import io.backuprelay.standalone.Standalone;
import io.backuprelay.testkit.AwkwardNames;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.ScratchDatabase;
import io.backuprelay.testkit.TestKafka;
import io.backuprelay.testkit.TestSmtp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The "done when": a database whose every kind of name is awkward ({@link AwkwardNames})
 * backs up through the whole stack (console API, broker, dump and upload workers, Azurite) on
 * PostgreSQL and on MariaDB, and {@code ./backuprelay restore --blob-url … --to …} brings it back
 * equal to the source, saying that it matches the manifest's inventory.
 */
class AwkwardNamesBackupAndRestoreIT {

    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final String JWT_SECRET = "awkward-names-jwt-" + UUID.randomUUID();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dataDir;

    private static Standalone app;
    private static BlobContainerClient container;
    private static TokenMinter minter;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void startEverything() throws Exception {
        String prefix = TestKafka.uniquePrefix();
        // as TestStack starts it (package io.backuprelay.standalone), with the console on
        app = Standalone.startWithEndpoints(new ConfigSource(Map.ofEntries(
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
                Map.entry("CONSOLE_JWT_SECRET", JWT_SECRET))), policy -> policy.alsoAllowing(Azurite.origin()));
        container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .createBlobContainerIfNotExists("awkward-" + prefix.replace(".", ""));
        minter = new TokenMinter(JWT_SECRET.getBytes(StandardCharsets.UTF_8), null);
    }

    @AfterAll
    static void stopEverything() {
        if (app != null) {
            app.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ScratchDatabase.Engine.class)
    void aDatabaseWithAwkwardNamesBacksUpThroughTheStackAndRestoresEqualWithTheRestoreCommand(ScratchDatabase.Engine engine)
            throws Exception {
        try (ScratchDatabase source = scratch(engine); ScratchDatabase restored = scratch(engine)) {
            AwkwardNames.create(source);
            Map<String, String> original = AwkwardNames.fingerprint(source);
            // as near the tenant's name as the operators' API allows ([A-Za-z0-9._-]); the display name is free text
            String accountId = "Muller.Sohne-GmbH_" + UUID.randomUUID().toString().substring(0, 6);
            String admin = "ana.lopez+backups@muller-sohne.example";

            String backupId = requestManualBackup(accountId, "Müller & Söhne GmbH — Büro \"Zürich\" (Año 2024)", admin,
                    engine, source);
            BackupOutcome outcome = awaitOutcome(backupId);

            assertThat(outcome).as(() -> outcome instanceof BackupFailed failed
                    ? "the backup failed at " + failed.stage() + ": " + failed.reason() : "").isInstanceOf(BackupCompleted.class);
            String blobName = ((BackupCompleted) outcome).destination().blobName();
            JsonNode tables = Json.mapper().readTree(container.getBlobClient(blobName + ".manifest.json").downloadContent()
                    .toBytes()).get("inventory").get("tables");
            if (engine == ScratchDatabase.Engine.POSTGRESQL) {
                assertThat(tables.path(AwkwardNames.SALES_OPS_ORDERS).asLong()).isEqualTo(200);
                assertThat(tables.path("select." + AwkwardNames.PG_LONGEST_TABLE).asLong()).isEqualTo(10);
            } else {
                assertThat(tables.path("Ventas Año").asLong()).isEqualTo(300);
                assertThat(tables.path(AwkwardNames.MARIADB_LONGEST_TABLE).asLong()).isEqualTo(10);
            }

            int exit = restore("--blob-url", containerSasUrl(blobName), "--to", (engine == ScratchDatabase.Engine.POSTGRESQL
                    ? "postgresql" : "mariadb") + "://" + restored.adminUser() + "@127.0.0.1:" + restored.port() + "/"
                    + restored.name());

            assertThat(exit).as(err.toString()).isZero();
            assertThat(out.toString()).contains("SHA-256 matches the manifest")
                    .contains("The restored database matches the backup's inventory.");
            assertThat(line("Restored:")).as("what the restore printed of the restored database")
                    .isEqualTo(line("In the backup:")).doesNotStartWith("0 tables");
            assertThat(AwkwardNames.fingerprint(restored)).isEqualTo(original);
        }
    }

    // ---- what the operator and the account's super-administrator do ----

    private String requestManualBackup(String accountId, String displayName, String admin, ScratchDatabase.Engine engine,
                                       ScratchDatabase source) throws Exception {
        String operator = minter.mint("ops", null, null, Role.OPERATOR, Duration.ofHours(1));
        String superadmin = minter.mint("ana", admin, accountId, Role.SUPERADMIN, Duration.ofHours(1));
        call("PUT", "/api/operator/accounts/" + accountId, operator, Json.mapper().writeValueAsString(Map.of(
                "displayName", displayName, "locale", "es", "timeZone", "Europe/Madrid",
                "superadminEmails", List.of(admin),
                "source", Map.of("engine", engine.name(), "host", "127.0.0.1", "port", source.port(),
                        "database", source.name(), "username", source.adminUser()))), 201);
        String connection = call("POST", "/api/accounts/" + accountId + "/connections", superadmin,
                Json.mapper().writeValueAsString(Map.of("type", "AZURE_BLOB", "description", "Copias de «Büro»",
                        "storageAccountName", Azurite.ACCOUNT_NAME, "containerName", container.getBlobContainerName(),
                        "path", "backups", "accessKey", Azurite.ACCOUNT_KEY, "enabledForAutomaticBackup", true,
                        "endpoint", Azurite.blobEndpoint())), 201);
        String connectionId = Json.mapper().readTree(connection).get("connectionId").asText();
        return Json.mapper().readTree(call("POST", "/api/accounts/" + accountId + "/backups", superadmin,
                "{\"connectionId\":\"" + connectionId + "\"}", 202)).get("backupId").asText();
    }

    private static String call(String method, String path, String token, String body, int expected) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.consolePort() + path))
                .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(method + " " + path + ": " + answer.body()).isEqualTo(expected);
        return answer.body();
    }

    private static BackupOutcome awaitOutcome(String backupId) {
        return await().atMost(PATIENCE).until(() -> KafkaProbe.records(app.topics().outcomes()).stream()
                .map(r -> Json.decode(r.value(), BackupEvent.class))
                .filter(BackupOutcome.class::isInstance).map(BackupOutcome.class::cast)
                .filter(o -> o.backupId().equals(backupId)).findFirst(), Optional::isPresent).orElseThrow();
    }

    // ---- what a person restoring it does: a read link to the container, and the CLI's own command ----

    private static String containerSasUrl(String blobName) {
        String sas = container.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now(ZoneOffset.UTC).plusHours(1),
                new BlobContainerSasPermission().setReadPermission(true)));
        return container.getBlobClient(blobName).getBlobUrl() + "?" + sas;
    }

    /** As {@code ./backuprelay restore ARGS} runs it ({@code Main}), with its output kept. */
    private int restore(String... args) {
        out.reset();
        err.reset();
        return new RestoreCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of()).run(args);
    }

    /** What the restore printed after {@code label} on the line that starts with it. */
    private String line(String label) {
        return out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith(label)).findFirst()
                .map(l -> l.substring(label.length()).strip()).orElse("(no line " + label + ")");
    }

    private static ScratchDatabase scratch(ScratchDatabase.Engine engine) {
        return engine == ScratchDatabase.Engine.POSTGRESQL ? ScratchDatabase.postgres() : ScratchDatabase.mariadb();
    }
}
