package io.backuprelay.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backuprelay.common.account.Account;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.secret.SecretContext;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TestKafka;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Someone who can write to {@code backup.accounts} re-aims an account at a server of theirs and keeps
 * the sealed password of the record: the dump worker cannot open it, so the password is never sent
 * there, and the backup fails saying why.
 */
class ReAimedAccountIT {

    @TempDir
    Path staging;

    @Test
    void aPasswordSealedForOneServerDoesNotOpenForTheServerARecordWasReAimedAt() throws Exception {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, 1, (short) 1);
        SecretSealer sealer = SecretSealer.ofBase64("k1", SecretSealer.newBase64Key());
        String accountId = "Acme \"Ñandú\" Ops";
        SourceDatabase registered = new SourceDatabase(Engine.POSTGRESQL, "db.acme.internal", 5432, "app", "backup",
                null);
        var password = sealer.seal("the tenant's password", registered.passwordContext(accountId));

        AtomicInteger contacted = new AtomicInteger();
        try (ServerSocket trap = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                while (!trap.isClosed()) {
                    try (Socket ignored = trap.accept()) {
                        contacted.incrementAndGet();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            // Written to the topic directly, as a writer to the broker would: the host is theirs, the password the tenant's.
            Account reAimed = new Account(accountId, "Acme", "en", "UTC", List.of("ana@acme.example"),
                    new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", trap.getLocalPort(), "app", "backup", password));
            KafkaProbe.send(topics.accounts(), accountId, Json.encode(reAimed));
            DumpWorkerConfig config = DumpWorkerConfig.from(new ConfigSource(Map.of(
                    "BACKUPRELAY_STAGING_DIR", staging.toString(), "DUMP_MIN_FREE_MB", "0")));
            try (DumpWorker worker = new DumpWorker(kafka.withInstanceId("dump-a"), config, sealer, Clock.systemUTC())
                    .start()) {
                BackupRequested request = BackupRequested.manual(accountId, "main", "ana@acme.example", Instant.now());
                KafkaProbe.send(topics.requests(), accountId, Json.encode(request));

                BackupFailed failed = await().atMost(Duration.ofSeconds(60)).until(() -> KafkaProbe.records(topics.outcomes())
                        .stream().map(r -> Json.decode(r.value(), BackupEvent.class))
                        .filter(BackupFailed.class::isInstance).map(BackupFailed.class::cast)
                        .filter(f -> f.backupId().equals(request.backupId())).findFirst(), Optional::isPresent)
                        .orElseThrow();
                assertThat(failed.reason()).startsWith("The backup worker cannot read the stored database password")
                        .contains("re-aimed").doesNotContain("the tenant's password");
            }
            assertThat(contacted.get()).as("connections to the server the record was re-aimed at").isZero();
        }
    }
}
