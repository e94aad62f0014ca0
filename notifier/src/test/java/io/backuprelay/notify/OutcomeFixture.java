package io.backuprelay.notify;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.ScheduleState;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BlobLocation;
import io.backuprelay.common.event.Requester;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TestKafka;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Topics of their own with one account on them, and its outcomes published as the pipeline would. */
final class OutcomeFixture {

    final Topics topics = new Topics(TestKafka.uniquePrefix());
    final KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
    final String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
    final String admin = "Ana.Pérez+" + account + "@tenant.example";

    OutcomeFixture() {
        TopicProvisioner.ensureTopics(kafka, 1, (short) 1);
        KafkaProbe.send(topics.accounts(), account, Json.encode(new Account(account, "Ñandú \"Backups\" Ltd", "en",
                "Europe/Madrid", List.of(admin), new SourceDatabase(Engine.POSTGRESQL, "db", 5432, "app", "app",
                null))));
    }

    BackupCompleted completed(Requester requester) {
        Instant ended = Instant.now();
        return new BackupCompleted(1, UUID.randomUUID().toString(), UUID.randomUUID().toString(), account, ended,
                Trigger.MANUAL, new BlobLocation("acmeblobs", "db-backups", "backups/" + account + ".dump.zst",
                "http://unused"), 12_345_678L, "f00d", Engine.POSTGRESQL, ended.minusSeconds(100), ended, List.of(), null,
                List.of(), requester, null, null);
    }

    /** The scheduler records the outcome (so the email need not wait for it), then the outcome arrives. */
    void publish(BackupCompleted outcome) {
        var summary = BackupStatus.OutcomeSummary.success(outcome.backupId(), outcome.trigger(), outcome.occurredAt(),
                null, null, null);
        KafkaProbe.send(topics.status(), account, Json.encode(new BackupStatus(account, null, null, summary, null,
                List.of(summary), BackupType.MANUAL, ScheduleState.SCHEDULED, null, 0, null)));
        KafkaProbe.send(topics.outcomes(), account, Json.encode(outcome));
    }
}
