package io.backuprelay.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.DatabaseEngine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.DumpReady;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.ScratchDatabase;
import io.backuprelay.testkit.TestKafka;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A second dump worker joins the group while a long dump runs in the first: that dump goes on, untouched. */
class DumpWorkerJoinIT {

    @TempDir
    Path staging;

    @Test
    void aSecondDumpWorkerJoiningDoesNotCancelTheDumpRunningInTheFirst() throws Exception {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, 4, (short) 1);
        SecretSealer sealer = SecretSealer.ofBase64("k1", SecretSealer.newBase64Key());
        DumpWorkerConfig config = DumpWorkerConfig.from(new ConfigSource(Map.of(
                "BACKUPRELAY_STAGING_DIR", staging.toString(), "DUMP_MIN_FREE_MB", "0")));
        try (ScratchDatabase db = ScratchDatabase.postgres(); Connection lock = db.connect()) {
            db.execute("CREATE TABLE invoice (id serial PRIMARY KEY, total numeric)",
                    "INSERT INTO invoice (total) SELECT g FROM generate_series(1, 100) g");
            KafkaProbe.send(topics.accounts(), "acme", Json.encode(new Account("acme", "Acme", "en", "UTC",
                    List.of("ana@acme.example"), new SourceDatabase(DatabaseEngine.POSTGRESQL, "127.0.0.1", 5432, db.name(),
                    "postgres", sealer.seal("")))));
            lock.setAutoCommit(false);
            try (Statement statement = lock.createStatement()) {
                statement.execute("LOCK TABLE invoice IN ACCESS EXCLUSIVE MODE"); // keeps the dump running
            }
            try (DumpWorker first = new DumpWorker(kafka.withInstanceId("dump-a"), config, sealer, Clock.systemUTC()).start()) {
                BackupRequested request = BackupRequested.manual("acme", "main", "ana", Instant.now());
                KafkaProbe.send(topics.requests(), "acme", Json.encode(request));
                await().atMost(Duration.ofSeconds(60)).until(() -> waitingDumpPid(db) > 0);
                int pid = waitingDumpPid(db);

                try (DumpWorker second = new DumpWorker(kafka.withInstanceId("dump-b"), config, sealer, Clock.systemUTC())
                        .start()) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> !second.jobs().assignedPartitions().isEmpty()
                            && first.jobs().assignedPartitions().size() + second.jobs().assignedPartitions().size() == 4);
                    assertThat(waitingDumpPid(db)).as("the same pg_dump session still runs").isEqualTo(pid);
                    assertThat(first.jobs().jobsInFlight()).isEqualTo(1);

                    lock.commit();
                    await().atMost(Duration.ofSeconds(60)).until(() -> dumpsOf(topics, request.backupId()).size() == 1);
                    assertThat(first.jobs().committedJobs()).as("the first instance finished the dump it had").isEqualTo(1);
                    assertThat(second.jobs().committedJobs()).isZero();
                    assertThat(KafkaProbe.records(topics.outcomes()).stream()
                            .map(r -> Json.decode(r.value(), BackupEvent.class))
                            .filter(e -> e.backupId().equals(request.backupId()))
                            .map(e -> e.getClass().getSimpleName()).toList())
                            .as("started once, never failed").containsExactly("BackupStarted");
                }
            }
        }
    }

    private static List<DumpReady> dumpsOf(Topics topics, String backupId) {
        return KafkaProbe.records(topics.dumps()).stream().map(r -> Json.decode(r.value(), DumpReady.class))
                .filter(d -> d.backupId().equals(backupId)).toList();
    }

    private static int waitingDumpPid(ScratchDatabase db) throws Exception {
        try (Connection connection = db.connect(); Statement statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT coalesce(max(pid), 0) FROM pg_stat_activity WHERE datname = '"
                     + db.name() + "' AND application_name = 'backuprelay' AND wait_event_type = 'Lock'")) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
