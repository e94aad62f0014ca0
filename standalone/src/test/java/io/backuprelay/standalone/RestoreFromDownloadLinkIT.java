package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupOutcome;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenMinter;
import io.backuprelay.format.manifest.ManifestNames;
import io.backuprelay.standalone.restore.RestoreCommand;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.ScratchDatabase;
import io.backuprelay.testkit.TestKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 30's "done when": a backup made through the whole stack (console API, broker, dump and
 * upload workers, Azurite) is restored with nothing but the link the console's Download answer
 * gives, {@code ./backuprelay restore --blob-url '<that link>' --to …}, into a fresh PostgreSQL
 * database, and compared with the backup's inventory as {@code --latest} compares it; an inventory
 * that differs from what was restored fails the restore, naming the difference.
 */
class RestoreFromDownloadLinkIT {

    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final String JWT_SECRET = "download-link-jwt-" + UUID.randomUUID();
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
        app = TestStack.start(prefix, dataDir, SecretSealer.newBase64Key(), Map.of(
                "CONSOLE_PORT", "0", "CONSOLE_JWT_SECRET", JWT_SECRET));
        container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .createBlobContainerIfNotExists("link-" + prefix.replace(".", ""));
        minter = new TokenMinter(JWT_SECRET.getBytes(StandardCharsets.UTF_8), null);
    }

    @AfterAll
    static void stopEverything() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void theDownloadLinkAloneRestoresAndComparesWithTheBackupsInventory() throws Exception {
        try (ScratchDatabase source = ScratchDatabase.postgres(); ScratchDatabase restored = ScratchDatabase.postgres()) {
            fill(source);
            Backup backup = backUp(source);

            assertThat(restore("--blob-url", backup.link(), "--to", "postgresql://postgres@127.0.0.1:5432/"
                    + restored.name())).as(err.toString()).isZero();

            assertThat(out.toString()).contains("SHA-256 matches the manifest")
                    .doesNotContain("using the blob's own metadata").doesNotContain("lists no inventory")
                    .contains("The restored database matches the backup's inventory.");
            assertThat(line("In the backup:")).isEqualTo("2 tables (4,200 rows), 2 sequences")
                    .isEqualTo(line("Restored:"));
            assertThat(DatabaseFingerprint.of(restored)).isEqualTo(DatabaseFingerprint.of(source));
            assertNoSignatureIn(out, err);
        }
    }

    /** The archive and its SHA-256 stay right; the inventory beside it, rewritten in storage, says one more row. */
    @Test
    void anInventoryThatDiffersFromWhatWasRestoredFailsTheRestoreNamingTheDifference() throws Exception {
        try (ScratchDatabase source = ScratchDatabase.postgres(); ScratchDatabase restored = ScratchDatabase.postgres()) {
            fill(source);
            Backup backup = backUp(source);
            var manifestBlob = container.getBlobClient(ManifestNames.ofBlob(backup.blobName()));
            ObjectNode manifest = (ObjectNode) Json.mapper().readTree(manifestBlob.downloadContent().toBytes());
            ObjectNode tables = (ObjectNode) manifest.get("inventory").get("tables");
            assertThat(tables.get("public.Facturas Año").asLong()).isEqualTo(3200);
            tables.put("public.Facturas Año", 3201);
            manifestBlob.upload(BinaryData.fromBytes(Json.mapper().writeValueAsBytes(manifest)), true);

            assertThat(restore("--blob-url", backup.link(), "--to", "postgresql://postgres@127.0.0.1:5432/"
                    + restored.name())).isEqualTo(1);

            assertThat(out.toString()).contains("SHA-256 matches the manifest");
            assertThat(line("In the backup:")).isEqualTo("2 tables (4,201 rows), 2 sequences");
            assertThat(line("Restored:")).isEqualTo("2 tables (4,200 rows), 2 sequences");
            assertThat(out.toString()).doesNotContain("matches the backup's inventory");
            assertThat(err.toString()).contains("The restored database differs from the backup's inventory: rows of"
                    + " public.Facturas Año: 3201 in the backup, 3200 restored");
            assertNoSignatureIn(out, err);
        }
    }

    // ---- what the operator and the account's super-administrator do ----

    private record Backup(String blobName, String link) {
    }

    /** A manual backup of {@code source} through the console, then its Download link, as the page gets it. */
    private Backup backUp(ScratchDatabase source) throws Exception {
        String accountId = "Zurich.Buro-" + UUID.randomUUID().toString().substring(0, 6);
        String admin = "zoe.oconnor@buro-zurich.example";
        String operator = minter.mint("ops", null, null, Role.OPERATOR, Duration.ofHours(1));
        String superadmin = minter.mint("zoe", admin, accountId, Role.SUPERADMIN, Duration.ofHours(1));
        call("PUT", "/api/operator/accounts/" + accountId, operator, Json.mapper().writeValueAsString(Map.of(
                "displayName", "Büro \"Zürich\" — O'Connor & Söhne", "locale", "fr", "timeZone", "Europe/Zurich",
                "superadminEmails", List.of(admin),
                "source", Map.of("engine", "POSTGRESQL", "host", "127.0.0.1", "port", source.port(),
                        "database", source.name(), "username", source.adminUser()))), 201);
        String connectionId = Json.mapper().readTree(call("POST", "/api/accounts/" + accountId + "/connections", superadmin,
                Json.mapper().writeValueAsString(Map.of("type", "AZURE_BLOB", "description", "Sicherungen «Büro»",
                        "storageAccountName", Azurite.ACCOUNT_NAME, "containerName", container.getBlobContainerName(),
                        "path", "backups", "accessKey", Azurite.ACCOUNT_KEY, "enabledForAutomaticBackup", true,
                        "endpoint", Azurite.blobEndpoint())), 201)).get("connectionId").asText();
        String backupId = Json.mapper().readTree(call("POST", "/api/accounts/" + accountId + "/backups", superadmin,
                "{\"connectionId\":\"" + connectionId + "\"}", 202)).get("backupId").asText();
        BackupOutcome outcome = await().atMost(PATIENCE).until(() -> KafkaProbe.records(app.topics().outcomes()).stream()
                .map(r -> Json.decode(r.value(), BackupEvent.class))
                .filter(BackupOutcome.class::isInstance).map(BackupOutcome.class::cast)
                .filter(o -> o.backupId().equals(backupId)).findFirst(), Optional::isPresent).orElseThrow();
        assertThat(outcome).as(() -> outcome instanceof BackupFailed failed
                ? "the backup failed at " + failed.stage() + ": " + failed.reason() : "").isInstanceOf(BackupCompleted.class);
        // The page's Download button, once the history shows the backup completed.
        String path = "/api/accounts/" + accountId + "/backups/" + backupId + "/download";
        HttpResponse<String> answer = await().atMost(Duration.ofSeconds(30)).until(() -> send("POST", path, superadmin, ""),
                a -> a.statusCode() == 200);
        JsonNode link = Json.mapper().readTree(answer.body());
        return new Backup(((BackupCompleted) outcome).destination().blobName(), link.get("url").asText());
    }

    private static void fill(ScratchDatabase db) {
        db.execute(
                "CREATE TABLE \"Kunden\" (id serial PRIMARY KEY, name text NOT NULL, stadt text)",
                "CREATE TABLE \"Facturas Año\" (id bigserial PRIMARY KEY, kunde int REFERENCES \"Kunden\"(id),"
                        + " betrag numeric(12,2), notiz text)",
                "INSERT INTO \"Kunden\" (name, stadt) SELECT 'Zoë O''Connor ' || g, (ARRAY['Zürich','São Paulo','東京'])[1 + g % 3]"
                        + " FROM generate_series(1, 1000) g",
                "INSERT INTO \"Facturas Año\" (kunde, betrag, notiz) SELECT 1 + g % 1000, g * 0.37, 'Rechnung \"' || g || '\"'"
                        + " FROM generate_series(1, 3200) g");
    }

    private static String call(String method, String path, String token, String body, int expected) throws Exception {
        HttpResponse<String> answer = send(method, path, token, body);
        assertThat(answer.statusCode()).as(method + " " + path + ": " + answer.body()).isEqualTo(expected);
        return answer.body();
    }

    private static HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.consolePort() + path))
                .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    // ---- what a person restoring it does: the CLI's own command, with the link as the page gave it ----

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

    private static void assertNoSignatureIn(ByteArrayOutputStream... streams) {
        for (ByteArrayOutputStream stream : streams) {
            assertThat(stream.toString(StandardCharsets.UTF_8)).as("what the restore printed").doesNotContain("sig=")
                    .doesNotContain("sig%3D").doesNotContain("manifest=");
        }
    }
}
