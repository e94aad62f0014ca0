package io.backuprelay.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.backuprelay.common.account.Channel;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.console.ConsoleCalls.Response;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenMinter;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.LoopbackReceiver;
import io.backuprelay.testkit.TestKafka;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Notification channels on the console's API, over the real broker with a loopback receiver: the URL
 * and the signing secret are never given back (the secret once, when the webhook is added), "send
 * test" says what the endpoint answered, and a URL outside the outbound rules is refused before any
 * connection is made.
 */
class ChannelsApiIT {

    private static final String SECRET = "channels-test-secret-" + UUID.randomUUID();
    private static final TokenMinter MINTER = new TokenMinter(SECRET.getBytes(StandardCharsets.UTF_8), null);
    private static final String OPERATOR = MINTER.mint("ops-1", "ops@platform.example", null, Role.OPERATOR, Duration.ofHours(1));
    /** The part of a URL that is its credential, as in a Slack or Teams URL. */
    private static final String URL_TOKEN = "T0001-B0002-" + UUID.randomUUID().toString().replace("-", "");

    private static ConsoleServer console;
    private static Topics topics;
    private static LoopbackReceiver receiver;
    private static String origin;

    @BeforeAll
    static void start() throws IOException {
        receiver = new LoopbackReceiver();
        origin = receiver.origin();
        topics = new Topics(TestKafka.uniquePrefix());
        console = TestConsole.start(topics, SECRET, origin);
    }

