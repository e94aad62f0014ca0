package io.backuprelay.console;

import static io.backuprelay.console.ConsoleCalls.accountJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import io.backuprelay.blob.BlobAccess;
import io.backuprelay.blob.BlobCredential;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import io.backuprelay.console.ConsoleCalls.Response;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.secret.SecretContext;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.secret.SecretUnavailableException;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.console.api.Limits;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenMinter;
import io.backuprelay.console.data.ConsoleData;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TestKafka;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile input against the real console (and the storage adapter every worker goes through): each
 * case must be refused or neutralised. "Before:" says what the console did with it until this suite
 * existed, so each case is known to fail on the code it guards against.
 */
class SecurityIT {

    private static final String SECRET = "security-test-secret-" + UUID.randomUUID();
    private static final TokenMinter MINTER = new TokenMinter(SECRET.getBytes(StandardCharsets.UTF_8), null);
    private static final String OPERATOR = MINTER.mint("ops-1", "ops@platform.example", null, Role.OPERATOR, Duration.ofHours(1));
    private static final SecretSealer SEALER = SecretSealer.ofBase64("k1", SecretSealer.newBase64Key());

    /** Azure's hosts, and the emulator as a test's settings would list it: nothing else. */
    private static final EndpointPolicy ALLOWING_AZURITE = EndpointPolicy.allowing(Azurite.origin());

    private static ConsoleServer console;
    private static Topics topics;
    private static String container;
    /** A listener on loopback that counts every connection made to it: none may be. */
    private static ServerSocket trap;
    private static final AtomicInteger trapped = new AtomicInteger();

