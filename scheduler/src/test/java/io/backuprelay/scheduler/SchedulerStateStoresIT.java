package io.backuprelay.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.account.ScheduleState;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.event.BlobLocation;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TestKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Either store keeps an account's schedule and history across a restart of the scheduler: RocksDB from its
 * directory, memory from the changelog topics alone (the standalone's default), with the state directory gone.
 */
class SchedulerStateStoresIT {

    private static final String ACCOUNT = "Ñandú \"Norte\" SA";

    @TempDir
    Path state;

    @ParameterizedTest
    @EnumSource(SchedulerConfig.StateStore.class)
    void anAccountsScheduleAndHistoryOutliveARestart(SchedulerConfig.StateStore store) throws IOException {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, 2, (short) 1);
        SchedulerConfig config = new SchedulerConfig(state, Duration.ofMillis(200), 1000, Duration.ofHours(6))
                .withStateStore(store);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        BackupRequested first = BackupRequested.manual(ACCOUNT, "Main DB", "admin", now.minusSeconds(600));
        try (Scheduler scheduler = new Scheduler(kafka, config, Clock.systemUTC()).start()) {
            Connection connection = new Connection(ACCOUNT, "Main DB", ConnectionType.AZURE_BLOB, "d", "acmeblobs",
                    "backups", "", new SealedSecret("k1", "x"), true, null, null, null, null, null);
            KafkaProbe.send(topics.connections(), connection.key(), Json.encode(connection));
            KafkaProbe.send(topics.settings(), ACCOUNT,
                    Json.encode(new BackupSettings(ACCOUNT, BackupType.EVERY_7_DAYS, "Main DB", null, null, null)));
            send(topics.requests(), first);
            send(topics.outcomes(), completed(first, now.minusSeconds(540)));
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                BackupStatus status = latestStatus(topics).get(ACCOUNT);
                return status != null && status.state() == ScheduleState.SCHEDULED;
            });
        }
        assertThat(rocksDbFiles()).as("RocksDB's files under the state directory")
                .isEqualTo(store == SchedulerConfig.StateStore.ROCKSDB);
        if (store == SchedulerConfig.StateStore.MEMORY) {
            deleteRecursively(state); // nothing on disk is needed: the changelogs hold it all
        }

        BackupRequested second = BackupRequested.manual(ACCOUNT, "Main DB", "admin", now.minusSeconds(60));
        try (Scheduler restarted = new Scheduler(kafka, config, Clock.systemUTC()).start()) {
            send(topics.requests(), second);
            send(topics.outcomes(), completed(second, now));
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                BackupStatus status = latestStatus(topics).get(ACCOUNT);
                return status != null && now.equals(status.lastSuccessAt());
            });
            BackupStatus status = latestStatus(topics).get(ACCOUNT);
            assertThat(status.recent()).as("the backups the page lists after the restart")
                    .extracting(BackupStatus.OutcomeSummary::backupId)
                    .containsExactly(second.backupId(), first.backupId());
            assertThat(status.state()).isEqualTo(ScheduleState.SCHEDULED);
            assertThat(status.nextDueAt()).isEqualTo(now.plus(Duration.ofDays(7)));
        }
    }

    private boolean rocksDbFiles() throws IOException {
        if (!Files.exists(state)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(state)) {
            return files.anyMatch(file -> file.toString().contains("rocksdb"));
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(file);
            }
        }
    }

    private static BackupCompleted completed(BackupRequested request, Instant at) {
        return new BackupCompleted(0, "e-" + request.backupId(), request.backupId(), request.accountId(), at,
                request.trigger(), new BlobLocation("acmeblobs", "backups", "x/" + request.backupId() + ".dump.zst",
                "http://x"), 1234L, "abc", Engine.POSTGRESQL, request.occurredAt(), at, List.of(), null, List.of(),
                null, null, null);
    }

    private static void send(String topic, BackupEvent event) {
        KafkaProbe.send(topic, event.accountId(), Json.encode(event));
    }

    private static Map<String, BackupStatus> latestStatus(Topics topics) {
        Map<String, BackupStatus> latest = new HashMap<>();
        KafkaProbe.records(topics.status()).forEach(r -> latest.put(r.key(), Json.decode(r.value(), BackupStatus.class)));
        return latest;
    }
}