    @AfterAll
    static void stop() {
        if (console != null) {
            console.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    void aWebhookShowsItsSigningSecretOnceAndNeverItsUrl() throws Exception {
        String account = registerAccount();
        String token = superadmin(account);
        Response created = call("POST", channels(account), token, channelJson("WEBHOOK", "Alertas \\\"críticas\\\" Ñandú",
                origin + "/hooks/" + URL_TOKEN, "FAILURES"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode view = created.json();
        assertThat(view.get("kind").asText()).isEqualTo("WEBHOOK");
        assertThat(view.get("description").asText()).isEqualTo("Alertas \"críticas\" Ñandú");
        assertThat(view.get("origin").asText()).isEqualTo(origin);
        assertThat(view.get("sends").asText()).isEqualTo("FAILURES");
        String signingSecret = view.get("signingSecret").asText();
        assertThat(signingSecret).startsWith("whsec_");
        assertThat(Base64.getDecoder().decode(signingSecret.substring(6))).hasSizeGreaterThanOrEqualTo(24);
        String id = view.get("channelId").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> KafkaProbe.records(topics.channels()).stream()
                .anyMatch(r -> Channel.key(account, id).equals(r.key())));

        Response list = call("GET", channels(account), token, null);
        assertThat(list.json()).hasSize(1);
        assertThat(list.json().get(0).get("signingSecret").isNull()).as("shown once").isTrue();
        assertThat(list.json().get(0).get("signingSecretHint").asText())
                .isEqualTo("••••" + signingSecret.substring(signingSecret.length() - 4));
        for (Response answer : List.of(created, list)) {
            assertThat(answer.body()).doesNotContain(URL_TOKEN);
        }
        assertThat(list.body()).doesNotContain(signingSecret);
        assertThat(KafkaProbe.records(topics.channels()).stream().filter(r -> r.value() != null)
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)))
                .as("sealed on the topic").noneMatch(json -> json.contains(URL_TOKEN) || json.contains(signingSecret));
    }

    @Test
    void sendTestDeliversASignedMessageAndSaysWhatTheEndpointAnswered() throws Exception {
        String account = registerAccount();
        String token = superadmin(account);
        String path = "/signed/" + UUID.randomUUID();
        Response created = call("POST", channels(account), token, channelJson("WEBHOOK", "Ops", origin + path, null));
        String secret = created.json().get("signingSecret").asText();
        String test = channels(account) + "/" + created.json().get("channelId").asText() + "/test";

        receiver.answer(path, () -> 200, "{\"ok\":true}");
        Response delivered = call("POST", test, token, null);
        assertThat(delivered.status()).as(delivered.body()).isEqualTo(200);
        assertThat(delivered.json().get("delivered").asBoolean()).isTrue();
        assertThat(delivered.json().get("status").asInt()).isEqualTo(200);
        assertThat(delivered.json().get("answered").asText()).isEqualTo("{\"ok\":true}");
        LoopbackReceiver.Received request = receiver.at(path).getFirst();
        String id = request.header("webhook-id");
        String timestamp = request.header("webhook-timestamp");
        assertThat(request.header("webhook-signature")).as("signed with the secret shown at creation")
                .isEqualTo("v1," + hmac(secret, id + "." + timestamp + "." + request.body()));
        assertThat(Json.mapper().readTree(request.body()).get("type").asText()).isNotBlank();

        receiver.answer(path, () -> 500, "receiver is down for maintenance");
        Response refused = call("POST", test, token, null);
        assertThat(refused.json().get("delivered").asBoolean()).isFalse();
        assertThat(refused.json().get("status").asInt()).isEqualTo(500);
        assertThat(refused.json().get("answered").asText()).contains("receiver is down");
    }

    @Test
    void slackTeamsAndHeartbeatChannelsKeepTheirUrlWhenEditedWithoutOne() throws Exception {
        String account = registerAccount();
        String token = superadmin(account);
        for (String kind : List.of("SLACK", "TEAMS", "HEARTBEAT")) {
            String path = "/" + kind.toLowerCase() + "/" + URL_TOKEN;
            Response created = call("POST", channels(account), token, channelJson(kind, "Équipe " + kind, origin + path,
                    kind.equals("HEARTBEAT") ? null : "FAILURES_AND_OVERDUE"));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            assertThat(created.json().get("signingSecret").isNull()).as("only a webhook is signed").isTrue();
            String channel = channels(account) + "/" + created.json().get("channelId").asText();

            Response edited = call("PUT", channel, token, "{\"description\":\"Renamed " + kind + "\"}");
            assertThat(edited.status()).as(edited.body()).isEqualTo(200);
            assertThat(edited.json().get("description").asText()).isEqualTo("Renamed " + kind);
            int before = receiver.at(path).size();
            assertThat(call("POST", channel + "/test", token, null).json().get("delivered").asBoolean()).isTrue();
            assertThat(receiver.at(path)).as("the stored URL, kept").hasSize(before + 1);

            assertBadRequest(channel, "PUT", "{\"kind\":\"WEBHOOK\"}", "kind", token);
        }
        assertBadRequest(channels(account), "POST", channelJson("HEARTBEAT", "", origin + "/hb", "FAILURES"), "sends", token);
        assertBadRequest(channels(account), "POST", "{\"kind\":\"PAGER\",\"url\":\"" + origin + "/x\"}", "kind", token);
        assertBadRequest(channels(account), "POST", "{\"kind\":\"SLACK\"}", "url", token);
    }

    @Test
    void aUrlOutsideTheOutboundRulesIsRefusedBeforeAnyConnection() throws Exception {
        String account = registerAccount();
        String token = superadmin(account);
        try (ServerSocketChannel listening = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            listening.configureBlocking(false);
            int port = ((InetSocketAddress) listening.getLocalAddress()).getPort();
            for (String url : List.of("https://localhost:" + port + "/hook", "http://localhost:" + port + "/hook",
                    "https://10.20.30.40/hook", "https://[::1]:" + port + "/hook", "https://user:pw@localhost:" + port + "/hook",
                    "ftp://localhost:" + port + "/hook", "not a url")) {
                assertBadRequest(channels(account), "POST", channelJson("WEBHOOK", "", url, null), "url", token);
            }
            // Each refusal came before its answer: a connection made to decide would be waiting here now.
            assertThat(listening.accept()).as("no connection was made to decide").isNull();
        }
        assertThat(call("GET", channels(account), token, null).json()).isEmpty();
    }

    @Test
    void onlyTheAccountsSuperadminManagesItsChannelsWithinTheLimit() throws Exception {
        String account = registerAccount();
        String token = superadmin(account);
        String other = registerAccount();
        Response created = call("POST", channels(account), token, channelJson("SLACK", "", origin + "/s/" + URL_TOKEN, null));
        String channel = channels(account) + "/" + created.json().get("channelId").asText();
        String theirs = superadmin(other);
        assertThat(call("GET", channels(account), theirs, null).status()).isEqualTo(403);
        assertThat(call("POST", channel + "/test", theirs, null).status()).isEqualTo(403);
        assertThat(call("DELETE", channel, theirs, null).status()).isEqualTo(403);
        assertThat(call("GET", channels(account), OPERATOR, null).status()).isEqualTo(403);

        for (int i = 1; i < 10; i++) {
            assertThat(call("POST", channels(account), token, channelJson("HEARTBEAT", "n" + i, origin + "/hb" + i, null))
                    .status()).isEqualTo(201);
        }
        assertBadRequest(channels(account), "POST", channelJson("HEARTBEAT", "one too many", origin + "/hb", null),
                "channels", token);

        assertThat(call("DELETE", channel, token, null).status()).isEqualTo(204);
        assertThat(call("GET", channels(account), token, null).json()).hasSize(9);
        assertThat(call("POST", channel + "/test", token, null).status()).isEqualTo(404);
    }

    @Test
    void everyChannelActionIsInTheActivityLogWithoutTheUrlOrTheSecret() throws Exception {
        String account = registerAccount();
        String token = MINTER.mint("auth0|Zoë O'Connor", "zoe.oconnor@tenant.example", account, Role.SUPERADMIN,
                Duration.ofHours(1));
        Response created = call("POST", channels(account), token, channelJson("WEBHOOK", "Équipe ops",
                origin + "/audited/" + URL_TOKEN, null));
        String secret = created.json().get("signingSecret").asText();
        String id = created.json().get("channelId").asText();
        String channel = channels(account) + "/" + id;
        assertThat(call("POST", channel + "/test", token, null).json().get("delivered").asBoolean()).isTrue();
        String newToken = "T0003-" + UUID.randomUUID().toString().replace("-", "");
        assertThat(call("PUT", channel, token, "{\"sends\":\"FAILURES\",\"url\":\"" + origin + "/audited/" + newToken
                + "\"}").status()).isEqualTo(200);
        assertThat(call("DELETE", channel, token, null).status()).isEqualTo(204);

        Response log = call("GET", "/api/accounts/" + account + "/activity", token, null);
        assertThat(log.status()).as(log.body()).isEqualTo(200);
        JsonNode entries = log.json().get("entries");
        assertThat(entries).extracting(e -> e.get("action").asText()).as("newest first, after the operator's registration")
                .containsExactly("CHANNEL_REMOVED", "CHANNEL_CHANGED", "CHANNEL_TESTED", "CHANNEL_ADDED", "ACCOUNT_REGISTERED");
        for (JsonNode entry : List.of(entries.get(0), entries.get(1), entries.get(2), entries.get(3))) {
            assertThat(entry.get("target").asText()).isEqualTo(id);
            assertThat(entry.get("actor").get("subject").asText()).isEqualTo("auth0|Zoë O'Connor");
            assertThat(entry.get("actor").get("email").asText()).isEqualTo("zoe.oconnor@tenant.example");
        }
        assertThat(entries.get(2).get("details").get("result").asText()).isEqualTo("ok");
        assertThat(entries.get(2).get("details").get("answered").asText()).isEqualTo("HTTP 200");
        String changed = entries.get(1).get("changes").toString();
        assertThat(changed).contains("\"field\":\"sends\"").contains("FAILURES")
                .contains("\"field\":\"url\"").contains("\"secret\":true");
        assertThat(log.body()).doesNotContain(URL_TOKEN).doesNotContain(newToken).doesNotContain(secret)
                .doesNotContain(secret.substring("whsec_".length(), 20));
        assertThat(KafkaProbe.records(topics.activity()).stream().filter(r -> r.value() != null)
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)))
                .noneMatch(json -> json.contains(URL_TOKEN) || json.contains(newToken) || json.contains(secret));
    }

    private static String hmac(String secret, String signed) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        return Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    }

    private static String channelJson(String kind, String description, String url, String sends) {
        return "{\"kind\":\"" + kind + "\",\"description\":\"" + description + "\",\"url\":\"" + url + "\""
                + (sends == null ? "" : ",\"sends\":\"" + sends + "\"") + "}";
    }

    private static String channels(String account) {
        return "/api/accounts/" + account + "/channels";
    }

    private static String registerAccount() throws Exception {
        String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
        String body = ConsoleCalls.accountJson("pw").replace("Tenant Ltd", "Société \\\"Ñandú\\\" O'Brien & Cía");
        assertThat(call("PUT", "/api/operator/accounts/" + account, OPERATOR, body).status()).isEqualTo(201);
        return account;
    }

    private static String superadmin(String account) {
        return MINTER.mint("admin-" + account, "admin@" + account + ".example", account, Role.SUPERADMIN, Duration.ofHours(1));
    }

    private static void assertBadRequest(String path, String method, String body, String field, String token) throws Exception {
        Response response = call(method, path, token, body);
        assertThat(response.status()).as(method + " " + path + " " + body + " -> " + response.body()).isEqualTo(400);
        assertThat(response.json().get("field").asText()).as(body).isEqualTo(field);
        assertThat(response.body()).doesNotContain(URL_TOKEN);
    }

    private static Response call(String method, String path, String token, String body) throws Exception {
        return ConsoleCalls.call(console.port(), method, path, token, body);
    }
}
