package io.backuprelay.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.fasterxml.jackson.databind.JsonNode;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.BackupStatus.CopyState;
import io.backuprelay.common.account.BackupStatus.OutcomeSummary;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.console.ConsoleCalls.Response;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenMinter;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TestKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The activity log over the real broker and Azurite: every action of a super-administrator and an
 * operator appears in the account's log with who did it, to what, and what changed, newest first and
 * paged; no secret given in a request appears in it; an operator sees every account's, a tenant only
 * its own.
 */
class ActivityApiIT {

    private static final String SECRET = "activity-test-secret-" + UUID.randomUUID();
    private static final TokenMinter MINTER = new TokenMinter(SECRET.getBytes(StandardCharsets.UTF_8), null);
    private static final String OPERATOR = MINTER.mint("ops|Zoë O'Connor", "zoe.oconnor@platform.example", null,
            Role.OPERATOR, Duration.ofHours(1));
    private static final String S3_ORIGIN = "http://127.0.0.1:19";
    private static final String S3_SECRET = "wJalrXUtnFEMI/K7MDENG/activity-" + UUID.randomUUID();
    private static final String DB_PASSWORD = "pässwörd-" + UUID.randomUUID();
    private static final String DB_PASSWORD_2 = "zweites-" + UUID.randomUUID();

    private static ConsoleServer console;
    private static Topics topics;
    private static String container;

    @BeforeAll
    static void start() {
        topics = new Topics(TestKafka.uniquePrefix());
        console = TestConsole.start(topics, SECRET, Azurite.origin(), S3_ORIGIN);
        container = "activity-" + UUID.randomUUID().toString().substring(0, 8);
        new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient().createBlobContainer(container);
    }

    @AfterAll
    static void stop() {
        if (console != null) {
            console.close();
        }
    }

