package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.common.secret.SecretContext;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TestKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * A master key rotation: add k2, rekey, and k1 is no longer needed to open anything; secrets sealed
 * before they were bound to their target come out bound to it.
 */
class RekeyIT {

    @Test
    void rekeyReSealsEverySecretWithTheCurrentKeyAndLeavesCurrentOnesAlone() throws Exception {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, 3, (short) 1);
        String k1 = SecretSealer.newBase64Key();
        String k2 = SecretSealer.newBase64Key();
        SecretSealer before = SecretSealer.from(new ConfigSource(Map.of("BACKUPRELAY_MASTER_KEY", k1)));
        Account account = new Account("acme", "Acme", "en", "UTC", List.of("a@acme.example"), new SourceDatabase(
                Engine.POSTGRESQL, "db.acme.internal", 5432, "app", "backup",
                before.seal("db-password", new SecretContext("backup.accounts", "acme", "source.password"))));
        Connection connection = new Connection("acme", "main", ConnectionType.AZURE_BLOB, "Main", "acmeblobs", "backups",
                "", before.seal("storage-key", new SecretContext("backup.connections", "acme/main", "accessKey")), true, null,
                null, null, null, null);
        KafkaProbe.send(topics.accounts(), "acme", Json.encode(account));
        KafkaProbe.send(topics.connections(), connection.key(), Json.encode(connection));

        SecretSealer ring = SecretSealer.from(new ConfigSource(Map.of("BACKUPRELAY_MASTER_KEYS", "k1:" + k1 + ",k2:" + k2)),
                true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(new RekeyCommand(kafka, ring, new PrintStream(out, true, StandardCharsets.UTF_8)).run()).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Re-sealed 2 record(s) with master key 'k2'");

        SecretSealer onlyK2 = SecretSealer.from(new ConfigSource(Map.of("BACKUPRELAY_MASTER_KEY", k2,
                "BACKUPRELAY_MASTER_KEY_ID", "k2")));
        Account rekeyed = Json.decode(KafkaProbe.records(topics.accounts()).getLast().value(), Account.class);
        Connection reconnected = Json.decode(KafkaProbe.records(topics.connections()).getLast().value(), Connection.class);
        assertThat(onlyK2.open(rekeyed.source().password(), rekeyed.source().passwordContext("acme"))).isEqualTo("db-password");
        assertThat(onlyK2.open(reconnected.accessKey(), reconnected.accessKeyContext())).isEqualTo("storage-key");
        assertThat(rekeyed.source().host()).isEqualTo("db.acme.internal");
        assertThat(rekeyed.source().password().version()).as("bound to its target now").isEqualTo(
                SealedSecret.TARGETED);
        Assertions.assertThatThrownBy(() -> onlyK2.open(rekeyed.source().password(),
                SecretContext.databasePassword("acme", Engine.POSTGRESQL, "elsewhere.example", 5432, "app", "backup")))
                .as("and only to it").hasMessageContaining("re-aimed");

        assertThat(new RekeyCommand(kafka, ring, new PrintStream(out, true, StandardCharsets.UTF_8)).run())
                .as("a second run finds nothing to do").isZero();
    }
}