    @BeforeAll
    static void start() throws IOException {
        topics = new Topics(TestKafka.uniquePrefix());
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, 3, (short) 1);
        Limits limits = new Limits(3, 2, 2, 2, 2, 2, Clock.systemUTC());
        console = new ConsoleServer(new ConsoleData(kafka).start(),
                new ConsoleConfig("127.0.0.1", 0, SECRET, null, null, limits).withEndpoints(ALLOWING_AZURITE), SEALER,
                Clock.systemUTC());
        container = "security-" + UUID.randomUUID().toString().substring(0, 8);
        new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient().createBlobContainer(container);
        trap = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!trap.isClosed()) {
                try (Socket ignored = trap.accept()) {
                    trapped.incrementAndGet();
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    @AfterAll
    static void stop() throws IOException {
        if (console != null) {
            console.close();
        }
        trap.close();
    }

    // ---- SSRF ----

    /** Before: every one of these was accepted, and "Test connection" sent PUT, GET and DELETE there. */
    @Test
    void anEndpointOutsideTheAllowlistIsRefusedBeforeAnyConnectionIsMade() throws Exception {
        String account = registerAccount();
        int port = trap.getLocalPort();
        for (String endpoint : List.of("http://169.254.169.254", "https://169.254.169.254/latest/meta-data",
                "https://10.1.2.3", "https://192.168.0.10:8443", "http://127.0.0.1:" + port, "https://127.0.0.1:" + port,
                "https://[::1]:" + port, "https://localhost:" + port, "https://evil.example.com",
                "http://acme.blob.core.windows.net", "https://user:pw@acme.blob.core.windows.net")) {
            Response response = call("POST", "/api/accounts/" + account + "/connections", superadmin(account),
                    connectionJson(Azurite.ACCOUNT_KEY).replace(Azurite.blobEndpoint(), endpoint));
            assertThat(response.status()).as(endpoint).isEqualTo(400);
            assertThat(response.json().get("field").asText()).as(endpoint).isEqualTo("endpoint");
        }
        assertThat(trapped.get()).as("connections made to the loopback listener").isZero();
    }

    /**
     * Before: the probe, the upload worker and retention followed whatever endpoint a record held.
     * A record written to the topic without the console (or before the allowlist) is never contacted.
     */
    @Test
    void aStoredConnectionAimedOutsideTheAllowlistIsNeverContactedByTheProbeOrTheWorkers() throws Exception {
        String account = registerAccount();
        Connection aimed = new Connection(account, "c-aimed", ConnectionType.AZURE_BLOB, "Aimed", "devstoreaccount1",
                container, "", SEALER.seal(Azurite.ACCOUNT_KEY,
                SecretContext.accessKey(account, "c-aimed",
                        "http://127.0.0.1:" + trap.getLocalPort(), "devstoreaccount1", container)), true, "http://127.0.0.1:" + trap.getLocalPort(),
                        null, null, null, null);
        KafkaProbe.send(topics.connections(), aimed.key(), Json.encode(aimed));

        Response test = await().atMost(Duration.ofSeconds(10)).until(() -> call("POST", "/api/accounts/" + account
                + "/connections/c-aimed/test", superadmin(account), null), r -> r.status() == 200);

        assertThat(test.json().get("ok").asBoolean()).isFalse();
        assertThat(test.json().get("reason").asText()).startsWith("The storage account did not accept the request.")
                .doesNotContain("127.0.0.1").doesNotContain("refused").doesNotContain("allowed");
        assertThatThrownBy(() -> new BlobAccess(ALLOWING_AZURITE).store(aimed, BlobCredential.accountKey(Azurite.ACCOUNT_KEY)).find("x"))
                .as("the upload worker, retention and the drill go through the same check")
                .isInstanceOf(EndpointPolicy.EndpointRefusedException.class);
        assertThat(trapped.get()).isZero();
    }

    /**
     * Before: an origin in BACKUPRELAY_ALLOWED_ENDPOINTS (the demo's emulator, with its public key)
     * served every tenant, so one could name another's container there. Now the list is only what an
     * operator may grant, and an account uses only what was granted to it. Nothing connects to decide.
     */
    @Test
    void anOriginTheOperatorsListedServesOnlyTheAccountsItWasGrantedTo() throws Exception {
        String origin = "http://127.0.0.1:" + trap.getLocalPort();
        EndpointPolicy listing = EndpointPolicy.from(new ConfigSource(
                Map.of("BACKUPRELAY_ALLOWED_ENDPOINTS", origin))).alsoAllowing(Azurite.origin());
        ConsoleServer shared = console;
        ConsoleData data = new ConsoleData(new KafkaSettings(TestKafka.bootstrapServers(), topics)).start();
        console = new ConsoleServer(data, new ConsoleConfig("127.0.0.1", 0, SECRET, null, null).withEndpoints(listing),
                SEALER, Clock.systemUTC());
        try {
            String granted = registerAccount();
            String other = registerAccount();
            String withGrant = accountJson("pw").replaceFirst("}$", ",\"storageOrigins\":[\"" + origin.toUpperCase() + "/\"]}");
            Response grant = call("PUT", "/api/operator/accounts/" + granted, OPERATOR, withGrant);
            assertThat(grant.status()).as(grant.body()).isEqualTo(200);
            assertThat(grant.json().get("storageOrigins").get(0).asText()).isEqualTo(origin);
            Response unlisted = call("PUT", "/api/operator/accounts/" + other, OPERATOR,
                    accountJson("pw").replaceFirst("}$", ",\"storageOrigins\":[\"http://127.0.0.1:1\"]}"));
            assertThat(unlisted.status()).isEqualTo(400);
            assertThat(unlisted.json().get("field").asText()).isEqualTo("storageOrigins");
            assertThat(unlisted.body()).contains("may be granted").contains(origin);

            String aimed = connectionJson(Azurite.ACCOUNT_KEY).replace(Azurite.blobEndpoint(), origin + "/devstoreaccount1");
            Response theirs = call("POST", "/api/accounts/" + other + "/connections", superadmin(other), aimed);
            assertThat(theirs.status()).isEqualTo(400);
            assertThat(theirs.json().get("field").asText()).isEqualTo("endpoint");
            assertThat(theirs.body()).contains("was not granted to this account");
            Response mine = call("POST", "/api/accounts/" + granted + "/connections", superadmin(granted), aimed);
            assertThat(mine.status()).as(mine.body()).isEqualTo(201);

            // A record written straight to the topic for the other account: the workers refuse it too.
            Connection written = new Connection(other, "c-written", ConnectionType.AZURE_BLOB, "Written", "devstoreaccount1",
                    container, "", SEALER.seal(Azurite.ACCOUNT_KEY, SecretContext.accessKey(
                    other, "c-written", origin + "/devstoreaccount1", "devstoreaccount1", container)), true,
                    origin + "/devstoreaccount1", null, null, null, null);
            assertThatThrownBy(() -> new BlobAccess(data.withGrants(listing)).store(written,
                    BlobCredential.accountKey(Azurite.ACCOUNT_KEY)))
                    .isInstanceOf(EndpointPolicy.EndpointRefusedException.class).hasMessageContaining("not granted");
            assertThat(trapped.get()).as("connections made to decide").isZero();
        } finally {
            console.close();
            console = shared;
        }
    }

    /** Before: no limit, and each answer told "Connection refused" from "closed" from an HTTP error. */
    @Test
    void connectionTestsAreRateLimitedPerAccountWithRetryAfter() throws Exception {
        String account = registerAccount();
        String id = createConnection(account);
        String path = "/api/accounts/" + account + "/connections/" + id + "/test";
        assertThat(call("POST", path, superadmin(account), null).json().get("ok").asBoolean()).isTrue();
        assertThat(call("POST", path, superadmin(account), null).status()).isEqualTo(200);

        Response third = call("POST", path, superadmin(account), null);

        assertThat(third.status()).isEqualTo(429);
        assertThat(Long.parseLong(third.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 61L);
        assertThat(call("POST", "/api/accounts/" + registerAccount() + "/connections/" + id + "/test",
                OPERATOR, null).status()).as("another account is not held up, nor helped").isEqualTo(403);
    }

    // ---- tokens ----

    /**
     * Before: any validity was accepted. alg=none, a token signed with another secret, an expired one
     * and one valid for a week are refused by the real console (the identity-provider cases, with
     * issuer and audience, are in TokenVerifierTest).
     */
    @Test
    void forgedExpiredOrOverlongTokensAreRefused() throws Exception {
        String account = registerAccount();
        String path = "/api/accounts/" + account + "/backup-settings";
        var claims = new JWTClaimsSet.Builder().subject("x").claim("role", "superadmin")
                .claim("account", account).issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plusSeconds(300))).build();
        String none = new PlainJWT(claims).serialize();
        String otherSecret = new TokenMinter(("another-secret-of-at-least-32-bytes-" + UUID.randomUUID())
                .getBytes(StandardCharsets.UTF_8), null).mint("x", null, account, Role.SUPERADMIN, Duration.ofMinutes(5));
        String expired = MINTER.mint("x", null, account, Role.SUPERADMIN, Duration.ofMinutes(-5));
        String week = MINTER.mint("x", null, account, Role.SUPERADMIN, Duration.ofDays(7));
        for (String token : List.of(none, otherSecret, expired, week)) {
            assertThat(call("GET", path, token, null).status()).isEqualTo(401);
        }
        assertThat(call("GET", path, superadmin(account), null).status()).isEqualTo(200);
    }

    // ---- sealed secrets ----

    /**
     * Before: a sealed key copied by a broker writer into another account's connection opened there.
     * Now the seal names its record and field, and the copy opens nowhere but where it was sealed.
     */
    @Test
    void aSealedKeyCopiedIntoAnotherAccountsConnectionDoesNotOpen() throws Exception {
        String victim = registerAccount();
        String id = createConnection(victim);
        Connection sealedForVictim = await().atMost(Duration.ofSeconds(10)).until(() -> KafkaProbe
                .records(topics.connections()).stream().filter(r -> r.key().equals(victim + "/" + id))
                .map(r -> Json.decode(r.value(), Connection.class)).reduce((a, b) -> b), Optional::isPresent).orElseThrow();
        String attacker = registerAccount();
        Connection copied = new Connection(attacker, "c-copied", ConnectionType.AZURE_BLOB, "Copied", "devstoreaccount1",
                container, "", sealedForVictim.accessKey(), true, Azurite.blobEndpoint(), null, null, null, null);
        KafkaProbe.send(topics.connections(), copied.key(), Json.encode(copied));

        assertThatThrownBy(() -> BlobCredential.of(copied, SEALER))
                .isInstanceOf(SecretUnavailableException.class);
        Response test = await().atMost(Duration.ofSeconds(10)).until(() -> call("POST", "/api/accounts/" + attacker
                + "/connections/c-copied/test", superadmin(attacker), null), r -> r.status() != 404);
        assertThat(test.status()).isEqualTo(200);
        assertThat(test.json().get("ok").asBoolean()).as("the copied key is of no use to the console either").isFalse();
        assertThat(BlobCredential.of(sealedForVictim, SEALER).accountKey()).isEqualTo(Azurite.ACCOUNT_KEY);
    }

    // ---- secrets follow their target ----

    /** Before: a PUT with a new endpoint and no key kept the stored key, and the next test sent it there. */
    @Test
    void pointingAConnectionOrAnAccountElsewhereRequiresItsSecretAgain() throws Exception {
        String account = registerAccount();
        String id = createConnection(account);
        String path = "/api/accounts/" + account + "/connections/" + id;
        String elsewhere = connectionJson(null).replace(Azurite.blobEndpoint(), Azurite.plantedEndpoint());
        Response moved = call("PUT", path, superadmin(account), elsewhere);
        assertThat(moved.status()).isEqualTo(400);
        assertThat(moved.json().get("field").asText()).isEqualTo("accessKey");
        assertThat(call("PUT", path, superadmin(account), connectionJson(null).replace("devstoreaccount1", "otheraccount"))
                .json().get("field").asText()).isEqualTo("accessKey");
        assertThat(call("PUT", path, superadmin(account), connectionJson(null).replace("\"Main\"", "\"Renamed\""))
                .status()).as("the same target keeps its key").isEqualTo(200);

        String operatorPath = "/api/operator/accounts/" + account;
        Response rehomed = call("PUT", operatorPath, OPERATOR, accountJson(null).replace("db.tenant.internal", "db.attacker.example"));
        assertThat(rehomed.status()).isEqualTo(400);
        assertThat(rehomed.json().get("field").asText()).isEqualTo("source.password");
        assertThat(call("PUT", operatorPath, OPERATOR, accountJson(null).replace("\"backup\"", "\"postgres\"")).status())
                .as("another user").isEqualTo(400);
        assertThat(call("PUT", operatorPath, OPERATOR, accountJson(null).replace("Tenant Ltd", "Tenant SA")).status())
                .as("the same database keeps its password").isEqualTo(200);
    }

    // ---- bodies ----

    /**
     * Before: a 100 MB chunked POST was read in full (into the heap) before the 400 came back. Now the
     * answer comes once the cap is passed, while the client is still sending; what follows is
     * discarded unread by the server's closing connection, never buffered.
     */
    @Test
    void aChunkedBodyOverTheCapIsRefusedWhileItIsStillBeingSent() throws Exception {
        String account = registerAccount();
        long size = 64L << 20;
        AtomicLong sent = new AtomicLong();
        AtomicLong sentWhenAnswered = new AtomicLong(-1);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), console.port())) {
            var out = socket.getOutputStream();
            out.write(("POST /api/accounts/" + account + "/connections HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + superadmin(account) + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            CompletableFuture<String> statusLine = new CompletableFuture<>();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    String line = in.readLine();
                    sentWhenAnswered.set(sent.get());
                    statusLine.complete(line);
                } catch (IOException e) {
                    statusLine.completeExceptionally(e);
                }
            });
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) ' ');
            byte[] header = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            try {
                while (sent.get() < size && !statusLine.isDone()) {
                    out.write(header);
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    sent.addAndGet(chunk.length);
                    Thread.sleep(1); // a sender on a network, not a memory copy: the answer's moment is measurable
                }
            } catch (IOException closed) {
                // the server closed the connection: nothing more is read
            }
            assertThat(statusLine.get(30, TimeUnit.SECONDS)).startsWith("HTTP/1.1 413");
        }
        assertThat(sentWhenAnswered.get()).as("bytes sent when the 413 came (socket buffers hold a few MB)")
                .isBetween(64L * 1024, size / 4);
    }

    /** Before: Jackson's default depth (1000) and string length (20 MB) applied. */
    @Test
    void deeplyNestedOrOversizedJsonUnknownFieldsAndWrongTypesAreRefusedNamingTheField() throws Exception {
        String account = registerAccount();
        String path = "/api/accounts/" + account + "/backup-settings";
        String nested = "{\"backupType\":\"MANUAL\",\"retention\":" + "[".repeat(40) + "]".repeat(40) + "}";
        assertThat(call("PUT", path, superadmin(account), nested).status()).isEqualTo(400);
        String huge = "{\"backupType\":\"MANUAL\",\"notifyEmails\":[\"" + "a".repeat(40_000) + "@x.example\"]}";
        assertThat(call("PUT", path, superadmin(account), huge).status()).isEqualTo(400);
        assertThat(call("PUT", path, superadmin(account), "{\"backupType\":\"MANUAL\",\"admin\":true}").json()
                .get("field").asText()).isEqualTo("admin");
        assertThat(call("PUT", path, superadmin(account), "{\"backupType\":7}").json().get("field").asText())
                .isEqualTo("backupType");
    }

    // ---- identifiers and arguments ----

    /** Before: only a length check; a database named "host=10.1.2.3 dbname=postgres" was accepted. */
    @Test
    void databaseNamesAndUsersCannotCarryAConnectionStringAnOptionAPathOrALineBreak() throws Exception {
        String operatorPath = "/api/operator/accounts/" + "acct-" + UUID.randomUUID().toString().substring(0, 8);
        for (String hostile : List.of("host=10.1.2.3 dbname=postgres", "app\nresult-file=/tmp/x", "--all-databases",
                "../../etc/passwd", "app' OR '1'='1", "app;DROP", "a b")) {
            Response database = call("PUT", operatorPath, OPERATOR, accountJson("pw").replace("\"app\"", Json.mapper()
                    .writeValueAsString(hostile)));
            assertThat(database.status()).as(hostile).isEqualTo(400);
            assertThat(database.json().get("field").asText()).isEqualTo("source.database");
            Response user = call("PUT", operatorPath, OPERATOR, accountJson("pw").replace("\"backup\"", Json.mapper()
                    .writeValueAsString(hostile)));
            assertThat(user.json().get("field").asText()).as(hostile).isEqualTo("source.username");
        }
        // The account's name goes into every email's Subject header: a line break would add headers (Bcc:…).
        Response header = call("PUT", operatorPath, OPERATOR, accountJson("pw").replace("Tenant Ltd",
                "Tenant\\r\\nBcc: victim@example.com"));
        assertThat(header.status()).isEqualTo(400);
        assertThat(header.json().get("field").asText()).isEqualTo("displayName");
        for (String id : List.of("..%2F..%2Fetc", "a%0D%0Ab", "%2E%2E")) {
            assertThat(call("PUT", "/api/operator/accounts/" + id, OPERATOR, accountJson("pw")).status()).as(id)
                    .isIn(400, 404);
        }
    }

    /**
     * Before: the console accepted values the workers then refused (a host that is an option, a schema
     * with a dot, an address with a comma, an age key with a wrong checksum, NEL or U+2028 in a name),
     * so the account was saved and every backup of it failed later. The console now asks the workers'
     * own rules (Rules, the age library's parser) and answers 400 naming the field.
     */
    @Test
    void whatAWorkerWouldRefuseTheConsoleRefusesAtOnceNamingTheField() throws Exception {
        String operatorPath = "/api/operator/accounts/" + "acct-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> refused = Map.of(
                "source.host", accountJson("pw").replace("\"db.tenant.internal\"", "\"-V\""),
                "source.schema", accountJson("pw").replace("\"username\":\"backup\"", "\"username\":\"backup\",\"schema\":\"a.b\""),
                "superadminEmails[0]", accountJson("pw").replace("ana@tenant.example", "a,b@x.io"),
                "displayName", accountJson("pw").replace("Tenant Ltd", "Tenant\\u0085Bcc: x@evil.example"));
        for (var entry : refused.entrySet()) {
            Response answer = call("PUT", operatorPath, OPERATOR, entry.getValue());
            assertThat(answer.status()).as(entry.getKey()).isEqualTo(400);
            assertThat(answer.json().get("field").asText()).isEqualTo(entry.getKey());
        }
        Response separator = call("PUT", operatorPath, OPERATOR, accountJson("pw").replace("Tenant Ltd", "Tenant\\u2028Ltd"));
        assertThat(separator.json().get("field").asText()).isEqualTo("displayName");

        String account = registerAccount();
        String settings = "/api/accounts/" + account + "/backup-settings";
        String goodKey = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
        Response good = call("PUT", settings, superadmin(account), "{\"backupType\":\"MANUAL\",\"encryptionRecipients\":[\""
                + goodKey + "\"]}");
        assertThat(good.status()).as("a real age key").isEqualTo(200);
        String badChecksum = goodKey.substring(0, goodKey.length() - 1) + (goodKey.endsWith("p") ? "q" : "p");
        Response bad = call("PUT", settings, superadmin(account), "{\"backupType\":\"MANUAL\",\"encryptionRecipients\":[\""
                + badChecksum + "\"]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("field").asText()).isEqualTo("encryptionRecipients[0]");
        assertThat(bad.json().toString()).contains("checksum");
        Response comma = call("PUT", settings, superadmin(account), "{\"backupType\":\"MANUAL\",\"notifyEmails\":[\"a,b@x.io\"]}");
        assertThat(comma.json().get("field").asText()).isEqualTo("notifyEmails[0]");
    }

    /** Before: only swapping the account in the path was tried; here one's own path names another's object. */
    @Test
    void anotherAccountsConnectionOrBackupUnderOnesOwnPathIsNotFound() throws Exception {
        String mine = registerAccount();
        String theirs = registerAccount();
        String theirConnection = createConnection(theirs);
        String theirBackup = UUID.randomUUID().toString();
        recordCompleted(theirs, theirConnection, theirBackup);

        String token = superadmin(mine);
        for (String[] request : new String[][] {
                {"GET", "/api/accounts/" + mine + "/connections/" + theirConnection},
                {"PUT", "/api/accounts/" + mine + "/connections/" + theirConnection},
                {"DELETE", "/api/accounts/" + mine + "/connections/" + theirConnection},
                {"POST", "/api/accounts/" + mine + "/connections/" + theirConnection + "/test"},
                {"GET", "/api/accounts/" + mine + "/backups/" + theirBackup},
                {"POST", "/api/accounts/" + mine + "/backups/" + theirBackup + "/download"}}) {
            Response response = call(request[0], request[1], token, request[0].equals("PUT") ? connectionJson(null) : null);
            assertThat(response.status()).as(String.join(" ", request)).isEqualTo(404);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> call("POST", "/api/accounts/" + theirs + "/backups/"
                + theirBackup + "/download", superadmin(theirs), null).status() == 200); // it is there, for its owner
    }

    // ---- limits ----

    /** Before: no cap on connections, recipients or manual backups; a manual backup could mail 50 addresses, forever. */
    @Test
    void connectionsRecipientsAndManualBackupsAreCappedPerAccount() throws Exception {
        String account = registerAccount();
        for (int i = 0; i < 3; i++) {
            createConnection(account);
        }
        Response fourth = call("POST", "/api/accounts/" + account + "/connections", superadmin(account),
                connectionJson(Azurite.ACCOUNT_KEY));
        assertThat(fourth.status()).isEqualTo(400);
        assertThat(fourth.json().get("field").asText()).isEqualTo("connections");

        String settings = "/api/accounts/" + account + "/backup-settings";
        assertThat(call("PUT", settings, superadmin(account), "{\"backupType\":\"MANUAL\",\"notifyEmails\":"
                + "[\"a@x.example\",\"b@x.example\",\"c@x.example\"]}").json().get("field").asText()).isEqualTo("notifyEmails");

        String backups = "/api/accounts/" + account + "/backups";
        String connectionId = call("GET", "/api/accounts/" + account + "/connections", superadmin(account), null).json()
                .get(0).get("connectionId").asText();
        String body = "{\"connectionId\":\"" + connectionId + "\"}";
        for (int i = 0; i < 2; i++) {
            Response accepted = call("POST", backups, superadmin(account), body);
            assertThat(accepted.status()).isEqualTo(202);
            finish(account, accepted.json().get("backupId").asText());
        }
        Response third = call("POST", backups, superadmin(account), body);
        assertThat(third.status()).isEqualTo(429);
        assertThat(third.headers().firstValue("Retry-After")).isPresent();
    }

    /** Before: POST …/download had no limit. Here two links an hour an account; another account is not held back. */
    @Test
    void downloadLinksAreLimitedPerAccount() throws Exception {
        String account = registerAccount();
        String other = registerAccount();
        String backup = completedBackupOf(account);
        String theirs = completedBackupOf(other);
        String path = "/api/accounts/" + account + "/backups/" + backup + "/download";
        await().atMost(Duration.ofSeconds(10)).until(() -> call("POST", path, superadmin(account), null).status() == 200);

        assertThat(call("POST", path, superadmin(account), null).status()).isEqualTo(200);
        Response third = call("POST", path, superadmin(account), null);
        assertThat(third.status()).isEqualTo(429);
        assertThat(third.body()).contains("2 download links in 1 h");
        assertThat(third.headers().firstValue("Retry-After")).isPresent();
        await().atMost(Duration.ofSeconds(10)).until(() -> call("POST", "/api/accounts/" + other + "/backups/" + theirs
                + "/download", superadmin(other), null).status() == 200);
    }

    /** A completed backup of the account, as the scheduler records it, on a connection with the access key. */
    private static String completedBackupOf(String account) throws Exception {
        String backupId = UUID.randomUUID().toString();
        recordCompleted(account, createConnection(account), backupId);
        return backupId;
    }

    /** What the scheduler records once a backup completed, its blob where the upload worker puts it. */
    private static void recordCompleted(String account, String connection, String backupId) {
        var summary = BackupStatus.OutcomeSummary.success(backupId, Trigger.MANUAL, Instant.now(), 20L,
                "backups/" + account + "/2026/11/" + account + "-20261126T091500Z-" + backupId + ".dump.zst", connection);
        KafkaProbe.send(topics.status(), account, Json.encode(new BackupStatus(account, summary.endedAt(), backupId,
                summary, null, List.of(summary), null, null, null, 0, null)));
    }

    // ---- the page ----

    /** Before: no CSP, frame-ancestors, nosniff or Referrer-Policy; /metrics open on the console's port. */
    @Test
    void everyAnswerCarriesSecurityHeadersAndMetricsAreForOperators() throws Exception {
        for (String path : List.of("/", "/app.js", "/api/accounts/x/backups")) {
            Response response = call("GET", path, null, null);
            assertThat(response.headers().firstValue("Content-Security-Policy")).as(path).hasValueSatisfying(csp ->
                    assertThat(csp).contains("script-src 'self'").contains("frame-ancestors 'none'")
                            .doesNotContain("unsafe-inline"));
            assertThat(response.headers().firstValue("X-Content-Type-Options")).as(path).contains("nosniff");
            assertThat(response.headers().firstValue("Referrer-Policy")).as(path).contains("no-referrer");
        }
        assertThat(call("GET", "/", null, null).body()).doesNotContain("<script>").doesNotContain(" onclick=")
                .doesNotContain(" style=\"");
        assertThat(call("GET", "/metrics", null, null).status()).isEqualTo(401);
        assertThat(call("GET", "/metrics", superadmin("acme"), null).status()).isEqualTo(403);
        assertThat(call("GET", "/metrics", OPERATOR, null).status()).isEqualTo(200);
    }

    // ---- helpers ----

    /** What the scheduler would record once the backup ended: the console then no longer counts it as running. */
    private static void finish(String account, String backupId) {
        var summary = BackupStatus.OutcomeSummary.success(backupId, Trigger.MANUAL, Instant.now(), 20L, "x", null);
        KafkaProbe.send(topics.status(), account, Json.encode(new BackupStatus(account, summary.endedAt(), backupId,
                summary, null, List.of(summary), null, null, null, 0, null)));
        await().atMost(Duration.ofSeconds(10)).until(() -> call("GET", "/api/accounts/" + account + "/backups/" + backupId,
                superadmin(account), null).json().get("state").asText().equals("SUCCEEDED"));
    }

    private static String registerAccount() throws Exception {
        String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(call("PUT", "/api/operator/accounts/" + account, OPERATOR, accountJson("pw")).status()).isEqualTo(201);
        return account;
    }

    private static String createConnection(String account) throws Exception {
        Response created = await().atMost(Duration.ofSeconds(10)).until(() -> call("POST", "/api/accounts/" + account
                + "/connections", superadmin(account), connectionJson(Azurite.ACCOUNT_KEY)), r -> r.status() != 404);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().get("connectionId").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> call("GET", "/api/accounts/" + account + "/connections/" + id,
                superadmin(account), null).status() == 200);
        return id;
    }

    private static String superadmin(String account) {
        return MINTER.mint("admin-" + account, "admin@" + account + ".example", account, Role.SUPERADMIN, Duration.ofHours(1));
    }

    private static String connectionJson(String key) {
        return "{\"type\":\"AZURE_BLOB\",\"description\":\"Main\",\"storageAccountName\":\"devstoreaccount1\","
                + "\"containerName\":\"" + container + "\",\"path\":\"backups\""
                + (key == null ? "" : ",\"accessKey\":\"" + key + "\"")
                + ",\"enabledForAutomaticBackup\":true,\"endpoint\":\"" + Azurite.blobEndpoint() + "\"}";
    }

    private static Response call(String method, String path, String token, String body) throws IOException, InterruptedException {
        return ConsoleCalls.call(console.port(), method, path, token, body);
    }
}