    @Test
    void everyActionAppearsWithWhoWhatAndWhatChangedNewestFirstAndNoSecretInIt() throws Exception {
        String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(put("/api/operator/accounts/" + account, OPERATOR, accountJson("Société \\\"Ñandú\\\"", DB_PASSWORD))
                .status()).isEqualTo(201);
        assertThat(put("/api/operator/accounts/" + account, OPERATOR, accountJson("Société Ñandú O'Brien", DB_PASSWORD_2))
                .status()).isEqualTo(200);
        String jose = superadmin(account, "auth0|José Núñez", "jose.nunez@tenant.example");
        String sas = containerClient().generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusDays(30),
                new BlobContainerSasPermission().setReadPermission(true).setWritePermission(true)));

        String main = create(account, jose, azureJson("Main", "backups", "\"accessKey\":\"" + Azurite.ACCOUNT_KEY + "\""));
        JsonNode justAdded = activity(account, jose, "").get("entries").get(0);
        assertThat(justAdded.get("action").asText()).as("read right after the write").isEqualTo("CONNECTION_ADDED");
        assertThat(justAdded.get("target").asText()).isEqualTo(main);
        String archive = create(account, jose, azureJson("Archivo \\\"frío\\\"", "copies",
                "\"accessKey\":\"" + Azurite.ACCOUNT_KEY + "\""));
        String bucket = create(account, jose, s3Json());
        String withSas = create(account, jose, azureJson("Temporary", "tmp", "\"sasToken\":\"" + sas + "\""));
        assertThat(call("POST", connection(account, main) + "/test", jose, null).json().get("ok").asBoolean()).isTrue();
        assertThat(put(connection(account, main), jose, azureJson("Main \\\"primary\\\" Zürich", "backups",
                "\"accessKey\":\"" + Azurite.ACCOUNT_KEY + "\"")).status()).isEqualTo(200);
        assertThat(call("DELETE", connection(account, withSas), jose, null).status()).isEqualTo(204);
        assertThat(put("/api/accounts/" + account + "/backup-settings", jose, "{\"backupType\":\"EVERY_7_DAYS\","
                + "\"destinationConnectionId\":\"" + main + "\",\"notifyEmails\":[\"marta@tenant.example\"],"
                + "\"retention\":{\"keepLast\":30}}").status()).isEqualTo(200);
        Response requested = call("POST", "/api/accounts/" + account + "/backups", jose, "{\"connectionId\":\"" + main + "\"}");
        assertThat(requested.status()).as(requested.body()).isEqualTo(202);
        String requestedId = requested.json().get("backupId").asText();
        String stored = storedBackupWithACopy(account, main, archive);
        Response link = await().atMost(Duration.ofSeconds(10)).until(() -> call("POST", download(account, stored), jose,
                null), r -> r.status() != 404);
        assertThat(link.status()).as(link.body()).isEqualTo(200);
        Response copyLink = call("POST", download(account, stored) + "?copy=" + archive, jose, null);
        assertThat(copyLink.status()).as(copyLink.body()).isEqualTo(200);

        Response answer = call("GET", "/api/accounts/" + account + "/activity", jose, null);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        JsonNode entries = answer.json().get("entries");
        assertThat(actions(entries)).containsExactly("DOWNLOAD_GIVEN", "DOWNLOAD_GIVEN", "BACKUP_REQUESTED",
                "SETTINGS_CHANGED", "CONNECTION_DELETED", "CONNECTION_CHANGED", "CONNECTION_TESTED", "CONNECTION_ADDED",
                "CONNECTION_ADDED", "CONNECTION_ADDED", "CONNECTION_ADDED", "ACCOUNT_CHANGED", "ACCOUNT_REGISTERED");
        assertThat(answer.json().get("next").isNull()).isTrue();
        for (int i = 0; i < 11; i++) {
            JsonNode actor = entries.get(i).get("actor");
            assertThat(actor.get("subject").asText()).isEqualTo("auth0|José Núñez");
            assertThat(actor.get("email").asText()).isEqualTo("jose.nunez@tenant.example");
            assertThat(actor.get("role").asText()).isEqualTo("superadmin");
        }
        assertThat(entries.get(12).get("actor").get("email").asText()).isEqualTo("zoe.oconnor@platform.example");
        assertThat(entries.get(12).get("actor").get("role").asText()).isEqualTo("operator");
        assertThat(Instant.parse(entries.get(0).get("at").asText())).isAfter(Instant.parse(entries.get(12).get("at").asText()));

        assertThat(entries.get(0).get("target").asText()).isEqualTo(stored);
        assertThat(entries.get(0).get("details").get("copy").asText()).isEqualTo(archive);
        assertThat(entries.get(1).get("details").get("connection").asText()).isEqualTo(main);
        assertThat(entries.get(2).get("target").asText()).isEqualTo(requestedId);
        assertThat(entries.get(2).get("details").get("connection").asText()).isEqualTo(main);
        assertThat(changes(entries.get(3))).contains("backupType: MANUAL → EVERY_7_DAYS",
                "destinationConnectionId: null → " + main, "notifyEmails: null → marta@tenant.example",
                "retention.keepLast: null → 30");
        assertThat(entries.get(4).get("target").asText()).isEqualTo(withSas);
        assertThat(changes(entries.get(4))).contains("description: Temporary → null", "sasToken: changed");
        assertThat(entries.get(5).get("target").asText()).isEqualTo(main);
        assertThat(changes(entries.get(5))).containsExactly("description: Main → Main \"primary\" Zürich",
                "accessKey: changed");
        assertThat(entries.get(6).get("details").get("result").asText()).isEqualTo("ok");
        assertThat(entries.get(7).get("target").asText()).isEqualTo(withSas);
        assertThat(changes(entries.get(7))).contains("sasToken: changed", "containerName: null → " + container);
        assertThat(changes(entries.get(8))).contains("accessKey: changed", "s3.accessKeyId: null → AKIAIOSFODNN7EXAMPLE",
                "containerName: null → tenant-copies");
        assertThat(entries.get(8).get("target").asText()).isEqualTo(bucket);
        assertThat(changes(entries.get(11))).containsExactly("displayName: Société \"Ñandú\" → Société Ñandú O'Brien",
                "source.password: changed");
        assertThat(changes(entries.get(12))).contains("source.host: null → db.tenant.internal", "source.password: changed");

        String raw = answer.body() + call("GET", "/api/operator/activity?account=" + account, OPERATOR, null).body();
        List<String> onTopic = KafkaProbe.records(topics.activity()).stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
        for (String secret : List.of(Azurite.ACCOUNT_KEY, Azurite.ACCOUNT_KEY.substring(0, 20), S3_SECRET,
                S3_SECRET.substring(S3_SECRET.length() - 20), sas, sas.substring(sas.indexOf("sig=")), DB_PASSWORD,
                DB_PASSWORD_2, link.json().get("url").asText(), "sig=", "ciphertext")) {
            assertThat(raw).as("the activity answers").doesNotContain(secret);
            assertThat(onTopic).as("backup.activity").noneMatch(json -> json.contains(secret));
        }
    }

    @Test
    void pagesOfTheLogFollowEachOtherWithTheNextCursorAndBadParametersAreNamed() throws Exception {
        String account = registerAccount();
        String token = superadmin(account, "Ana María Ortiz", "ana.maria@tenant.example");
        for (int i = 0; i < 4; i++) {
            create(account, token, azureJson("Conexión " + i, "p" + i, "\"accessKey\":\"" + Azurite.ACCOUNT_KEY + "\""));
        }
        JsonNode all = activity(account, token, "?limit=200").get("entries");
        assertThat(all).hasSize(5);

        List<String> paged = new ArrayList<>();
        String cursor = "";
        int pages = 0;
        do {
            JsonNode page = activity(account, token, "?limit=2" + cursor);
            page.get("entries").forEach(e -> paged.add(e.get("entryId").asText()));
            cursor = page.get("next").isNull() ? null : "&before=" + page.get("next").asText();
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        List<String> ids = new ArrayList<>();
        all.forEach(e -> ids.add(e.get("entryId").asText()));
        assertThat(paged).isEqualTo(ids);
        assertThat(ids).isSortedAccordingTo((a, b) -> b.compareTo(a));

        for (String bad : List.of("?limit=0", "?limit=201", "?limit=ten", "?limit=-1")) {
            assertBadRequest("/api/accounts/" + account + "/activity" + bad, token, "limit");
        }
        for (String bad : List.of("?before=yesterday", "?before=" + ids.get(0).toUpperCase(), "?before=%27%20OR%201%3D1")) {
            assertBadRequest("/api/accounts/" + account + "/activity" + bad, token, "before");
        }
        assertBadRequest("/api/operator/activity?limit=1000", OPERATOR, "limit");
        assertBadRequest("/api/operator/activity?account=..%2Fetc", OPERATOR, "account");
    }

    @Test
    void anOperatorSeesEveryAccountsLogAndATenantOnlyItsOwn() throws Exception {
        String acme = registerAccount();
        String globex = registerAccount();
        String acmeAdmin = superadmin(acme, "auth0|Søren Kierkegaard", "soren@acme.example");
        String globexAdmin = superadmin(globex, "Renée Dubois", "renee@globex.example");
        String acmeConnection = create(acme, acmeAdmin, azureJson("Acme", "a", "\"accessKey\":\"" + Azurite.ACCOUNT_KEY + "\""));
        String globexConnection = create(globex, globexAdmin, azureJson("Globex", "g",
                "\"accessKey\":\"" + Azurite.ACCOUNT_KEY + "\""));

        JsonNode everyone = call("GET", "/api/operator/activity?limit=200", OPERATOR, null).json().get("entries");
        List<String> targets = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        everyone.forEach(e -> {
            targets.add(e.get("target").asText());
            ids.add(e.get("entryId").asText());
        });
        assertThat(targets).contains(acmeConnection, globexConnection);
        assertThat(targets.indexOf(globexConnection)).as("newest first").isLessThan(targets.indexOf(acmeConnection));
        assertThat(ids).isSortedAccordingTo((a, b) -> b.compareTo(a));

        JsonNode onlyGlobex = call("GET", "/api/operator/activity?account=" + globex, OPERATOR, null).json().get("entries");
        assertThat(onlyGlobex).hasSize(2).allMatch(e -> e.get("accountId").asText().equals(globex));

        assertThat(call("GET", "/api/accounts/" + globex + "/activity", acmeAdmin, null).status())
                .as("another account's log").isEqualTo(403);
        assertThat(call("GET", "/api/operator/activity", acmeAdmin, null).status()).as("a tenant").isEqualTo(403);
        assertThat(call("GET", "/api/accounts/" + acme + "/activity", OPERATOR, null).status())
                .as("the account's page is its superadmin's").isEqualTo(403);
        assertThat(call("GET", "/api/accounts/" + acme + "/activity", null, null).status()).isEqualTo(401);
    }

    // ---- helpers ----

    private static List<String> actions(JsonNode entries) {
        List<String> actions = new ArrayList<>();
        entries.forEach(e -> actions.add(e.get("action").asText()));
        return actions;
    }

    /** Each change as the page says it: "field: from → to", a secret "field: changed". */
    private static List<String> changes(JsonNode entry) {
        List<String> changes = new ArrayList<>();
        entry.get("changes").forEach(c -> changes.add(c.get("field").asText() + ": " + (c.get("secret").asBoolean()
                ? "changed" : c.get("from").asText() + " → " + c.get("to").asText())));
        return changes;
    }

    private static JsonNode activity(String account, String token, String query) throws Exception {
        Response response = call("GET", "/api/accounts/" + account + "/activity" + query, token, null);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private static String storedBackupWithACopy(String account, String main, String archive) {
        String backupId = UUID.randomUUID().toString();
        String original = blobName("backups", account, backupId);
        String copy = blobName("copies", account, backupId);
        containerClient().getBlobClient(original).upload(BinaryData.fromString("the original"));
        containerClient().getBlobClient(copy).upload(BinaryData.fromString("the copy"));
        OutcomeSummary outcome = OutcomeSummary.success(backupId, Trigger.MANUAL, Instant.now(), 12L, original, main)
                .withCopy(new CopyState(archive, CopyState.State.STORED, Instant.now(), 1, null, null, copy, null));
        KafkaProbe.send(topics.status(), account, Json.encode(new BackupStatus(account, outcome.endedAt(),
                outcome.backupId(), outcome, null, List.of(outcome), null, null, null, 0, null)));
        return backupId;
    }

    private static BlobContainerClient containerClient() {
        return new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .getBlobContainerClient(container);
    }

    private static String blobName(String path, String account, String backupId) {
        return path + "/" + account + "/2026/11/" + account + "-20261126T091500Z-" + backupId + ".dump.zst";
    }

    private static String download(String account, String backupId) {
        return "/api/accounts/" + account + "/backups/" + backupId + "/download";
    }

    private static String connection(String account, String connectionId) {
        return "/api/accounts/" + account + "/connections/" + connectionId;
    }

    private static String accountJson(String displayName, String password) {
        return ConsoleCalls.accountJson(password).replace("Tenant Ltd", displayName);
    }

    private static String azureJson(String description, String path, String credential) {
        return "{\"type\":\"AZURE_BLOB\",\"description\":\"" + description + "\",\"storageAccountName\":\"devstoreaccount1\","
                + "\"containerName\":\"" + container + "\",\"path\":\"" + path + "\"," + credential
                + ",\"enabledForAutomaticBackup\":true,\"endpoint\":\"" + Azurite.blobEndpoint() + "\"}";
    }

    private static String s3Json() {
        return "{\"type\":\"S3\",\"description\":\"Offsite\",\"endpoint\":\"" + S3_ORIGIN + "\",\"region\":\"eu-west-1\","
                + "\"bucket\":\"tenant-copies\",\"prefix\":\"daily\",\"accessKeyId\":\"AKIAIOSFODNN7EXAMPLE\","
                + "\"pathStyle\":true,\"secretAccessKey\":\"" + S3_SECRET + "\"}";
    }

    private static String registerAccount() throws Exception {
        String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(put("/api/operator/accounts/" + account, OPERATOR, accountJson("Cía. Ñandú", DB_PASSWORD)).status())
                .isEqualTo(201);
        return account;
    }

    private static String create(String account, String token, String json) throws Exception {
        Response created = call("POST", "/api/accounts/" + account + "/connections", token, json);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("connectionId").asText();
    }

    private static String superadmin(String account, String subject, String email) {
        return MINTER.mint(subject, email, account, Role.SUPERADMIN, Duration.ofHours(1));
    }

    private static void assertBadRequest(String path, String token, String field) throws Exception {
        Response response = call("GET", path, token, null);
        assertThat(response.status()).as(path + " -> " + response.body()).isEqualTo(400);
        assertThat(response.json().get("field").asText()).isEqualTo(field);
    }

    private static Response put(String path, String token, String body) throws Exception {
        return call("PUT", path, token, body);
    }

    private static Response call(String method, String path, String token, String body) throws Exception {
        return ConsoleCalls.call(console.port(), method, path, token, body);
    }
}
