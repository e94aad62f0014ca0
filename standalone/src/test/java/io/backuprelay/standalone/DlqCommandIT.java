package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backuprelay.common.account.Account;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BlobLocation;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.RetryPolicy;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.notify.NotifierConfig;
import io.backuprelay.notify.NotifierWorker;
import io.backuprelay.notify.mail.MailSettings;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TestKafka;
import io.backuprelay.testkit.TestSmtp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The dead-letter round trip: an outcome the notifier could not mail (the SMTP server was away past
 * its retries) is listed, shown and replayed once the server is back; it is mailed once, and a
 * second replay writes nothing.
 */
class DlqCommandIT {

    private static final SecretSealer SEALER = SecretSealer.ofBase64("k1", SecretSealer.newBase64Key());

    @Test
    void anOutcomeDeadLetteredWhileMailWasDownIsListedShownAndReplayedOnce() throws Exception {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, 1, (short) 1);
        String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
        KafkaProbe.send(topics.accounts(), account, Json.encode(new Account(account, "Tenant", "en", "UTC",
                List.of(account + "@tenant.example"), new SourceDatabase(Engine.POSTGRESQL, "db", 5432, "app",
                "app", null))));
        Instant ended = Instant.parse("2026-11-26T09:16:40Z");
        BackupCompleted outcome = new BackupCompleted(1, UUID.randomUUID().toString(), UUID.randomUUID().toString(),
                account, ended, Trigger.MANUAL, new BlobLocation("acct", "c", "b.dump.zst", "http://unused"), 42L, "f00d",
                Engine.POSTGRESQL, ended.minusSeconds(10), ended, List.of(), null, List.of(), null, null, null);

        NotifierConfig quick = new NotifierConfig(new RetryPolicy(2, Duration.ofMillis(100), Duration.ofMillis(200)));
        try (NotifierWorker down = new NotifierWorker(kafka, smtp(closedPort()), quick, SEALER, Clock.systemUTC()).start()) {
            KafkaProbe.send(topics.outcomes(), account, Json.encode(outcome));
            await().atMost(Duration.ofSeconds(60)).until(() -> !KafkaProbe.records(topics.deadLetters()).isEmpty());
        }
        String id = KafkaProbe.records(topics.deadLetters()).getFirst().partition() + "-"
                + KafkaProbe.records(topics.deadLetters()).getFirst().offset();

        assertThat(run(kafka, "list")).contains(id).contains(topics.outcomes()).contains(account).contains("1 dead letter(s)");
        assertThat(run(kafka, "show", id)).contains("key:   " + account).contains(outcome.backupId())
                .contains("header dlq.source.topic: " + topics.outcomes());
        assertThat(run(kafka, "replay", "--dry-run")).contains(id + ": would replay to " + topics.outcomes())
                .contains("dry run: nothing written; 0 replayed");
        assertThat(KafkaProbe.records(topics.outcomes())).hasSize(1);

        try (NotifierWorker up = new NotifierWorker(kafka, smtp(TestSmtp.port()), quick, SEALER, Clock.systemUTC()).start()) {
            assertThat(run(kafka, "replay", "--topic", "backup.outcomes")).contains(id + ": replayed to").contains("1 replayed");
            await().atMost(Duration.ofSeconds(60)).until(() -> TestSmtp.messagesTo(account).size() == 1);

            assertThat(run(kafka, "replay")).contains(id + ": already replayed to").contains("0 replayed");
            assertThat(KafkaProbe.records(topics.outcomes())).as("the outcome, and its one replay").hasSize(2);
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> TestSmtp.messagesTo(account).size() == 1);
        }
    }

    private static String run(KafkaSettings kafka, String... args) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int code = new DlqCommand(kafka, new PrintStream(printed, true, StandardCharsets.UTF_8), System.err)
                .run(List.of(args));
        assertThat(code).as(printed.toString(StandardCharsets.UTF_8)).isZero();
        return printed.toString(StandardCharsets.UTF_8);
    }

    private static MailSettings smtp(int port) {
        return new MailSettings(Optional.of("127.0.0.1"), port, MailSettings.Security.NONE, null, null,
                "backups@platform.example", Path.of("unused"));
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
