package io.backuprelay.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.BackupStatus.CopyState;
import io.backuprelay.common.account.BackupStatus.OutcomeSummary;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.console.ConsoleCalls.Response;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenMinter;
import io.backuprelay.format.manifest.ManifestLink;
import io.backuprelay.format.manifest.ManifestNames;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * S3 connections, immutability and copy destinations on the console's API, over the real broker and
 * Azurite: what is refused (naming the field), what is never returned (the secret access key), and
 * which copy a download link may be signed for.
 */
class CopiesApiIT {

    private static final String SECRET = "copies-test-secret-" + UUID.randomUUID();
    private static final TokenMinter MINTER = new TokenMinter(SECRET.getBytes(StandardCharsets.UTF_8), null);
    private static final String OPERATOR = MINTER.mint("ops-1", "ops@platform.example", null, Role.OPERATOR, Duration.ofHours(1));
    /** An S3 service's origin the test allows; nothing listens there and no test probes it. */
    private static final String S3_ORIGIN = "http://127.0.0.1:19";
    private static final String S3_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY-" + UUID.randomUUID();
    /** A tenant's own words, as they write them. */
    private static final String DESCRIPTION = "Cópias d'arquivo \\\"frio\\\" Zürich";

    private static ConsoleServer console;
    private static Topics topics;
    private static String container;

    @BeforeAll
    static void start() {
        topics = new Topics(TestKafka.uniquePrefix());
        console = TestConsole.start(topics, SECRET, Azurite.origin(), S3_ORIGIN);
        container = "copies-" + UUID.randomUUID().toString().substring(0, 8);
        new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient().createBlobContainer(container);
    }

    @AfterAll
    static void stop() {
        if (console != null) {
            console.close();
        }
    }

    // ---- S3 connections ----

    @Test
    void anS3ConnectionIsCreatedAndReadWithItsFieldsAndTheSecretNeverReturned() throws Exception {
        String account = registerAccount();
        String token = superadmin(account);
        Response created = call("POST", connections(account), token, s3Json("backups.eu-1", "tenant/daily"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode view = created.json();
        assertThat(view.get("type").asText()).isEqualTo("S3");
        assertThat(view.get("description").asText()).isEqualTo("Cópias d'arquivo \"frio\" Zürich");
        assertThat(view.get("bucket").asText()).isEqualTo("backups.eu-1");
        assertThat(view.get("prefix").asText()).isEqualTo("tenant/daily");
        assertThat(view.get("region").asText()).isEqualTo("eu-west-1");
        assertThat(view.get("accessKeyId").asText()).isEqualTo("AKIAIOSFODNN7EXAMPLE");
        assertThat(view.get("pathStyle").asBoolean()).isTrue();
        assertThat(view.get("endpoint").asText()).isEqualTo(S3_ORIGIN);
        assertThat(view.get("credentialType").asText()).isEqualTo("SECRET_ACCESS_KEY");
        assertThat(view.get("secretAccessKeyHint").asText()).isEqualTo("••••" + S3_SECRET.substring(S3_SECRET.length() - 4));
        assertThat(view.get("storageAccountName").isNull()).isTrue();
        assertThat(view.get("immutability").get("days").asInt()).isEqualTo(30);
        assertThat(view.get("immutability").get("mode").asText()).isEqualTo("LOCKED");
        assertThat(view.get("immutability").get("legalHold").asBoolean()).isTrue();
        String id = view.get("connectionId").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> KafkaProbe.records(topics.connections()).stream()
                .anyMatch(r -> Connection.key(account, id).equals(r.key())));

        Response list = call("GET", connections(account), token, null);
        assertThat(list.json()).hasSize(1);
        for (Response answer : List.of(created, list, call("GET", connections(account) + "/" + id, token, null))) {
            assertThat(answer.body()).doesNotContain(S3_SECRET).doesNotContain(S3_SECRET.substring(0, 20));
        }
        assertThat(KafkaProbe.records(topics.connections()).stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)))
                .as("sealed on the topic").noneMatch(json -> json.contains(S3_SECRET));

