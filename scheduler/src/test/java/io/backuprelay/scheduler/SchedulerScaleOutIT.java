package io.backuprelay.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.account.ScheduleState;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupIds;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.BlobLocation;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TestKafka;
import io.backuprelay.format.archive.Engine;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two scheduler instances on the real broker share 200 accounts; one of them stops half-way. */
class SchedulerScaleOutIT {

    private static final int ACCOUNTS = 200;
    private static final Instant T0 = Instant.parse("2026-11-26T00:00:00Z");
    private static final Duration INTERVAL = Duration.ofDays(7);

    @TempDir
    Path stateA;
    @TempDir
    Path stateB;

    private final MutableClock clock = new MutableClock(T0);
    private final Topics topics = new Topics(TestKafka.uniquePrefix());
    private final KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
    private Scheduler a;
    private Scheduler b;

    @AfterEach
    void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    @Test
    void eachDueAccountIsRequestedExactlyOnceAcrossInstancesEvenWhenOneStopsMidWay() {
        TopicProvisioner.ensureTopics(kafka, 6, (short) 1);
        Map<String, Instant> dueAt = new HashMap<>();
        List<ProducerRecord<String, byte[]>> registrations = new ArrayList<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            String account = "acct-%03d".formatted(i);
            Instant lastSuccess = T0.minus(Duration.ofMinutes(10L * i)); // staggered over 33 hours
            registrations.addAll(register(account, lastSuccess));
            dueAt.put(account, lastSuccess.plus(INTERVAL));
        }
        KafkaProbe.sendAll(registrations);
        a = start(stateA);
        b = start(stateB);
        await().atMost(Duration.ofSeconds(90)).until(() -> scheduledAccounts() == ACCOUNTS);

        // Half-way through the due times, one instance stops.
        Instant halfWay = T0.plus(INTERVAL).minus(Duration.ofMinutes(10L * ACCOUNTS / 2)).plusSeconds(1);
        clock.set(halfWay);
        long dueByHalfWay = dueAt.values().stream().filter(d -> !d.isAfter(halfWay)).count();
        assertThat(dueByHalfWay).isEqualTo(ACCOUNTS / 2);
        await().atMost(Duration.ofSeconds(60)).until(() -> scheduledRequests().size() == dueByHalfWay);
        a.close();
        a = null;

        clock.set(T0.plus(INTERVAL).plus(Duration.ofHours(1)));
        await().atMost(Duration.ofSeconds(120)).until(() -> scheduledRequests().size() >= ACCOUNTS);
        // Nothing more comes, however long the remaining instance keeps ticking.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> scheduledRequests().size() == ACCOUNTS);

        List<BackupRequested> requests = scheduledRequests();
        Map<String, Long> perAccount = requests.stream()
                .collect(Collectors.groupingBy(BackupRequested::accountId, Collectors.counting()));
        assertThat(perAccount).hasSize(ACCOUNTS).allSatisfy((account, count) -> assertThat(count).isEqualTo(1));
        assertThat(requests).allSatisfy(request -> {
            assertThat(request.trigger()).isEqualTo(Trigger.SCHEDULED);
            assertThat(request.backupId()).isEqualTo(BackupIds.scheduled(request.accountId(), dueAt.get(request.accountId())));
        });
        assertThat(b.state()).isEqualTo(KafkaStreams.State.RUNNING);
    }

    private Scheduler start(Path stateDir) {
        // A long in-flight timeout: no request of this test gets an outcome, and none should time out.
        SchedulerConfig config = new SchedulerConfig(stateDir, Duration.ofMillis(200), 100_000, Duration.ofDays(30));
        return new Scheduler(kafka, config, clock).start();
    }

    /** An account on a 7-day schedule, with the manual backup that started it. */
    private List<ProducerRecord<String, byte[]>> register(String account, Instant lastSuccess) {
        Connection connection = new Connection(account, "main", ConnectionType.AZURE_BLOB, "d", "acmeblobs", "backups",
                "", new SealedSecret("k1", "x"), true, null, null, null, null, null);
        String backupId = BackupIds.newManual(lastSuccess);
        return List.of(
                new ProducerRecord<>(topics.connections(), connection.key(), Json.encode(connection)),
                new ProducerRecord<>(topics.settings(), account,
                        Json.encode(new BackupSettings(account, BackupType.EVERY_7_DAYS, "main", null, null, null))),
                new ProducerRecord<>(topics.outcomes(), account, Json.encode(new BackupCompleted(0, "e-" + backupId,
                        backupId, account, lastSuccess, Trigger.MANUAL,
                        new BlobLocation("acmeblobs", "backups", account + ".dump.zst", "http://x"), 100, "abc",
                        Engine.POSTGRESQL, lastSuccess.minusSeconds(60), lastSuccess, List.of(), null, List.of(), null,
                        null, null))));
    }

    private long scheduledAccounts() {
        Map<String, BackupStatus> latest = new HashMap<>();
        KafkaProbe.records(topics.status()).forEach(r -> latest.put(r.key(), Json.decode(r.value(), BackupStatus.class)));
        return latest.values().stream().filter(s -> s.state() == ScheduleState.SCHEDULED).count();
    }

    private List<BackupRequested> scheduledRequests() {
        return KafkaProbe.records(topics.requests()).stream()
                .map(r -> Json.decode(r.value(), BackupRequested.class))
                .filter(r -> r.trigger() != Trigger.MANUAL)
                .toList();
    }
}
