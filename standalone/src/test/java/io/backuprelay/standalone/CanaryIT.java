package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupOutcome;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenMinter;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.ScratchDatabase;
import io.backuprelay.testkit.TestKafka;
import io.backuprelay.testkit.TestSmtp;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Planted secrets through every path, good and bad, and then a search of everything the system
 * wrote: no secret may appear in a log line (with every nested cause), an event, an email, an API
 * answer, the metrics, or a file of staging, the outbox or the temporary directory.
 */
class CanaryIT {

    private static final String MASTER_KEY = SecretSealer.newBase64Key();
    private static final String JWT_SECRET = "canary-jwt-secret-" + UUID.randomUUID();
    private static final String DB_PASSWORD = "canary-db-password-" + UUID.randomUUID();
    private static final String WRONG_DB_PASSWORD = "canary-wrong-db-password-" + UUID.randomUUID();
    private static final String WRONG_KEY = Base64.getEncoder().encodeToString(
            ("canary-wrong-storage-key-" + UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII));
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    private final List<String> answers = new ArrayList<>();

    @Test
    void noPlantedSecretAppearsAnywhereAfterSuccessesAndFailures() throws Exception {
        Instant started = Instant.now();
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(logs);
        String prefix = TestKafka.uniquePrefix();
        var container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .createBlobContainerIfNotExists("canary-" + prefix.replace(".", ""));
        String sas = container.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusDays(2),
                new BlobContainerSasPermission().setReadPermission(true).setWritePermission(true).setCreatePermission(true)
                        .setListPermission(true).setDeletePermission(true)));
        String sasSignature = sas.replaceAll(".*sig=([^&]+).*", "$1");
        try (Standalone app = TestStack.start(prefix, dataDir, MASTER_KEY, Map.of(
                "CONSOLE_PORT", "0",
                "CONSOLE_JWT_SECRET", JWT_SECRET));
             ScratchDatabase database = ScratchDatabase.postgres()) {
            String user = "br_canary_" + UUID.randomUUID().toString().substring(0, 8);
            database.admin("CREATE ROLE " + user + " LOGIN PASSWORD '" + DB_PASSWORD + "' IN ROLE backuprelay_password_auth");
            try {
                database.execute("CREATE TABLE t (id int)", "INSERT INTO t VALUES (1)", "GRANT SELECT ON t TO " + user);
                TokenMinter minter = new TokenMinter(JWT_SECRET.getBytes(StandardCharsets.UTF_8), null);
                String operator = minter.mint("ops", null, null, Role.OPERATOR, Duration.ofHours(1));
                List<String> backups = new ArrayList<>();
                List<String> admins = new ArrayList<>();
                // A SAS-token connection that works; a wrong access key; a wrong database password; an unreachable host.
                for (String[] c : new String[][] {
                        {"5432", DB_PASSWORD, "sas"}, {"5432", DB_PASSWORD, "wrong-key"}, {"5432", WRONG_DB_PASSWORD, "sas"},
                        {"1", DB_PASSWORD, "sas"}}) {
                    String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
                    String admin = account + "@tenant.example";
                    admins.add(admin);
                    String superadmin = minter.mint("a", admin, account, Role.SUPERADMIN, Duration.ofHours(1));
                    call(app, "PUT", "/api/operator/accounts/" + account, operator, """
                            {"displayName":"Canary","locale":"en","timeZone":"UTC","superadminEmails":["%s"],
                             "source":{"engine":"POSTGRESQL","host":"127.0.0.1","port":%s,"database":"%s","username":"%s",
                             "password":"%s"}}""".formatted(admin, c[0], database.name(), user, c[1]));
                    String credential = c[2].equals("sas") ? "\"sasToken\":\"" + sas + "\"" : "\"accessKey\":\"" + WRONG_KEY + "\"";
                    String connection = call(app, "POST", "/api/accounts/" + account + "/connections", superadmin, """
                            {"type":"AZURE_BLOB","description":"Main","storageAccountName":"devstoreaccount1","containerName":"%s",
                             "path":"backups",%s,"enabledForAutomaticBackup":true,"endpoint":"%s"}"""
                            .formatted(container.getBlobContainerName(), credential, Azurite.blobEndpoint()));
                    String connectionId = Json.mapper().readTree(connection).get("connectionId").asText();
                    await().atMost(Duration.ofSeconds(10)).until(() -> status(app, "GET", "/api/accounts/" + account
                            + "/connections/" + connectionId, superadmin) == 200);
                    call(app, "POST", "/api/accounts/" + account + "/connections/" + connectionId + "/test", superadmin, null);
                    String accepted = call(app, "POST", "/api/accounts/" + account + "/backups", superadmin,
                            "{\"connectionId\":\"" + connectionId + "\"}");
                    backups.add(Json.mapper().readTree(accepted).get("backupId").asText());
                    call(app, "GET", "/api/accounts/" + account + "/connections", superadmin, null);
                    call(app, "GET", "/api/operator/accounts/" + account, operator, null);
                }
                List<BackupOutcome> outcomes = await().atMost(Duration.ofSeconds(120)).until(() -> KafkaProbe
                        .records(app.topics().outcomes()).stream().map(r -> Json.decode(r.value(), BackupEvent.class))
                        .filter(BackupOutcome.class::isInstance).map(BackupOutcome.class::cast)
                        .filter(o -> backups.contains(o.backupId())).toList(), list -> list.size() == 4);
                assertThat(outcomes).extracting(o -> o.getClass().getSimpleName()).as("one success, three failures")
                        .containsExactlyInAnyOrder("BackupCompleted", "BackupFailed", "BackupFailed", "BackupFailed");
                await().atMost(Duration.ofSeconds(60)).until(() -> admins.stream().allMatch(a -> !TestSmtp.messagesTo(a).isEmpty()));
                answers.add(call(app, "GET", "/metrics", operator, null));
                answers.add(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.shell().port() + "/metrics"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body());

                List<String> places = new ArrayList<>(answers.stream().map(a -> "answer: " + a).toList());
                places.addAll(SecretSearch.logLines(logs.list));
                for (String admin : admins) {
                    places.addAll(SecretSearch.emailsTo(admin));
                }
                places.addAll(SecretSearch.kafkaRecords(prefix));
                places.addAll(files(dataDir, started));
                places.addAll(files(Path.of(System.getProperty("java.io.tmpdir")), started));

                assertThat(places).as("places looked at").hasSizeGreaterThan(100);
                assertThat(places.stream().filter(p -> p.startsWith("email")).count()).isGreaterThanOrEqualTo(4);
                for (String secret : List.of(DB_PASSWORD, WRONG_DB_PASSWORD, WRONG_KEY, sasSignature, MASTER_KEY, JWT_SECRET)) {
                    assertThat(places).as("where the secret " + secret.substring(0, 12) + "… appears")
                            .filteredOn(place -> place.contains(secret)).isEmpty();
                }
            } finally {
                database.execute("REVOKE ALL ON t FROM " + user);
                database.admin("DROP ROLE IF EXISTS " + user);
            }
        } finally {
            root.detachAppender(logs);
        }
    }

    /** Every nested cause's message, as a log line would show it. */
    /** The text of every file written since {@code since} under {@code dir} (staging, outbox, credentials, temp files). */
    private static List<String> files(Path dir, Instant since) throws Exception {
        List<String> found = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            // The emulator's own log is the storage side: it is sent the token by design.
            for (Path file : walk.filter(Files::isRegularFile)
                    .filter(f -> !f.toString().contains(File.separator + "azurite")).toList()) {
                try {
                    if (Files.getLastModifiedTime(file).toInstant().isAfter(since) && Files.size(file) < (8 << 20)) {
                        found.add("file " + file + ": " + new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
                    }
                } catch (IOException | SecurityException gone) {
                    // removed while walking, or another user's: not written by this test's services
                }
            }
        } catch (UncheckedIOException e) {
            // a directory vanished while walking
        }
        return found;
    }

    private String call(Standalone app, String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.consolePort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token);
        String answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
        answers.add(answer);
        return answer;
    }

    private static int status(Standalone app, String method, String path, String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.consolePort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
