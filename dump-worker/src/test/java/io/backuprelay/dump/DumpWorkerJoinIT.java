package io.backuprelay.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backuprelay.common.account.Account;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.DumpReady;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.secret.SecretContext;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.ScratchDatabase;
import io.backuprelay.testkit.TestKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A second dump worker joins the group while long dumps run in the first: they go on, untouched. */
class DumpWorkerJoinIT {

    @TempDir
    Path staging;

    /**
     * Three of four partitions have a dump running in the first worker, so an even split must move
     * at least one busy partition if the assignor did not know which are busy.
     */
    @Test
    void aSecondDumpWorkerJoiningDoesNotCancelTheDumpsRunningInTheFirst() throws Exception {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, PARTITIONS, (short) 1);
        SecretSealer sealer = SecretSealer.ofBase64("k1", SecretSealer.newBase64Key());
        DumpWorkerConfig config = DumpWorkerConfig.from(new ConfigSource(Map.of(
                "BACKUPRELAY_STAGING_DIR", staging.toString(), "DUMP_MIN_FREE_MB", "0", "DUMP_WORKER_CONCURRENCY", "3")));
        List<String> accounts = accountsOnDistinctPartitions(3);
        try (ScratchDatabase db = ScratchDatabase.postgres(); Connection lock = db.connect()) {
            db.execute("CREATE TABLE invoice (id serial PRIMARY KEY, total numeric)",
                    "INSERT INTO invoice (total) SELECT g FROM generate_series(1, 100) g");
            for (String account : accounts) {
                KafkaProbe.send(topics.accounts(), account, Json.encode(new Account(account, "Tenant", "en", "UTC",
                        List.of("ana@tenant.example"), new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", 5432,
                        db.name(), "postgres", sealer.seal("", SecretContext.databasePassword(account,
                        Engine.POSTGRESQL, "127.0.0.1", 5432, db.name(), "postgres"))))));
            }
            lock.setAutoCommit(false);
            try (Statement statement = lock.createStatement()) {
                statement.execute("LOCK TABLE invoice IN ACCESS EXCLUSIVE MODE"); // keeps the dumps running
            }
            try (DumpWorker first = new DumpWorker(kafka.withInstanceId("dump-a"), config, sealer, Clock.systemUTC()).start()) {
                await().atMost(Duration.ofSeconds(60)).until(() -> first.jobs().assignedPartitions().size() == PARTITIONS);
                List<BackupRequested> requests = accounts.stream()
                        .map(account -> BackupRequested.manual(account, "main", "ana", Instant.now())).toList();
                requests.forEach(r -> KafkaProbe.send(topics.requests(), r.accountId(), Json.encode(r)));
                await().atMost(Duration.ofSeconds(60)).until(() -> waitingDumpPids(db).size() == 3);
                Set<Integer> pids = waitingDumpPids(db);

                try (DumpWorker second = new DumpWorker(kafka.withInstanceId("dump-b"), config, sealer, Clock.systemUTC())
                        .start()) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> !second.jobs().assignedPartitions().isEmpty()
                            && first.jobs().assignedPartitions().size() + second.jobs().assignedPartitions().size() == PARTITIONS);
                    assertThat(second.jobs().assignedPartitions()).as("the newcomer gets the idle partition only").hasSize(1);
                    assertThat(waitingDumpPids(db)).as("the same pg_dump sessions still run").isEqualTo(pids);
                    assertThat(first.jobs().jobsInFlight()).isEqualTo(3);

                    lock.commit();
                    await().atMost(Duration.ofSeconds(60)).until(() -> requests.stream()
                            .allMatch(r -> dumpsOf(topics, r.backupId()).size() == 1));
                    assertThat(first.jobs().committedJobs()).as("the first instance finished the dumps it had").isEqualTo(3);
                    assertThat(second.jobs().committedJobs()).isZero();
                    assertThat(KafkaProbe.records(topics.outcomes()).stream()
                            .map(r -> Json.decode(r.value(), BackupEvent.class).getClass().getSimpleName()).toList())
                            .as("each dump started once, none failed").containsExactly("BackupStarted", "BackupStarted",
                                    "BackupStarted");
                }
            }
        }
    }

    private static final int PARTITIONS = 4;

    /** Account ids whose records land on distinct partitions (Kafka's default partitioner: murmur2 of the key). */
    private static List<String> accountsOnDistinctPartitions(int count) {
        Map<Integer, String> byPartition = new TreeMap<>();
        for (int i = 0; byPartition.size() < count; i++) {
            String account = "tenant-" + i;
            byPartition.putIfAbsent(Utils.toPositive(
                    Utils.murmur2(account.getBytes(StandardCharsets.UTF_8)))
                    % PARTITIONS, account);
        }
        return List.copyOf(byPartition.values());
    }

    private static List<DumpReady> dumpsOf(Topics topics, String backupId) {
        return KafkaProbe.records(topics.dumps()).stream()
                .map(r -> Json.decode(r.value(), BackupEvent.class))
                .filter(DumpReady.class::isInstance).map(DumpReady.class::cast) // each dump also announces itself
                .filter(d -> d.backupId().equals(backupId)).toList();
    }

    private static Set<Integer> waitingDumpPids(ScratchDatabase db) throws Exception {
        Set<Integer> pids = new HashSet<>();
        try (Connection connection = db.connect(); Statement statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT pid FROM pg_stat_activity WHERE datname = '"
                     + db.name() + "' AND application_name = 'backuprelay' AND wait_event_type = 'Lock'")) {
            while (rows.next()) {
                pids.add(rows.getInt(1));
            }
        }
        return pids;
    }
}
