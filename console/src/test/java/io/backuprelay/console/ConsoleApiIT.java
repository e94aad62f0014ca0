package io.backuprelay.console;

import static io.backuprelay.console.ConsoleCalls.accountJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.event.Requester;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import io.backuprelay.console.ConsoleCalls.Response;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.ops.OpsEvent;
import io.backuprelay.common.ops.OpsStage;
import io.backuprelay.common.ops.OpsStatus;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenMinter;
import io.backuprelay.console.data.ConsoleData;
import io.backuprelay.console.data.ViewPosition;
import io.backuprelay.format.manifest.ManifestLink;
import io.backuprelay.format.manifest.ManifestNames;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TestKafka;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every endpoint of the console over the real broker, as an outside tool would call it. */
class ConsoleApiIT {

    private static final String SECRET = "console-test-secret-" + UUID.randomUUID();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static ConsoleServer console;
    private static Topics topics;
    private static String container;
    private static final TokenMinter MINTER = new TokenMinter(SECRET.getBytes(StandardCharsets.UTF_8), null);
    private static final String OPERATOR = MINTER.mint("ops-1", "ops@platform.example", null, Role.OPERATOR, Duration.ofHours(1));

    @BeforeAll
    static void start() {
        topics = new Topics(TestKafka.uniquePrefix());
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, 3, (short) 1);
        console = new ConsoleServer(new ConsoleData(kafka).start(), new ConsoleConfig("127.0.0.1", 0, SECRET, null, null)
                        .withEndpoints(EndpointPolicy.allowing(Azurite.origin())), // the emulator, as settings would list it
                SecretSealer.ofBase64("k1", SecretSealer.newBase64Key()), Clock.systemUTC());
        container = "console-" + UUID.randomUUID().toString().substring(0, 8);
        new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient().createBlobContainer(container);
    }

    @AfterAll
    static void stop() {
        if (console != null) {
            console.close();
        }
    }

    // ---- authentication and authorization ----

    @Test
    void refusesARequestWithoutAValidTokenWith401AndAJsonBody() throws Exception {
        Response none = call("GET", "/api/accounts/acme/backup-settings", null, null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.json().get("error").asText()).isEqualTo("unauthorized");
        assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer");

        assertThat(call("GET", "/api/accounts/acme/backup-settings", "not-a-jwt", null).status()).isEqualTo(401);
        String forged = new TokenMinter("another-secret-that-is-long-enough-1234".getBytes(StandardCharsets.UTF_8), null)
                .mint("x", null, "acme", Role.SUPERADMIN, Duration.ofHours(1));
        assertThat(call("GET", "/api/accounts/acme/backup-settings", forged, null).status()).isEqualTo(401);
        String expired = MINTER.mint("x", null, "acme", Role.SUPERADMIN, Duration.ofSeconds(-120));
        Response late = call("GET", "/api/accounts/acme/backup-settings", expired, null);
        assertThat(late.status()).isEqualTo(401);
        assertThat(late.json().get("message").asText()).contains("xpired");
    }

    @Test
    void rolesReachOnlyTheirOwnEndpoints() throws Exception {
        String account = registerAccount();
        String superadmin = superadmin(account);

        assertThat(call("GET", "/api/operator/accounts/" + account, superadmin, null).status()).isEqualTo(403);
        Response operatorOnBackups = call("GET", "/api/accounts/" + account + "/backup-settings", OPERATOR, null);
        assertThat(operatorOnBackups.status()).isEqualTo(403);
        assertThat(operatorOnBackups.json().get("error").asText()).isEqualTo("forbidden");
    }

    @Test
    void aSuperadminOfOneAccountCanNeitherReadNorChangeAnother() throws Exception {
        String a = registerAccount();
        String b = registerAccount();
        String connectionOfB = createConnection(b, true);
        String tokenA = superadmin(a);

        for (String[] request : new String[][] {
                {"GET", "/api/accounts/" + b + "/backup-settings", null},
                {"PUT", "/api/accounts/" + b + "/backup-settings", "{\"backupType\":\"MANUAL\"}"},
                {"GET", "/api/accounts/" + b + "/connections", null},
                {"POST", "/api/accounts/" + b + "/connections", connectionJson(true)},
                {"GET", "/api/accounts/" + b + "/connections/" + connectionOfB, null},
                {"PUT", "/api/accounts/" + b + "/connections/" + connectionOfB, connectionJson(false)},
                {"DELETE", "/api/accounts/" + b + "/connections/" + connectionOfB, null},
                {"POST", "/api/accounts/" + b + "/connections/" + connectionOfB + "/test", null},
                {"POST", "/api/accounts/" + b + "/backups", null},
                {"GET", "/api/accounts/" + b + "/backups", null},
                {"GET", "/api/accounts/" + b + "/backups/x", null}}) {
            Response response = call(request[0], request[1], tokenA, request[2]);
            assertThat(response.status()).as(request[0] + " " + request[1]).isEqualTo(403);
        }
        assertThat(call("GET", "/api/accounts/" + b + "/connections/" + connectionOfB, superadmin(b), null).status())
                .as("B's connection is untouched").isEqualTo(200);
    }

    // ---- the operators' registry ----

    @Test
    void anOperatorRegistersAnAccountAndReadsItBackWithoutThePassword() throws Exception {
        String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
        Response created = call("PUT", "/api/operator/accounts/" + account, OPERATOR, accountJson("s3cr3t-db-pass"));
        assertThat(created.status()).isEqualTo(201);
        Response updated = call("PUT", "/api/operator/accounts/" + account, OPERATOR, accountJson(null));
        assertThat(updated.status()).isEqualTo(200);

        Response read = call("GET", "/api/operator/accounts/" + account, OPERATOR, null);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().get("source").get("host").asText()).isEqualTo("db.tenant.internal");
        assertThat(read.json().get("source").get("passwordSet").asBoolean()).as("kept when not sent again").isTrue();
        assertThat(read.json().get("source").get("tls").asText()).as("TLS whenever the server offers it").isEqualTo("PREFER");
        Response required = call("PUT", "/api/operator/accounts/" + account, OPERATOR,
                accountJson(null).replace("\"database\":\"app\"", "\"database\":\"app\",\"tls\":\"VERIFY_FULL\""));
        assertThat(required.status()).as(required.body()).isEqualTo(200);
        assertThat(required.json().get("source").get("tls").asText()).isEqualTo("VERIFY_FULL");
        Response unsaid = call("PUT", "/api/operator/accounts/" + account, OPERATOR, accountJson(null));
        assertThat(unsaid.json().get("source").get("tls").asText()).as("a PUT that leaves it out keeps it")
                .isEqualTo("VERIFY_FULL");
        assertThat(read.body()).doesNotContain("s3cr3t-db-pass").doesNotContain("\"password\"");
        assertThat(call("GET", "/api/operator/accounts/nobody-here", OPERATOR, null).status()).isEqualTo(404);
    }

    @Test
    void aBadAccountIsRefusedNamingTheField() throws Exception {
        String path = "/api/operator/accounts/acct-bad";
        assertBadRequest(path, "PUT", accountJson("x").replace("ana@tenant.example", "not-an-email"), "superadminEmails[0]");
        assertBadRequest(path, "PUT", accountJson("x").replace("5432", "70000"), "source.port");
        assertBadRequest(path, "PUT", accountJson("x").replace("Europe/Lisbon", "Mars/Olympus"), "timeZone");
        assertBadRequest(path, "PUT", accountJson("x").replace("\"pt\"", "\"de\""), "locale");
        assertBadRequest(path, "PUT", accountJson("x").replace("POSTGRESQL", "ORACLE"), "source.engine");
        assertBadRequest(path, "PUT", accountJson("x").replace("\"database\":\"app\"", "\"database\":\"app\",\"tls\":\"MAYBE\""),
                "source.tls");
        assertBadRequest(path, "PUT", accountJson("x").replaceFirst("}$", ",\"storageOrigins\":[\"http://169.254.169.254\"]}"),
                "storageOrigins");
        assertBadRequest(path, "PUT", accountJson("x").replace("\"database\":\"app\"", "\"database\":\"app\",\"schema\":\"a b\""),
                "source.schema");
        assertBadRequest(path, "PUT", accountJson("x").replace("POSTGRESQL", "MARIADB")
                .replace("\"database\":\"app\"", "\"database\":\"app\",\"schema\":\"tenant_a\""), "source.schema");
        assertBadRequest(path, "PUT", accountJson("x").replace("{\"displayName\"", "{\"isAdmin\":true,\"displayName\""), "isAdmin");
        assertBadRequest(path, "PUT", "{\"displayName\":", "body");
        assertBadRequest("/api/operator/accounts/bad%20id", "PUT", accountJson("x"), "accountId");
    }

    @Test
    void anOversizedBodyIsRefused() throws Exception {
        String huge = "{\"displayName\":\"" + "x".repeat(100_000) + "\"}";
        assertThat(call("PUT", "/api/operator/accounts/acct-huge", OPERATOR, huge).status()).isEqualTo(413);
    }

    // ---- connections ----

    @Test
    void connectionsAreCreatedReadUpdatedTestedAndDeletedWithTheKeyNeverReturned() throws Exception {
        String account = registerAccount();
        String token = superadmin(account);
        Response created = call("POST", "/api/accounts/" + account + "/connections", token, connectionJson(true));
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().get("connectionId").asText();
        assertThat(created.headers().firstValue("Location")).contains("/api/accounts/" + account + "/connections/" + id);
        assertThat(created.body()).doesNotContain(Azurite.ACCOUNT_KEY);
        assertThat(created.json().get("accessKeyHint").asText()).isEqualTo("••••" + Azurite.ACCOUNT_KEY.substring(84));

        Response list = call("GET", "/api/accounts/" + account + "/connections", token, null);
        assertThat(list.json()).hasSize(1);
        assertThat(list.body()).doesNotContain(Azurite.ACCOUNT_KEY);

        Response test = call("POST", "/api/accounts/" + account + "/connections/" + id + "/test", token, null);
        assertThat(test.status()).isEqualTo(200);
        assertThat(test.json().get("ok").asBoolean()).isTrue();

        // Another container is another target: the stored key does not follow it unless it is given again.
        assertBadRequest("/api/accounts/" + account + "/connections/" + id, "PUT",
                connectionJson(false).replace(",\"accessKey\":\"" + Azurite.ACCOUNT_KEY + "\"", "")
                        .replace(container, "no-such-container"), "accessKey", token);
        Response updated = call("PUT", "/api/accounts/" + account + "/connections/" + id, token,
                connectionJson(false).replace(container, "no-such-container"));
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().get("enabledForAutomaticBackup").asBoolean()).isFalse();
        Response failing = call("POST", "/api/accounts/" + account + "/connections/" + id + "/test", token, null);
        assertThat(failing.json().get("ok").asBoolean()).isFalse();
        assertThat(failing.json().get("reason").asText()).as("the same words whatever failed: no map of the network")
                .isEqualTo("The storage account did not accept the request. Check the storage account name, the"
                        + " container, the access key or SAS token, and the endpoint.");

        assertThat(call("DELETE", "/api/accounts/" + account + "/connections/" + id, token, null).status()).isEqualTo(204);
        assertThat(call("GET", "/api/accounts/" + account + "/connections/" + id, token, null).status()).isEqualTo(404);
        assertThat(call("DELETE", "/api/accounts/" + account + "/connections/" + id, token, null).status()).isEqualTo(404);
    }

    /** Before: editing a connection on the page (which does not send the tier) silently cleared its access tier. */
    @Test
    void anEditThatDoesNotNameTheAccessTierKeepsItAndAnEmptyOneClearsIt() throws Exception {
        String account = registerAccount();
        String token = superadmin(account);
        Response created = call("POST", "/api/accounts/" + account + "/connections", token,
                connectionJson(true).replace("\"enabledForAutomaticBackup\"", "\"accessTier\":\"COOL\",\"enabledForAutomaticBackup\""));
        assertThat(created.json().get("accessTier").asText()).isEqualTo("COOL");
        String path = "/api/accounts/" + account + "/connections/" + created.json().get("connectionId").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> call("GET", path, token, null).status() == 200);

        Response edited = call("PUT", path, token, connectionJson(false).replace("\"Main\"", "\"Renamed\""));
        assertThat(edited.json().get("accessTier").asText()).isEqualTo("COOL");
        assertThat(edited.json().get("description").asText()).isEqualTo("Renamed");

        Response cleared = call("PUT", path, token, connectionJson(false).replace("\"enabledForAutomaticBackup\"",
                "\"accessTier\":\"\",\"enabledForAutomaticBackup\""));
        assertThat(cleared.json().get("accessTier").isNull()).isTrue();
    }

    @Test
    void aConnectionMaySignInWithASasTokenWhichIsNeverReturned() throws Exception {
        String account = registerAccount();
        String token = superadmin(account);
        var containerClient = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .getBlobContainerClient(container);
        String sas = containerClient.generateSas(new BlobServiceSasSignatureValues(
                OffsetDateTime.now().plusDays(30), new BlobContainerSasPermission()
                .setReadPermission(true).setWritePermission(true).setCreatePermission(true).setDeletePermission(true)));
        String body = connectionJson(true).replace("\"accessKey\":\"" + Azurite.ACCOUNT_KEY + "\"", "\"sasToken\":\"" + sas + "\"");

        Response created = call("POST", "/api/accounts/" + account + "/connections", token, body);

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("credentialType").asText()).isEqualTo("SAS_TOKEN");
        assertThat(created.json().get("sasTokenExpiresAt").isNull()).isFalse();
        assertThat(created.body()).doesNotContain(sas).doesNotContain(sas.substring(sas.indexOf("sig=")));
        String id = created.json().get("connectionId").asText();
        Response test = call("POST", "/api/accounts/" + account + "/connections/" + id + "/test", token, null);
        assertThat(test.json().get("ok").asBoolean()).as(test.body()).isTrue();
        assertBadRequest("/api/accounts/" + account + "/connections", "POST",
                connectionJson(true).replace("\"enabledForAutomaticBackup\"", "\"sasToken\":\"" + sas + "\",\"enabledForAutomaticBackup\""),
                "sasToken", token);
    }

    @Test
    void aBadConnectionIsRefusedNamingTheField() throws Exception {
        String account = registerAccount();
        String path = "/api/accounts/" + account + "/connections";
        String token = superadmin(account);
        assertBadRequest(path, "POST", connectionJson(true).replace("devstoreaccount1", "Dev_Store"), "storageAccountName", token);
        assertBadRequest(path, "POST", connectionJson(true).replace(container, "bad--name"), "containerName", token);
        assertBadRequest(path, "POST", connectionJson(true).replace(container, "-edge"), "containerName", token);
        assertBadRequest(path, "POST", connectionJson(true).replace("\"path\":\"backups\"", "\"path\":\"a/../b\""), "path", token);
        assertBadRequest(path, "POST", connectionJson(true).replace("\"path\":\"backups\"", "\"path\":\"/abs\""), "path", token);
        assertBadRequest(path, "POST", connectionJson(true).replace("\"accessKey\":\"" + Azurite.ACCOUNT_KEY + "\",", ""), "accessKey", token);
        assertBadRequest(path, "POST", connectionJson(true).replace("\"endpoint\":\"", "\"endpoint\":\"ftp://"), "endpoint", token);
        assertBadRequest(path, "POST", connectionJson(true).replace("AZURE_BLOB", "GCS"), "type", token);
        assertBadRequest(path, "POST", connectionJson(true).replace("AZURE_BLOB", "S3"), "storageAccountName", token);
    }

    // ---- backup settings and backups ----

    @Test
    void anAutomaticTypeNeedsAnEnabledDestinationAndTheDestinationCannotBeDeleted() throws Exception {
        String account = registerAccount();
        String token = superadmin(account);
        String settings = "/api/accounts/" + account + "/backup-settings";
        Response initial = call("GET", settings, token, null);
        assertThat(initial.status()).isEqualTo(200);
        assertThat(initial.json().get("state").asText()).isEqualTo("MANUAL_ONLY");
        assertThat(initial.json().get("lastBackupAt").isNull()).as("Never").isTrue();

        String disabled = createConnection(account, false);
        assertBadRequest(settings, "PUT", "{\"backupType\":\"EVERY_7_DAYS\"}", "destinationConnectionId", token);
        assertBadRequest(settings, "PUT", "{\"backupType\":\"EVERY_7_DAYS\",\"destinationConnectionId\":\"c-none\"}",
                "destinationConnectionId", token);
        assertBadRequest(settings, "PUT", "{\"backupType\":\"EVERY_7_DAYS\",\"destinationConnectionId\":\"" + disabled + "\"}",
                "destinationConnectionId", token);
        assertBadRequest(settings, "PUT", "{\"backupType\":\"EVERY_8_DAYS\"}", "backupType", token);
        assertBadRequest(settings, "PUT", "{\"backupType\":\"MANUAL\",\"notifyEmails\":[\"x\"]}", "notifyEmails[0]", token);
        assertBadRequest(settings, "PUT", "{\"backupType\":\"MANUAL\",\"encryptionRecipients\":[\"age1nope\"]}",
                "encryptionRecipients[0]", token);
        assertBadRequest(settings, "PUT", "{\"backupType\":\"MANUAL\",\"retention\":{\"keepLast\":0}}", "retention.keepLast", token);

        String enabled = createConnection(account, true);
        Response saved = call("PUT", settings, token, "{\"backupType\":\"EVERY_7_DAYS\",\"destinationConnectionId\":\""
                + enabled + "\",\"notifyEmails\":[\"it@tenant.example\"],\"encryptionRecipients\":"
                + "[\"age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\"],\"retention\":{\"keepLast\":10}}");
        assertThat(saved.status()).isEqualTo(200);
        assertThat(saved.json().get("backupType").asText()).isEqualTo("EVERY_7_DAYS");
        assertThat(saved.json().get("destinationConnectionId").asText()).isEqualTo(enabled);
        assertThat(saved.json().get("state").asText()).isEqualTo("AWAITING_FIRST_MANUAL_BACKUP");
        assertThat(saved.json().get("retention").get("keepLast").asInt()).isEqualTo(10);

        Response conflict = call("DELETE", "/api/accounts/" + account + "/connections/" + enabled, token, null);
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.json().get("error").asText()).isEqualTo("conflict");
        assertThat(call("DELETE", "/api/accounts/" + account + "/connections/" + disabled, token, null).status()).isEqualTo(204);
    }

    @Test
    void aManualBackupIsAcceptedOnceWhileItRunsAndShowsInTheHistory() throws Exception {
        String account = registerAccount();
        String token = superadmin(account);
        String backups = "/api/accounts/" + account + "/backups";
        assertBadRequest(backups, "POST", "", "connectionId", token);
        assertThat(call("POST", backups, token, null).json().get("key").asText()).as("said on the page in its language")
                .isEqualTo("noConnection");
        String connection = createConnection(account, true);

        Response accepted = call("POST", backups, token, null);
        assertThat(accepted.status()).isEqualTo(202);
        String backupId = accepted.json().get("backupId").asText();
        Response again = call("POST", backups, token, "{\"connectionId\":\"" + connection + "\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("message").asText()).contains(backupId);

        var requests = KafkaProbe.records(topics.requests()).stream()
                .filter(r -> account.equals(r.key())).toList();
        assertThat(requests).hasSize(1);
        assertThat(new String(requests.getFirst().value(), StandardCharsets.UTF_8))
                .contains(backupId).contains("\"trigger\":\"MANUAL\"").contains(connection);
        await().atMost(Duration.ofSeconds(10)).until(() -> KafkaProbe.records(topics.ops()).stream()
                .filter(r -> backupId.equals(r.key()))
                .map(r -> Json.decode(r.value(), OpsEvent.class))
                .anyMatch(e -> e.stage() == OpsStage.REQUEST
                        && e.status() == OpsStatus.REQUESTED && "console".equals(e.worker())));

        Response history = call("GET", backups, token, null);
        assertThat(history.json().get(0).get("backupId").asText()).isEqualTo(backupId);
        assertThat(history.json().get(0).get("state").asText()).isIn("REQUESTED", "RUNNING");
        assertThat(call("GET", backups + "/" + backupId, token, null).status()).isEqualTo(200);
        assertThat(call("GET", backups + "/unknown-backup", token, null).status()).isEqualTo(404);

        // The scheduler records the outcome on backup.status(); the console reads it from there.
        Instant ended = Instant.parse("2026-11-26T10:00:00Z");
        BackupStatus done = new BackupStatus(account, ended, backupId,
                BackupStatus.OutcomeSummary.success(backupId, Trigger.MANUAL, ended, 4242L, "x/y.dump.zst", null),
                null, List.of(BackupStatus.OutcomeSummary.success(backupId, Trigger.MANUAL, ended, 4242L,
                "x/y.dump.zst", null)), null, null, null, 0, null);
        KafkaProbe.send(topics.status(), account, Json.encode(done));
        await().atMost(Duration.ofSeconds(20)).until(() ->
                !call("GET", "/api/accounts/" + account + "/backup-settings", token, null).json().get("lastBackupAt").isNull());
        JsonNode one = call("GET", backups + "/" + backupId, token, null).json();
        assertThat(one.get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(one.get("sizeBytes").asLong()).isEqualTo(4242L);
        assertThat(one.get("blobName").asText()).isEqualTo("x/y.dump.zst");
        assertThat(call("POST", backups, token, null).status()).as("nothing runs any more").isEqualTo(202);
    }

    @Test
    void aManualBackupMayGoToAConnectionNotEnabledForAutomaticBackupAndNamesWhoAskedInTheirLanguage() throws Exception {
        String account = registerAccount();
        String backups = "/api/accounts/" + account + "/backups";
        String enabled = createConnection(account, true);
        String other = createConnection(account, false);
        String token = MINTER.mint("u-ana", "ana@" + account + ".example", account, Role.SUPERADMIN, "es",
                Duration.ofHours(1));

        Response ask = call("POST", backups, token, null);
        assertThat(ask.status()).as("two connections, no automatic destination: which one?").isEqualTo(400);
        assertThat(ask.json().get("key").asText()).isEqualTo("chooseConnection");
        assertThat(ask.json().get("field").asText()).isEqualTo("connectionId");

        Response accepted = call("POST", backups, token, "{\"connectionId\":\"" + other + "\"}");
        assertThat(accepted.status()).isEqualTo(202);
        String backupId = accepted.json().get("backupId").asText();
        BackupRequested request = KafkaProbe.records(topics.requests()).stream().filter(r -> account.equals(r.key()))
                .map(r -> Json.decode(r.value(), BackupRequested.class)).filter(r -> r.backupId().equals(backupId))
                .findFirst().orElseThrow();
        assertThat(request.connectionId()).isEqualTo(other).isNotEqualTo(enabled);
        assertThat(request.requester()).isEqualTo(new Requester(
                "ana@" + account + ".example", "es"));
    }

    @Test
    void aBackupWindowIsSavedInItsZoneOrTheAccountsAndABadOneIsRefusedNamingItsField() throws Exception {
        String account = registerAccount();
        String token = superadmin(account);
        String settings = "/api/accounts/" + account + "/backup-settings";
        String enabled = createConnection(account, true);
        String automatic = "{\"backupType\":\"EVERY_7_DAYS\",\"destinationConnectionId\":\"" + enabled + "\",\"window\":";

        Response saved = call("PUT", settings, token, automatic
                + "{\"start\":\"23:30\",\"lengthMinutes\":180,\"timeZone\":\"America/Sao_Paulo\"}}");
        assertThat(saved.status()).isEqualTo(200);
        assertThat(saved.json().get("window").toString())
                .isEqualTo("{\"start\":\"23:30\",\"lengthMinutes\":180,\"timeZone\":\"America/Sao_Paulo\"}");
        Response read = call("GET", settings, token, null);
        assertThat(read.json().get("window").get("start").asText()).isEqualTo("23:30");
        assertThat(read.json().get("window").get("timeZone").asText()).isEqualTo("America/Sao_Paulo");

        Response inAccountZone = call("PUT", settings, token, automatic + "{\"start\":\"01:00\",\"lengthMinutes\":60}}");
        assertThat(inAccountZone.json().get("window").get("timeZone").asText()).as("the account's zone")
                .isEqualTo("Europe/Lisbon");

        assertBadRequest(settings, "PUT", automatic + "{\"start\":\"25:00\",\"lengthMinutes\":60}}", "window.start", token);
        assertBadRequest(settings, "PUT", automatic + "{\"start\":\"1am\",\"lengthMinutes\":60}}", "window.start", token);
        assertBadRequest(settings, "PUT", automatic + "{\"lengthMinutes\":60}}", "window.start", token);
        assertBadRequest(settings, "PUT", automatic + "{\"start\":\"01:00\",\"lengthMinutes\":14}}",
                "window.lengthMinutes", token);
        assertBadRequest(settings, "PUT", automatic + "{\"start\":\"01:00\",\"lengthMinutes\":1441}}",
                "window.lengthMinutes", token);
        assertBadRequest(settings, "PUT", automatic + "{\"start\":\"01:00\"}}", "window.lengthMinutes", token);
        assertBadRequest(settings, "PUT", automatic + "{\"start\":\"01:00\",\"lengthMinutes\":60,"
                + "\"timeZone\":\"Mars/Olympus_Mons\"}}", "window.timeZone", token);
        assertThat(call("GET", settings, token, null).json().get("window").get("start").asText())
                .as("a refused window changes nothing").isEqualTo("01:00");

        Response cleared = call("PUT", settings, token, automatic + "null}");
        assertThat(cleared.json().get("window").isNull()).isTrue();
    }

    @Test
    void aWriteAnswersWithItsPositionAndAReadPresentingItSeesTheWrite() throws Exception {
        String account = registerAccount();
        String token = superadmin(account);
        String settings = "/api/accounts/" + account + "/backup-settings";
        Response written = call("PUT", settings, token, "{\"backupType\":\"MANUAL\",\"notifyEmails\":[\"x@y.example\"]}");
        assertThat(written.status()).isEqualTo(200);
        String position = written.headers().firstValue(ViewPosition.HEADER).orElseThrow();
        assertThat(position).matches("(accounts|settings|connections):\\d+:\\d+(,(accounts|settings|connections):\\d+:\\d+)*")
                .contains("settings:");

        Response read = ConsoleCalls.call(console.port(), "GET", settings, token, null, position);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().get("notifyEmails").get(0).asText()).isEqualTo("x@y.example");

        Response malformed = ConsoleCalls.call(console.port(), "GET", settings, token, null, "settings:zero");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().get("field").asText()).isEqualTo(ViewPosition.HEADER);

        Response ahead = ConsoleCalls.call(console.port(), "GET", settings, token, null, "settings:0:999999999");
        assertThat(ahead.status()).as("a position no write reached is refused, not waited for").isEqualTo(400);
        assertThat(ahead.json().get("field").asText()).isEqualTo(ViewPosition.HEADER);
        assertThat(ahead.json().toString()).contains("past what the topics hold");
        Response missingPartition = ConsoleCalls.call(console.port(), "GET", settings, token, null, "settings:4096:1");
        assertThat(missingPartition.status()).as("a partition the topic does not have").isEqualTo(400);
    }

    @Test
    void anUnregisteredAccountIsNotFound() throws Exception {
        String token = superadmin("acct-unknown");
        assertThat(call("GET", "/api/accounts/acct-unknown/backup-settings", token, null).status()).isEqualTo(404);
        assertThat(call("POST", "/api/accounts/acct-unknown/backups", token, null).status()).isEqualTo(404);
        Response noRoute = call("GET", "/api/nothing-here", token, null);
        assertThat(noRoute.status()).isEqualTo(404);
    }

    @Test
    void healthAndMetricsAnswer() throws Exception {
        assertThat(call("GET", "/health/live", null, null).status()).isEqualTo(200);
        var ready = call("GET", "/health/ready", null, null).json();
        assertThat(ready.get("status").asText()).isEqualTo("UP");
        assertThat(ready.get("components").size()).isPositive();
        assertThat(ready.findValues("detail")).as("no counts nor exception text on the public port").isEmpty();
        call("GET", "/api/accounts/acme/backup-settings", null, null);
        assertThat(call("GET", "/metrics", null, null).status()).as("no token").isEqualTo(401);
        assertThat(call("GET", "/metrics", superadmin("acme"), null).status()).as("a tenant").isEqualTo(403);
        Response metrics = call("GET", "/metrics", OPERATOR, null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("http_server_requests_seconds_count").contains("jvm_memory_used_bytes");
        call("GET", "/api/accounts/acme/backup-settings", superadmin("acme"), null);
        assertThat(call("GET", "/metrics", OPERATOR, null).body()).as("each request under its route, a bounded name")
                .contains("uri=\"/api/accounts/{accountId}/backup-settings\"");
    }

    // ---- downloads ----

    @Test
    void aSuperadminGetsAShortLivedReadOnlyLinkToACompletedBackupAndNoOneElseDoes() throws Exception {
        String account = registerAccount();
        String connection = createConnection(account, true);
        String backupId = UUID.randomUUID().toString();
        String blobName = storedBackup(account, backupId, "the archive of " + backupId);
        recordCompleted(account, backupId, blobName, connection);
        String path = "/api/accounts/" + account + "/backups/" + backupId + "/download";

        Response link = await().atMost(Duration.ofSeconds(10)).until(() -> call("POST", path, superadmin(account), null),
                r -> r.status() == 200);

        String url = link.json().get("url").asText();
        assertThat(Instant.parse(link.json().get("expiresAt").asText()))
                .isBetween(Instant.now().plus(Duration.ofMinutes(14)), Instant.now().plus(Duration.ofMinutes(16)));
        HttpResponse<String> download = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo("the archive of " + backupId);
        HttpResponse<String> overwrite = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .header("x-ms-blob-type", "BlockBlob").PUT(HttpRequest.BodyPublishers.ofString("replaced")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(overwrite.statusCode()).as("the link only reads").isEqualTo(403);
        assertThat(url).doesNotContain(Azurite.ACCOUNT_KEY);

        // The manifest beside the blob: its own read-only link, also carried in the link's fragment for the restore.
        String manifestUrl = link.json().get("manifestUrl").asText();
        assertThat(ManifestLink.parse(url)).isEqualTo(new ManifestLink(url.substring(0, url.indexOf('#')), manifestUrl));
        assertThat(ManifestLink.parse(url).manifestBesideTheBlob()).isTrue();
        HttpResponse<String> manifest = HTTP.send(HttpRequest.newBuilder(URI.create(manifestUrl)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(manifest.statusCode()).isEqualTo(200);
        assertThat(manifest.body()).isEqualTo("the manifest of " + backupId);
        HttpResponse<String> overwriteManifest = HTTP.send(HttpRequest.newBuilder(URI.create(manifestUrl))
                .header("x-ms-blob-type", "BlockBlob").PUT(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(overwriteManifest.statusCode()).as("the manifest's link only reads").isEqualTo(403);
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(manifestUrl.replace(".manifest.json?", "?"))).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).as("it reads the manifest alone").isEqualTo(403);

        assertThat(call("POST", path, superadmin(registerAccount()), null).status()).as("another account's superadmin")
                .isEqualTo(403);
        assertThat(call("POST", path, OPERATOR, null).status()).as("an operator").isEqualTo(403);
        assertThat(call("POST", "/api/accounts/" + account + "/backups/" + UUID.randomUUID() + "/download",
                superadmin(account), null).status()).as("a backup that is not there").isEqualTo(404);
        await().atMost(Duration.ofSeconds(10)).until(() -> KafkaProbe.records(topics.ops()).stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .anyMatch(json -> json.contains("LINK_ISSUED") && json.contains(backupId) && json.contains("and its manifest")
                        && !json.contains("sig=") && !json.contains("sig%3D")));
    }

    /** A writer to backup.status could name any blob of the container: the console signs links for this backup's only. */
    @Test
    void noLinkIsSignedForABlobThatIsNotWhereThisBackupIsKept() throws Exception {
        String account = registerAccount();
        String other = registerAccount();
        String connection = createConnection(account, true);
        String backupId = UUID.randomUUID().toString();
        String theirs = storedBackup(other, backupId, "another account's archive");
        recordCompleted(account, backupId, theirs, connection);
        String path = "/api/accounts/" + account + "/backups/" + backupId + "/download";

        Response refused = await().atMost(Duration.ofSeconds(10)).until(() -> call("POST", path, superadmin(account), null),
                r -> r.status() != 404);

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body()).contains("not where this account's backups are kept").doesNotContain("sig=");
    }

    @Test
    void aSasTokenConnectionGivesNoDownloadLinkAndNeverItsToken() throws Exception {
        String account = registerAccount();
        var containerClient = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .getBlobContainerClient(container);
        String backupId = UUID.randomUUID().toString();
        String blobName = storedBackup(account, backupId, "archive " + backupId);
        String readOnly = containerClient.generateSas(new BlobServiceSasSignatureValues(
                OffsetDateTime.now().plusDays(30), new BlobContainerSasPermission()
                .setReadPermission(true).setListPermission(true)));
        String path = "/api/accounts/" + account + "/backups/" + backupId + "/download";

        String reading = createSasConnection(account, readOnly);
        recordCompleted(account, backupId, blobName, reading);
        Response refused = await().atMost(Duration.ofSeconds(10)).until(() -> call("POST", path, superadmin(account), null),
                r -> r.status() != 404);

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body()).contains("SAS token").contains("access key").doesNotContain("sig=")
                .doesNotContain(readOnly.substring(readOnly.indexOf("sig=") + 4));
    }

    private static String createSasConnection(String account, String sas) throws Exception {
        String body = connectionJson(false).replace("\"accessKey\":\"" + Azurite.ACCOUNT_KEY + "\"", "\"sasToken\":\"" + sas + "\"");
        Response created = call("POST", "/api/accounts/" + account + "/connections", superadmin(account), body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("connectionId").asText();
    }

    /**
     * A blob in the test's container where the upload worker puts this account's backup, and its
     * manifest beside it ("the manifest of {backupId}"); the blob's name.
     */
    private static String storedBackup(String account, String backupId, String content) {
        String blobName = "backups/" + account + "/2026/11/" + account + "-20261126T091500Z-" + backupId + ".dump.zst";
        var blobs = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .getBlobContainerClient(container);
        blobs.getBlobClient(blobName).upload(BinaryData.fromString(content));
        blobs.getBlobClient(ManifestNames.ofBlob(blobName)).upload(BinaryData.fromString("the manifest of " + backupId));
        return blobName;
    }

    /** What the scheduler would have recorded once the backup completed. */
    private static void recordCompleted(String account, String backupId, String blobName, String connectionId) {
        var summary = BackupStatus.OutcomeSummary.success(backupId, Trigger.MANUAL, Instant.now(), 20L, blobName,
                connectionId);
        KafkaProbe.send(topics.status(), account, Json.encode(new BackupStatus(account, summary.endedAt(), backupId,
                summary, null, List.of(summary), null, null, null, 0, null)));
    }

    // ---- helpers ----

    private static String registerAccount() throws Exception {
        String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(call("PUT", "/api/operator/accounts/" + account, OPERATOR, accountJson("pw")).status()).isEqualTo(201);
        return account;
    }

    private static String createConnection(String account, boolean enabled) throws Exception {
        Response created = call("POST", "/api/accounts/" + account + "/connections", superadmin(account), connectionJson(enabled));
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().get("connectionId").asText();
        // Another reader (the scheduler) sees it through the topic, as the console does.
        await().atMost(Duration.ofSeconds(10)).until(() -> KafkaProbe.records(topics.connections()).stream()
                .anyMatch(r -> Connection.key(account, id).equals(r.key())));
        return id;
    }

    private static String superadmin(String account) {
        return MINTER.mint("admin-" + account, "admin@" + account + ".example", account, Role.SUPERADMIN, Duration.ofHours(1));
    }

    private static String connectionJson(boolean enabled) {
        return "{\"type\":\"AZURE_BLOB\",\"description\":\"Main\",\"storageAccountName\":\"devstoreaccount1\","
                + "\"containerName\":\"" + container + "\",\"path\":\"backups\",\"accessKey\":\"" + Azurite.ACCOUNT_KEY
                + "\",\"enabledForAutomaticBackup\":" + enabled + ",\"endpoint\":\"" + Azurite.blobEndpoint() + "\"}";
    }

    private static void assertBadRequest(String path, String method, String body, String field) throws Exception {
        assertBadRequest(path, method, body, field, OPERATOR);
    }

    private static void assertBadRequest(String path, String method, String body, String field, String token) throws Exception {
        Response response = call(method, path, token, body);
        assertThat(response.status()).as(method + " " + path + " " + body + " -> " + response.body()).isEqualTo(400);
        assertThat(response.json().get("error").asText()).isEqualTo("invalid_request");
        assertThat(response.json().get("field").asText()).isEqualTo(field);
        assertThat(response.json().get("message").asText()).startsWith(field + " ");
    }

    private static Response call(String method, String path, String token, String body) throws IOException, InterruptedException {
        return ConsoleCalls.call(console.port(), method, path, token, body);
    }
}