        // An edit that keeps bucket, endpoint and key id keeps the stored secret; another bucket needs it again.
        String withoutSecret = s3Json("backups.eu-1", "tenant/weekly").replace(",\"secretAccessKey\":\"" + S3_SECRET + "\"", "");
        Response edited = call("PUT", connections(account) + "/" + id, token, withoutSecret);
        assertThat(edited.status()).as(edited.body()).isEqualTo(200);
        assertThat(edited.json().get("prefix").asText()).isEqualTo("tenant/weekly");
        assertThat(edited.json().get("secretAccessKeyHint").asText()).endsWith(S3_SECRET.substring(S3_SECRET.length() - 4));
        assertBadRequest(connections(account) + "/" + id, "PUT", withoutSecret.replace("backups.eu-1", "other-bucket"),
                "secretAccessKey", token);
        assertBadRequest(connections(account) + "/" + id, "PUT", withoutSecret.replace("AKIAIOSFODNN7EXAMPLE", "AKIAOTHERKEY"),
                "secretAccessKey", token);
    }

    @Test
    void aBadS3ConnectionIsRefusedNamingTheField() throws Exception {
        String account = registerAccount();
        String token = superadmin(account);
        String path = connections(account);
        String good = s3Json("tenant-backups", "");
        for (String bucket : List.of("ab", "Upper-Case", "under_score", "-edge", "edge-", "two..dots", "192.168.1.10",
                "x".repeat(64))) {
            assertBadRequest(path, "POST", s3Json(bucket, ""), "bucket", token);
        }
        assertBadRequest(path, "POST", good.replace("\"eu-west-1\"", "\"EU West\""), "region", token);
        assertBadRequest(path, "POST", good.replace("\"eu-west-1\"", "\"eu-west-1.evil.example/\""), "region", token);
        assertBadRequest(path, "POST", good.replace("\"region\":\"eu-west-1\",", ""), "region", token);
        assertBadRequest(path, "POST", good.replace("AKIAIOSFODNN7EXAMPLE", "AKIA WITH SPACE"), "accessKeyId", token);
        assertBadRequest(path, "POST", good.replace(",\"secretAccessKey\":\"" + S3_SECRET + "\"", ""), "secretAccessKey", token);
        assertBadRequest(path, "POST", good.replace("\"prefix\":\"\"", "\"prefix\":\"a/../b\""), "prefix", token);
        assertBadRequest(path, "POST", good.replace(S3_ORIGIN, "http://169.254.169.254"), "endpoint", token);
        assertBadRequest(path, "POST", good.replace(S3_ORIGIN, "https://s3.evil.example"), "endpoint", token);
        assertBadRequest(path, "POST", good.replace("\"endpoint\":\"" + S3_ORIGIN + "\",", ""), "endpoint", token);
        assertBadRequest(path, "POST", good.replace("\"region\"", "\"containerName\":\"c1\",\"region\""), "containerName", token);
        assertBadRequest(path, "POST", good.replace("\"region\"", "\"sasToken\":\"sv=1&sig=x\",\"region\""), "sasToken", token);
        assertBadRequest(path, "POST", good.replace("\"days\":30", "\"days\":0"), "immutability.days", token);
        assertBadRequest(path, "POST", good.replace("\"days\":30", "\"days\":36501"), "immutability.days", token);
        assertBadRequest(path, "POST", good.replace("\"LOCKED\"", "\"FOREVER\""), "immutability.mode", token);
        assertBadRequest(path, "POST", good.replace("\"days\":30,", ""), "immutability.days", token);
        assertBadRequest(path, "POST", good.replace("\"S3\"", "\"GCS\""), "type", token);
        assertBadRequest(path, "POST", azureJson("Main", "backups").replace("\"path\"", "\"bucket\":\"b-1\",\"path\""),
                "bucket", token);
        assertThat(call("GET", path, token, null).json()).as("nothing was saved").isEmpty();
    }

    @Test
    void anAzureConnectionAsksForImmutabilityAndAnEditKeepsItUntilClearedWithAnEmptyObject() throws Exception {
        String account = registerAccount();
        String token = superadmin(account);
        Response created = call("POST", connections(account), token, azureJson("Kept", "backups")
                .replace("\"enabledForAutomaticBackup\"", "\"immutability\":{\"days\":7,\"mode\":\"unlocked\"},"
                        + "\"enabledForAutomaticBackup\""));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("immutability").get("mode").asText()).isEqualTo("UNLOCKED");
        assertThat(created.json().get("immutability").get("legalHold").asBoolean()).isFalse();
        String path = connections(account) + "/" + created.json().get("connectionId").asText();

        Response edited = call("PUT", path, token, azureJson("Renamed", "backups"));
        assertThat(edited.json().get("immutability").get("days").asInt()).as("an edit that says nothing keeps it").isEqualTo(7);
        Response test = call("POST", path + "/test", token, null);
        assertThat(test.json().get("ok").asBoolean()).as(test.body()).isTrue();
        assertThat(test.json().has("immutability")).as("the probe's word on immutability is passed on").isTrue();

        Response cleared = call("PUT", path, token, azureJson("Renamed", "backups")
                .replace("\"enabledForAutomaticBackup\"", "\"immutability\":{},\"enabledForAutomaticBackup\""));
        assertThat(cleared.json().get("immutability").isNull()).isTrue();
    }

    // ---- copy destinations ----

    @Test
    void copyDestinationsAreOtherConnectionsOfTheAccountEachNamedOnceWithItsOwnRetention() throws Exception {
        String account = registerAccount();
        String token = superadmin(account);
        String settings = "/api/accounts/" + account + "/backup-settings";
        String main = createConnection(account, azureJson("Main", "backups"));
        String archive = createConnection(account, azureJson(DESCRIPTION, "copies"));
        String other = createConnection(registerAccount(), azureJson("Theirs", "backups"));
        String head = "{\"backupType\":\"EVERY_7_DAYS\",\"destinationConnectionId\":\"" + main + "\",\"copies\":";

        assertBadRequest(settings, "PUT", head + "[{\"connectionId\":\"c-none\"}]}", "copies[0].connectionId", token);
        assertBadRequest(settings, "PUT", head + "[{\"connectionId\":\"" + other + "\"}]}", "copies[0].connectionId", token);
        assertBadRequest(settings, "PUT", head + "[{\"connectionId\":\"" + main + "\"}]}", "copies[0].connectionId", token);
        assertBadRequest(settings, "PUT", head + "[{\"connectionId\":\"" + archive + "\"},{\"connectionId\":\"" + archive
                + "\"}]}", "copies[1].connectionId", token);
        assertBadRequest(settings, "PUT", head + "[{\"connectionId\":\"" + archive + "\",\"retention\":{\"keepLast\":0}}]}",
                "copies[0].retention.keepLast", token);
        assertBadRequest(settings, "PUT", head + "[{}]}", "copies[0].connectionId", token);
        Response refused = call("PUT", settings, token, head + "[{\"connectionId\":\"" + main + "\"}]}");
        assertThat(refused.json().get("key").asText()).as("said on the page in its language").isEqualTo("copyIsDestination");

        Response saved = call("PUT", settings, token, head + "[{\"connectionId\":\"" + archive
                + "\",\"retention\":{\"keepLast\":30,\"maxAgeDays\":365}}]}");
        assertThat(saved.status()).as(saved.body()).isEqualTo(200);
        JsonNode copies = call("GET", settings, token, null).json().get("copies");
        assertThat(copies).hasSize(1);
        assertThat(copies.get(0).get("connectionId").asText()).isEqualTo(archive);
        assertThat(copies.get(0).get("retention").get("keepLast").asInt()).isEqualTo(30);
        assertThat(copies.get(0).get("retention").get("maxAgeDays").asInt()).isEqualTo(365);

        Response inUse = call("DELETE", connections(account) + "/" + archive, token, null);
        assertThat(inUse.status()).as("a copy destination is not deleted from under the settings").isEqualTo(409);
        assertThat(inUse.json().get("key").asText()).isEqualTo("connectionIsCopyDestination");
        assertThat(call("PUT", settings, token, head + "[]}").json().get("copies")).isEmpty();
        assertThat(call("DELETE", connections(account) + "/" + archive, token, null).status()).isEqualTo(204);
    }

    @Test
    void anS3ConnectionReceivesCopiesButIsNeverTheDestinationOfABackup() throws Exception {
        String account = registerAccount();
        String token = superadmin(account);
        String settings = "/api/accounts/" + account + "/backup-settings";
        String bucket = createConnection(account, s3Json("backups.eu-1", "tenant/daily"));

        assertBadRequest(settings, "PUT", "{\"backupType\":\"MANUAL\",\"destinationConnectionId\":\"" + bucket + "\"}",
                "destinationConnectionId", token);
        assertBadRequest("/api/accounts/" + account + "/backups", "POST", "{\"connectionId\":\"" + bucket + "\"}",
                "connectionId", token);
        Response refused = call("POST", "/api/accounts/" + account + "/backups", token,
                "{\"connectionId\":\"" + bucket + "\"}");
        assertThat(refused.json().get("key").asText()).as("said on the page in its language").isEqualTo("destinationIsS3");
        String main = createConnection(account, azureJson("Main", "backups"));
        Response saved = call("PUT", settings, token, "{\"backupType\":\"MANUAL\",\"destinationConnectionId\":\"" + main
                + "\",\"copies\":[{\"connectionId\":\"" + bucket + "\"}]}");
        assertThat(saved.status()).as(saved.body()).isEqualTo(200);
    }

    // ---- where each backup is ----

    @Test
    void theBackupsListShowsWhereEachBackupIsStoredWithEachCopysStateAndImmutability() throws Exception {
        String account = registerAccount();
        String token = superadmin(account);
        String main = createConnection(account, azureJson("Main", "backups"));
        String archive = createConnection(account, azureJson(DESCRIPTION, "copies"));
        String s3 = createConnection(account, s3Json("tenant-copies", ""));
        String backupId = UUID.randomUUID().toString();
        Instant until = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        Instant retryAt = Instant.now().plus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        OutcomeSummary outcome = completed(backupId, blobName("backups", account, backupId), main)
                .withImmutableUntil(until)
                .withCopy(new CopyState(archive, CopyState.State.STORED, Instant.now(), 1, null, null,
                        blobName("copies", account, backupId), until))
                .withCopy(new CopyState(s3, CopyState.State.RETRYING, Instant.now(), 2, "The bucket did not answer", retryAt,
                        null, null));
        record(account, outcome);

        JsonNode backup = await().atMost(Duration.ofSeconds(10)).until(
                () -> call("GET", "/api/accounts/" + account + "/backups/" + backupId, token, null), r -> r.status() == 200)
                .json();
        assertThat(backup.get("destination").get("connectionId").asText()).isEqualTo(main);
        assertThat(backup.get("destination").get("blobName").asText()).isEqualTo(blobName("backups", account, backupId));
        assertThat(Instant.parse(backup.get("destination").get("immutableUntil").asText())).isEqualTo(until);
        JsonNode copies = backup.get("copies");
        assertThat(copies).hasSize(2);
        JsonNode stored = copies.get(0).get("connectionId").asText().equals(archive) ? copies.get(0) : copies.get(1);
        JsonNode retrying = stored == copies.get(0) ? copies.get(1) : copies.get(0);
        assertThat(stored.get("state").asText()).isEqualTo("STORED");
        assertThat(Instant.parse(stored.get("immutableUntil").asText())).isEqualTo(until);
        assertThat(retrying.get("connectionId").asText()).isEqualTo(s3);
        assertThat(retrying.get("state").asText()).isEqualTo("RETRYING");
        assertThat(retrying.get("attempt").asInt()).isEqualTo(2);
        assertThat(retrying.get("reason").asText()).isEqualTo("The bucket did not answer");
        assertThat(Instant.parse(retrying.get("nextAttemptAt").asText())).isEqualTo(retryAt);
    }

    /** A link is signed at a copy only for a copy recorded as stored, and only for the blob name this backup's copy has. */
    @Test
    void aDownloadLinkToACopyIsSignedThereOnlyForAStoredCopyOfThisBackup() throws Exception {
        String account = registerAccount();
        String token = superadmin(account);
        String main = createConnection(account, azureJson("Main", "backups"));
        String archive = createConnection(account, azureJson(DESCRIPTION, "copies"));
        String failing = createConnection(account, azureJson("Failing", "failing"));
        String backupId = UUID.randomUUID().toString();
        upload(blobName("backups", account, backupId), "the original of " + backupId);
        upload(blobName("copies", account, backupId), "the copy of " + backupId);
        upload(ManifestNames.ofBlob(blobName("copies", account, backupId)), "the copy's manifest of " + backupId);
        record(account, completed(backupId, blobName("backups", account, backupId), main)
                .withCopy(new CopyState(archive, CopyState.State.STORED, Instant.now(), 1, null, null,
                        blobName("copies", account, backupId), null))
                .withCopy(new CopyState(failing, CopyState.State.FAILED, Instant.now(), 5, "gave up", null, null, null)));
        String path = "/api/accounts/" + account + "/backups/" + backupId + "/download";

        Response link = await().atMost(Duration.ofSeconds(10)).until(() -> call("POST", path + "?copy=" + archive, token, null),
                r -> r.status() != 404);
        assertThat(link.status()).as(link.body()).isEqualTo(200);
        assertThat(read(link.json().get("url").asText())).isEqualTo("the copy of " + backupId);
        assertThat(read(link.json().get("manifestUrl").asText())).as("the manifest beside the copy")
                .isEqualTo("the copy's manifest of " + backupId);
        assertThat(ManifestLink.parse(link.json().get("url").asText()).manifestUrl())
                .isEqualTo(link.json().get("manifestUrl").asText());
        assertThat(read(call("POST", path, token, null).json().get("url").asText())).as("without ?copy: the destination")
                .isEqualTo("the original of " + backupId);

        Response notStored = call("POST", path + "?copy=" + failing, token, null);
        assertThat(notStored.status()).isEqualTo(409);
        assertThat(notStored.json().get("key").asText()).isEqualTo("copyNotStored");
        assertThat(call("POST", path + "?copy=" + main, token, null).status()).as("no copy recorded there").isEqualTo(404);
        assertThat(call("POST", path + "?copy=c-none", token, null).status()).isEqualTo(404);
        assertThat(call("POST", path + "?copy=" + archive, superadmin(registerAccount()), null).status())
                .as("another account's superadmin").isEqualTo(403);

        // A writer to backup.status names another account's blob as the copy: no link.
        String other = registerAccount();
        String theirs = blobName("copies", other, backupId);
        upload(theirs, "another account's copy");
        String second = UUID.randomUUID().toString();
        record(account, completed(second, blobName("backups", account, second), main)
                .withCopy(new CopyState(archive, CopyState.State.STORED, Instant.now(), 1, null, null, theirs, null)));
        String secondPath = "/api/accounts/" + account + "/backups/" + second + "/download?copy=" + archive;
        Response refused = await().atMost(Duration.ofSeconds(10)).until(() -> call("POST", secondPath, token, null),
                r -> r.status() != 404);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("key").asText()).isEqualTo("blobNotThisBackups");
        assertThat(refused.body()).doesNotContain("sig=");
    }

    // ---- helpers ----

    private static String s3Json(String bucket, String prefix) {
        return "{\"type\":\"S3\",\"description\":\"" + DESCRIPTION + "\",\"endpoint\":\"" + S3_ORIGIN + "\","
                + "\"region\":\"eu-west-1\",\"bucket\":\"" + bucket + "\",\"prefix\":\"" + prefix + "\","
                + "\"accessKeyId\":\"AKIAIOSFODNN7EXAMPLE\",\"pathStyle\":true,\"enabledForAutomaticBackup\":true,"
                + "\"immutability\":{\"days\":30,\"mode\":\"LOCKED\",\"legalHold\":true},"
                + "\"secretAccessKey\":\"" + S3_SECRET + "\"}";
    }

    private static String azureJson(String description, String path) {
        return "{\"type\":\"AZURE_BLOB\",\"description\":\"" + description + "\",\"storageAccountName\":\"devstoreaccount1\","
                + "\"containerName\":\"" + container + "\",\"path\":\"" + path + "\",\"accessKey\":\"" + Azurite.ACCOUNT_KEY
                + "\",\"enabledForAutomaticBackup\":true,\"endpoint\":\"" + Azurite.blobEndpoint() + "\"}";
    }

    private static String blobName(String path, String account, String backupId) {
        return path + "/" + account + "/2026/11/" + account + "-20261126T091500Z-" + backupId + ".dump.zst";
    }

    private static void upload(String blobName, String content) {
        new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .getBlobContainerClient(container).getBlobClient(blobName).upload(BinaryData.fromString(content));
    }

    private static String read(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static OutcomeSummary completed(String backupId, String blobName, String connectionId) {
        return OutcomeSummary.success(backupId, Trigger.MANUAL, Instant.now(), 20L, blobName, connectionId);
    }

    /** What the scheduler records on backup.status, with this outcome the newest. */
    private static void record(String account, OutcomeSummary outcome) {
        KafkaProbe.send(topics.status(), account, Json.encode(new BackupStatus(account, outcome.endedAt(),
                outcome.backupId(), outcome, null, List.of(outcome), null, null, null, 0, null)));
    }

    private static String connections(String account) {
        return "/api/accounts/" + account + "/connections";
    }

    private static String registerAccount() throws Exception {
        String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
        String body = ConsoleCalls.accountJson("pw").replace("Tenant Ltd", "Société \\\"Ñandú\\\" O'Brien & Cía");
        assertThat(call("PUT", "/api/operator/accounts/" + account, OPERATOR, body).status()).isEqualTo(201);
        return account;
    }

    private static String createConnection(String account, String json) throws Exception {
        Response created = call("POST", connections(account), superadmin(account), json);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().get("connectionId").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> KafkaProbe.records(topics.connections()).stream()
                .anyMatch(r -> Connection.key(account, id).equals(r.key())));
        return id;
    }

    private static String superadmin(String account) {
        return MINTER.mint("admin-" + account, "admin@" + account + ".example", account, Role.SUPERADMIN, Duration.ofHours(1));
    }

    private static void assertBadRequest(String path, String method, String body, String field, String token) throws Exception {
        Response response = call(method, path, token, body);
        assertThat(response.status()).as(method + " " + path + " " + body + " -> " + response.body()).isEqualTo(400);
        assertThat(response.json().get("field").asText()).as(body).isEqualTo(field);
        assertThat(response.json().get("message").asText()).startsWith(field + " ");
        assertThat(response.body()).doesNotContain(S3_SECRET);
    }

    private static Response call(String method, String path, String token, String body) throws Exception {
        return ConsoleCalls.call(console.port(), method, path, token, body);
    }
}
