package io.backuprelay.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.console.ConsoleCalls.Response;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenMinter;
import io.backuprelay.console.data.ConsoleData;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TestKafka;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

/**
 * When the activity log cannot be written, the action it was for is not done: the answer is 503
 * with the reason's key, and nothing changed. The log's topic is missing here (the broker creates
 * no topic by itself), as it would be to a console whose cluster lost it.
 */
class ActivityNotRecordedIT {

    private static final String SECRET = "activity-refused-secret-" + UUID.randomUUID();
    private static final TokenMinter MINTER = new TokenMinter(SECRET.getBytes(StandardCharsets.UTF_8), null);

    @Test
    void anActionWhoseEntryCannotBeWrittenIsNotDoneAndSaysWhy() throws Exception {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        // The producer gives up on a topic it cannot find after 2 s rather than the default minute.
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics, Map.of("max.block.ms", 2000));
        TopicProvisioner.ensureTopics(kafka, 3, (short) 1);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()))) {
            admin.deleteTopics(List.of(topics.activity())).all().get();
        }
        String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
        KafkaProbe.send(topics.accounts(), account, Json.encode(new Account(account, "Société Ñandú", "fr", "Europe/Paris",
                List.of("jose.nunez@tenant.example"), new SourceDatabase(Engine.POSTGRESQL, "db.tenant.internal", 5432,
                "app", "backup", null))));
        String token = MINTER.mint("auth0|José Núñez", "jose.nunez@tenant.example", account, Role.SUPERADMIN,
                Duration.ofHours(1));

        try (ConsoleServer console = new ConsoleServer(new ConsoleData(kafka).start(),
                new ConsoleConfig("127.0.0.1", 0, SECRET, null, null).withEndpoints(EndpointPolicy.allowing(Azurite.origin())),
                SecretSealer.ofBase64("k1", SecretSealer.newBase64Key()), Clock.systemUTC())) {
            String settings = "/api/accounts/" + account + "/backup-settings";
            await().atMost(Duration.ofSeconds(10)).until(() -> call(console, "GET", settings, token, null).status() == 200);

            Response connection = call(console, "POST", "/api/accounts/" + account + "/connections", token,
                    "{\"description\":\"Main\",\"storageAccountName\":\"devstoreaccount1\",\"containerName\":\"backups\","
                            + "\"accessKey\":\"" + Azurite.ACCOUNT_KEY + "\",\"endpoint\":\"" + Azurite.blobEndpoint() + "\"}");
            assertThat(connection.status()).as(connection.body()).isEqualTo(503);
            assertThat(connection.json().get("key").asText()).isEqualTo("activityNotRecorded");
            assertThat(connection.headers().firstValue("Retry-After")).contains("5");
            assertThat(connection.body()).doesNotContain(Azurite.ACCOUNT_KEY);
            assertThat(call(console, "GET", "/api/accounts/" + account + "/connections", token, null).json())
                    .as("no connection was added").isEmpty();

            Response saved = call(console, "PUT", settings, token,
                    "{\"backupType\":\"MANUAL\",\"notifyEmails\":[\"marta@tenant.example\"]}");
            assertThat(saved.status()).as(saved.body()).isEqualTo(503);
            assertThat(call(console, "GET", settings, token, null).json().get("notifyEmails")).as("nothing was saved")
                    .isEmpty();
            assertThat(KafkaProbe.records(topics.settings())).as("nothing was written").isEmpty();
        }
    }

    private static Response call(ConsoleServer console, String method, String path, String token, String body)
            throws Exception {
        return ConsoleCalls.call(console.port(), method, path, token, body, null);
    }
}
