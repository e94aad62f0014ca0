package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.secret.SecretContext;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.BrokerProcess;
import io.backuprelay.testkit.ScratchDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole stack against a broker in a process of its own, frozen with SIGSTOP for three minutes
 * while one dump runs and another request waits: afterwards both backups complete, each as one
 * blob, nothing is dead-lettered, and readiness was down during the freeze and is up after it.
 */
class BrokerFreezeIT {

    private static final Duration FREEZE = Duration.ofMinutes(3);
    private static final String MASTER_KEY = SecretSealer.newBase64Key();

    @TempDir
    Path dir;

    private final SecretSealer sealer = SecretSealer.ofBase64("k1", MASTER_KEY);
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aThreeMinuteFreezeIsWaitedOutWithOneBlobPerBackupAndNothingDeadLettered() throws Exception {
        BlobContainerClient container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString())
                .buildClient().createBlobContainerIfNotExists("freeze-" + UUID.randomUUID().toString().substring(0, 8));
        try (BrokerProcess broker = BrokerProcess.start(Files.createDirectories(dir.resolve("broker")));
             ScratchDatabase slowDb = ScratchDatabase.postgres();
             ScratchDatabase quickDb = ScratchDatabase.postgres();
             Standalone app = Standalone.startWithEndpoints(new ConfigSource(Map.of(
                     "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                     "BACKUPRELAY_TOPIC_PARTITIONS", "3",
                     "BACKUPRELAY_DATA_DIR", dir.resolve("data").toString(),
                     "BACKUPRELAY_MASTER_KEY", MASTER_KEY,
                     "BACKUPRELAY_INSTANCE_ID", "freeze-test",
                     "SERVICE_PORT", "0",
                     "CONSOLE_PORT", "0",
                     "DUMP_WORKER_CONCURRENCY", "1")), TestStack::allowingAzurite);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(app.kafka().producer("freeze-test", null))) {
            var topics = app.topics();
            slowDb.execute("CREATE TABLE invoice (id serial PRIMARY KEY, total numeric(10,2))",
                    "INSERT INTO invoice (total) SELECT g FROM generate_series(1, 1000) g");
            quickDb.execute("CREATE TABLE customer (id serial PRIMARY KEY, name text)",
                    "INSERT INTO customer (name) SELECT 'c' || g FROM generate_series(1, 1000) g");
            String slow = "freeze-slow";
            String quick = "freeze-quick";
            for (var entry : Map.of(slow, slowDb, quick, quickDb).entrySet()) {
                Account account = new Account(entry.getKey(), "Tenant", "en", "UTC", List.of("admin@tenant.example"),
                        new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", 5432, entry.getValue().name(), "postgres",
                                sealer.seal("", SecretContext.databasePassword(entry.getKey(),
                                        Engine.POSTGRESQL, "127.0.0.1", 5432, entry.getValue().name(), "postgres"))));
                producer.send(new ProducerRecord<>(topics.accounts(), entry.getKey(), Json.encode(account))).get();
                Connection connection = new Connection(entry.getKey(), "main", ConnectionType.AZURE_BLOB, "Main",
                        Azurite.ACCOUNT_NAME, container.getBlobContainerName(), "backups",
                        sealer.seal(Azurite.ACCOUNT_KEY, SecretContext.accessKey(entry.getKey(), "main",
                                Azurite.blobEndpoint(), Azurite.ACCOUNT_NAME, container.getBlobContainerName())),
                        true, Azurite.blobEndpoint(), null, null, null, null);
                producer.send(new ProducerRecord<>(topics.connections(), connection.key(), Json.encode(connection))).get();
            }
            await().atMost(Duration.ofSeconds(90)).until(() -> status(app.shell().port(), "ready") == 200);

            // The slow account's dump waits on a lock held here, so it is running when the broker freezes.
            try (java.sql.Connection lock = slowDb.connect()) {
                lock.setAutoCommit(false);
                try (Statement statement = lock.createStatement()) {
                    statement.execute("LOCK TABLE invoice IN ACCESS EXCLUSIVE MODE");
                }
                BackupRequested running = BackupRequested.manual(slow, "main", "admin@tenant.example", Instant.now());
                BackupRequested queued = BackupRequested.manual(quick, "main", "admin@tenant.example", Instant.now());
                producer.send(new ProducerRecord<>(topics.requests(), slow, Json.encode(running))).get();
                await().atMost(Duration.ofSeconds(60)).until(() -> dumpWaitsOnTheLock(slowDb));
                // Acknowledged by the broker: the request waits in its topic, whether or not the worker fetched it yet.
                producer.send(new ProducerRecord<>(topics.requests(), quick, Json.encode(queued))).get();

                broker.freeze();
                long frozenAt = System.nanoTime();
                await().atMost(Duration.ofSeconds(30)).until(() -> status(app.shell().port(), "ready") == 503);
                assertThat(status(app.shell().port(), "live")).as("an outage is waited out, not fatal").isEqualTo(200);
                lock.commit(); // the dump finishes during the freeze; its output waits for the broker
                Thread.sleep(Math.max(0, FREEZE.toMillis() - Duration.ofNanos(System.nanoTime() - frozenAt).toMillis()));
                assertThat(status(app.shell().port(), "ready")).as("still not ready at the end of the freeze").isEqualTo(503);
                broker.thaw();

                await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2))
                        .until(() -> completed(app, running.backupId()) && completed(app, queued.backupId()));
                await().atMost(Duration.ofSeconds(60)).until(() -> status(app.shell().port(), "ready") == 200);
            }
            assertThat(blobsOf(container, slow)).as("one blob for the slow account's backup").hasSize(1);
            assertThat(blobsOf(container, quick)).as("one blob for the queued backup").hasSize(1);
            assertThat(read(app, topics.deadLetters())).as("nothing dead-lettered").isEmpty();
            assertThat(app.shell().live()).isTrue();
        }
    }

    private static boolean dumpWaitsOnTheLock(ScratchDatabase db) throws Exception {
        try (java.sql.Connection connection = db.connect(); Statement statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = '" + db.name()
                     + "' AND application_name = 'backuprelay' AND wait_event_type = 'Lock'")) {
            rows.next();
            return rows.getInt(1) > 0;
        }
    }

    private int status(int port, String which) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/" + which))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static List<String> blobsOf(BlobContainerClient container, String accountId) {
        return container.listBlobs().stream().map(BlobItem::getName)
                .filter(name -> name.startsWith("backups/" + accountId + "/") && !name.endsWith(".manifest.json")).toList();
    }

    private static boolean completed(Standalone app, String backupId) {
        return read(app, app.topics().outcomes()).stream()
                .map(r -> Json.decode(r.value(), BackupEvent.class))
                .anyMatch(e -> e instanceof BackupCompleted && e.backupId().equals(backupId));
    }

    private static List<ConsumerRecord<String, byte[]>> read(Standalone app, String topic) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(app.kafka().reader("freeze-test-reader"))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }
}
