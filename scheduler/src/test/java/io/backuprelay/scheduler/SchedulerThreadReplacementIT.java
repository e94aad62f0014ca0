package io.backuprelay.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.account.ScheduleState;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TestKafka;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stream thread of the scheduler that dies of an unexpected exception is replaced, and scheduling goes on. */
class SchedulerThreadReplacementIT {

    @TempDir
    Path state;

    @Test
    void aStreamThreadKilledByAnUnexpectedExceptionIsReplacedAndTheSchedulerGoesOn() {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, 2, (short) 1);
        AtomicBoolean failed = new AtomicBoolean();
        TickListener failsOnce = (partition, woken, requested, timedOut, nanos, cpuNanos) -> {
            if (failed.compareAndSet(false, true)) {
                throw new IllegalStateException("a bug in a tick");
            }
        };
        SchedulerConfig config = new SchedulerConfig(state, Duration.ofMillis(200), 1000, Duration.ofHours(6));
        try (Scheduler scheduler = new Scheduler(kafka, config, Clock.systemUTC(), failsOnce).start()) {
            await().atMost(Duration.ofSeconds(60)).until(failed::get);

            Connection connection = new Connection("acme", "main", ConnectionType.AZURE_BLOB, "d", "acmeblobs", "backups",
                    "", new SealedSecret("k1", "x"), true, null, null, null, null, null);
            KafkaProbe.send(topics.connections(), connection.key(), Json.encode(connection));
            KafkaProbe.send(topics.settings(), "acme",
                    Json.encode(new BackupSettings("acme", BackupType.EVERY_7_DAYS, "main", null, null, null)));

            await().atMost(Duration.ofSeconds(90)).until(() -> {
                BackupStatus status = latestStatus(topics).get("acme");
                return status != null && status.state() == ScheduleState.AWAITING_FIRST_MANUAL_BACKUP;
            });
            assertThat(scheduler.health().live()).as("the client lives on with a new thread").isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> scheduler.health().ready());
        }
    }

    private static Map<String, BackupStatus> latestStatus(Topics topics) {
        Map<String, BackupStatus> latest = new HashMap<>();
        KafkaProbe.records(topics.status()).forEach(r -> latest.put(r.key(), Json.decode(r.value(), BackupStatus.class)));
        return latest;
    }
}
