package io.backuprelay.scheduler;

import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.BackupStarted;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.event.BlobLocation;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.scheduler.schedule.AccountSchedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The training run of the scheduler's AOT cache (JDK 25: JEP 483, 514, 515), which the container image makes
 * once at build time: {@code java -XX:AOTCacheOutput=app.aot -cp app.jar io.backuprelay.scheduler.SchedulerTraining}.
 * A scheduler started with {@code -XX:AOTCache=app.aot} then finds the classes of its tick already loaded and
 * linked and the method profiles of this run, so its first due round does not start from a cold JVM.
 *
 * <p>It runs the real topology (the same processor, rules, stores and serdes) in Kafka Streams' test driver, with
 * no broker, on synthetic accounts: each gets a connection, settings and a first backup, then a few rounds in
 * which all of them fall due, are requested, start and complete. Nothing it computes is kept but the cache.
 */
public final class SchedulerTraining {

    private static final Instant T0 = Instant.parse("2026-01-05T00:00:00Z");
    private static final Duration TICK = Duration.ofMillis(100);

    private SchedulerTraining() {
    }

    public static void main(String[] args) throws IOException {
        int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        long started = System.nanoTime();
        // Its stores flush at every input record (the test driver commits each one): in memory that takes seconds, on
        // a disk that syncs a minute.
        Path shm = Path.of("/dev/shm");
        Path stateDir = Files.isDirectory(shm) && Files.isWritable(shm)
                ? Files.createTempDirectory(shm, "scheduler-training")
                : Files.createTempDirectory("scheduler-training");
        try {
            int requested = train(stateDir, accounts, rounds);
            System.out.printf("Scheduler training: %,d accounts, %d rounds, %,d requests, %.1f s%n", accounts, rounds,
                    requested, (System.nanoTime() - started) / 1e9);
        } finally {
            try (Stream<Path> files = Files.walk(stateDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    static int train(Path stateDir, int accounts, int rounds) {
        Topics topics = new Topics("training.");
        MutableClock clock = new MutableClock(T0);
        SchedulerConfig config = new SchedulerConfig(stateDir, TICK, 1_000_000, Duration.ofHours(6));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "scheduler-training");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        int requested = 0;
        try (TopologyTestDriver driver = new TopologyTestDriver(
                SchedulerTopology.build(topics, config, clock, 1_000_000), props, T0)) {
            StringSerializer keys = new StringSerializer();
            ByteArraySerializer values = new ByteArraySerializer();
            TestInputTopic<String, byte[]> settings = driver.createInputTopic(topics.settings(), keys, values);
            TestInputTopic<String, byte[]> connections = driver.createInputTopic(topics.connections(), keys, values);
            TestInputTopic<String, byte[]> requests = driver.createInputTopic(topics.requests(), keys, values);
            TestInputTopic<String, byte[]> outcomes = driver.createInputTopic(topics.outcomes(), keys, values);
            TestOutputTopic<String, byte[]> requestsOut = driver.createOutputTopic(topics.requests(),
                    new StringDeserializer(), new ByteArrayDeserializer());
            List<TestOutputTopic<String, byte[]>> others = Stream.of(topics.status(), topics.ops(), topics.outcomes())
                    .map(topic -> driver.createOutputTopic(topic, new StringDeserializer(), new ByteArrayDeserializer()))
                    .toList();
            // A few accounts the way they come: a connection, settings, a first backup that starts and completes.
            for (int i = 0; i < Math.min(accounts, 50); i++) {
                String account = "Zoë's \"Bäckerei\" %05d".formatted(i);
                Connection connection = new Connection(account, "main", ConnectionType.AZURE_BLOB, "Zoë's storage",
                        "training", "backups", "", new SealedSecret("k1", "x"), true, null, null, null, null, null);
                connections.pipeInput(connection.key(), Json.encode(connection));
                settings.pipeInput(account, Json.encode(new BackupSettings(account, BackupType.EVERY_7_DAYS, "main",
                        null, null, null)));
                BackupRequested manual = BackupRequested.manual(account, "main", "admin", T0.plusSeconds(i % 3600));
                requests.pipeInput(account, Json.encode(manual));
                outcomes.pipeInput(account, Json.encode(new BackupStarted(1, "s-" + manual.backupId(),
                        manual.backupId(), account, manual.occurredAt(), manual.trigger(), 1, "dump-1")));
                outcomes.pipeInput(account, Json.encode(completed(manual, manual.occurredAt().plusSeconds(60))));
            }
            // The rest as a restored state holds them: each round finds `accounts` of them due at once.
            KeyValueStore<String, AccountSchedule> schedules = driver.getKeyValueStore(ScheduleProcessor.SCHEDULES);
            KeyValueStore<Bytes, byte[]> wakeIndex = driver.getKeyValueStore(ScheduleProcessor.WAKE_INDEX);
            Instant first = T0.plus(Duration.ofDays(8));
            for (int i = 0; i < accounts * rounds; i++) {
                String account = "Zoë's \"Bäckerei\" %05d".formatted(accounts + i);
                Instant wakeAt = first.plus(Duration.ofHours(i / accounts)).minusSeconds(1 + i % 3599);
                schedules.put(account, new AccountSchedule(account, new BackupSettings(account, BackupType.EVERY_7_DAYS,
                        "main", null, null, null), Map.of("main", true), wakeAt.minus(Duration.ofDays(7)), "b-" + i,
                        null, null, List.of(), 0, null, wakeAt, null, null, null, null));
                wakeIndex.put(WakeIndex.key(wakeAt, account), new byte[0]);
            }
            for (int round = 0; round < rounds; round++) {
                clock.set(first.plus(Duration.ofHours(round)));
                driver.advanceWallClockTime(TICK); // requests them; the requests come back as input, as on a broker
                requested += requestsOut.readValuesToList().size();
                others.forEach(TestOutputTopic::readValuesToList);
            }
        }
        return requested;
    }

    private static BackupEvent completed(BackupRequested request, Instant at) {
        return new BackupCompleted(0, "e-" + request.backupId(), request.backupId(), request.accountId(), at,
                request.trigger(), new BlobLocation("training", "backups", request.accountId() + "/x.dump.zst", "http://x"),
                1234L, "abc", Engine.POSTGRESQL, request.occurredAt(), at, List.of(), null, List.of(), null, null, null);
    }
}
