package io.backuprelay.scheduler;

import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupType;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.scheduler.schedule.AccountSchedule;
import io.backuprelay.testkit.TestKafka;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * How the scheduler behaves with a million accounts in its state: the time of a tick with nothing
 * due and with 10,000 due (one partition holding them all, the worst case), the heap, and the time
 * a new instance takes to restore a lost instance's state from the changelog topics.
 *
 * <p>Run: {@code ./backuprelay bench scheduler [accounts] [due]}; results go in docs/benchmarks.md.
 */
public final class SchedulerBenchmark {

    private static final Instant T0 = Instant.parse("2026-11-26T00:00:00Z");
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final int PARTITIONS = 6;

    public static void main(String[] args) throws Exception {
        int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int due = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        System.out.printf("Scheduler benchmark: %,d accounts, %,d due at once, JVM %s, %d cores, max heap %d MB%n",
                accounts, due, Runtime.version(), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);
        ticks(accounts, due);
        restore(accounts);
        System.exit(0);
    }

    /** Tick times on the real processor and RocksDB stores, driven by TopologyTestDriver. */
    private static void ticks(int accounts, int due) throws Exception {
        Path stateDir = Files.createTempDirectory("scheduler-bench");
        MutableClock clock = new MutableClock(T0.minus(Duration.ofHours(1)));
        Topics topics = Topics.unprefixed();
        SchedulerConfig config = new SchedulerConfig(stateDir, TICK, 10_000_000, Duration.ofHours(6));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "scheduler-bench");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        try (TopologyTestDriver driver = new TopologyTestDriver(
                SchedulerTopology.build(topics, config, clock, 10_000_000), props, T0)) {
            KeyValueStore<String, AccountSchedule> schedules = driver.getKeyValueStore(ScheduleProcessor.SCHEDULES);
            KeyValueStore<Bytes, byte[]> index = driver.getKeyValueStore(ScheduleProcessor.WAKE_INDEX);
            long loadStart = System.nanoTime();
            List<KeyValue<String, AccountSchedule>> batch = new ArrayList<>();
            List<KeyValue<Bytes, byte[]>> indexBatch = new ArrayList<>();
            Random random = new Random(42);
            for (int i = 0; i < accounts; i++) {
                AccountSchedule schedule = account(i, i < due
                        ? T0.minus(Duration.ofDays(7)).minusSeconds(1 + random.nextInt(3600))
                        : T0.minus(Duration.ofDays(7)).plusSeconds(3600 + random.nextInt(6 * 24 * 3600)));
                batch.add(KeyValue.pair(schedule.accountId(), schedule));
                indexBatch.add(KeyValue.pair(WakeIndex.key(schedule.wakeAt(), schedule.accountId()), new byte[0]));
                if (batch.size() == 10_000) {
                    schedules.putAll(batch);
                    index.putAll(indexBatch);
                    batch.clear();
                    indexBatch.clear();
                }
            }
            schedules.putAll(batch);
            index.putAll(indexBatch);
            System.out.printf("loaded %,d accounts into RocksDB in %.1f s%n", accounts, (System.nanoTime() - loadStart) / 1e9);
            TestOutputTopic<String, byte[]> requests = driver.createOutputTopic(topics.requests(),
                    new StringDeserializer(), new ByteArrayDeserializer());

            driver.advanceWallClockTime(TICK); // warm-up
            long[] idle = new long[200];
            for (int i = 0; i < idle.length; i++) {
                long start = System.nanoTime();
                driver.advanceWallClockTime(TICK);
                idle[i] = System.nanoTime() - start;
            }
            Arrays.sort(idle);
            System.out.printf("tick, nothing due: median %.3f ms, p99 %.3f ms, max %.3f ms (%d ticks)%n",
                    idle[idle.length / 2] / 1e6, idle[idle.length * 99 / 100] / 1e6, idle[idle.length - 1] / 1e6, idle.length);
            if (!requests.isEmpty()) {
                throw new IllegalStateException("requests before anything was due");
            }

            clock.set(T0);
            long start = System.nanoTime();
            driver.advanceWallClockTime(TICK);
            long busy = System.nanoTime() - start;
            int emitted = requests.readValuesToList().size();
            System.out.printf("tick, %,d due: %.1f ms, %,d requests emitted%n", due, busy / 1e6, emitted);
            if (emitted != due) {
                throw new IllegalStateException("expected " + due + " requests, got " + emitted);
            }
            System.gc();
            System.out.printf("heap after GC with %,d accounts: %d MB used; peak heap %d MB; process RSS %d MB%n",
                    accounts, usedHeap() >> 20, peakHeap() >> 20, rss() >> 20);
        }
    }

    /** A new instance restores a lost instance's state from the changelogs on the real broker. */
    private static void restore(int accounts) throws Exception {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, PARTITIONS, (short) 1);
        String appId = topics.prefix() + SchedulerConfig.APPLICATION_ID;
        String schedulesChangelog = appId + "-" + ScheduleProcessor.SCHEDULES + "-changelog";
        String indexChangelog = appId + "-" + ScheduleProcessor.WAKE_INDEX + "-changelog";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            admin.createTopics(List.of(
                    new NewTopic(schedulesChangelog, PARTITIONS, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                    new NewTopic(indexChangelog, PARTITIONS, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                    .all().get();
        }
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        long writeStart = System.nanoTime();
        Random random = new Random(7);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < accounts; i++) {
                AccountSchedule schedule = account(i, T0.minus(Duration.ofDays(7)).plusSeconds(3600 + random.nextInt(6 * 24 * 3600)));
                byte[] key = schedule.accountId().getBytes(StandardCharsets.UTF_8);
                int partition = Utils.toPositive(Utils.murmur2(key)) % PARTITIONS;
                producer.send(new ProducerRecord<>(schedulesChangelog, partition, key, Json.encode(schedule)));
                producer.send(new ProducerRecord<>(indexChangelog, partition,
                        WakeIndex.key(schedule.wakeAt(), schedule.accountId()).get(), new byte[0]));
            }
        }
        System.out.printf("wrote the changelogs of %,d accounts in %.1f s%n", accounts, (System.nanoTime() - writeStart) / 1e9);

        Path stateDir = Files.createTempDirectory("scheduler-restore");
        MutableClock clock = new MutableClock(T0.minus(Duration.ofHours(1)));
        long start = System.nanoTime();
        try (Scheduler scheduler = new Scheduler(kafka, new SchedulerConfig(stateDir, TICK, 60, Duration.ofHours(6)), clock)) {
            scheduler.start();
            if (!scheduler.awaitRunning(Duration.ofMinutes(30))) {
                throw new IllegalStateException("not restored within 30 minutes: " + scheduler.state());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.gc();
            System.out.printf("restore of %,d accounts (%d partitions) by a new instance: %.1f s to RUNNING;"
                    + " heap after GC %d MB (broker in the same JVM)%n", accounts, PARTITIONS, seconds, usedHeap() >> 20);
        }
    }

    private static AccountSchedule account(int i, Instant lastSuccess) {
        String accountId = "account-%07d".formatted(i);
        return new AccountSchedule(accountId,
                new BackupSettings(accountId, BackupType.EVERY_7_DAYS, "main", null, null, null), Map.of("main", true),
                lastSuccess, "b-" + i, null, null, List.of(), 0, null, lastSuccess.plus(Duration.ofDays(7)));
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long peakHeap() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }

    private static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (java.io.IOException ignored) {
            // not Linux
        }
        return -1;
    }
}
