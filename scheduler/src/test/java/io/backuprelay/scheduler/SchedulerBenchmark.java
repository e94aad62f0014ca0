package io.backuprelay.scheduler;

import io.backuprelay.testkit.HeapMeter;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.scheduler.schedule.AccountSchedule;
import io.backuprelay.testkit.TestKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * The scheduler with a million accounts in its state, on the real broker and Kafka Streams runtime:
 * <ol>
 *   <li>a lost instance's state (the changelogs of 1,000,000 accounts) is restored by a new instance
 *       with an empty state directory: the time until it is RUNNING;</li>
 *   <li>the time of a tick with nothing due;</li>
 *   <li>the time of the tick that finds 10,000 accounts due, and until their requests are committed;</li>
 *   <li>the heap after GC (the test broker shares the JVM, so this is an upper bound).</li>
 * </ol>
 * One stream thread runs all partitions, so a round of ticks is the sum of the partitions' ticks.
 *
 * <p>Run: {@code ./backuprelay bench scheduler [accounts] [due]}; results go in docs/benchmarks.md.
 */
public final class SchedulerBenchmark {

    private static final Instant T0 = Instant.parse("2026-11-26T00:00:00Z");
    private static final Duration TICK = Duration.ofMillis(100);
    private static final int PARTITIONS = 6;
    private static final int ROUNDS = 4;

    public static void main(String[] args) throws Exception {
        int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int due = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        System.out.printf("Scheduler benchmark: %,d accounts, %,d due at once, %d partitions, %d stream thread(s), JVM %s,"
                        + " %d cores, max heap %d MB%n", accounts, due, PARTITIONS, Integer.getInteger("threads", 1),
                Runtime.version(),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);

        Topics topics = new Topics(TestKafka.uniquePrefix());
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, PARTITIONS, (short) 1);
        writeChangelogs(topics, accounts, due);

        MutableClock clock = new MutableClock(T0.minus(Duration.ofHours(2))); // before the first due time
        ConcurrentLinkedQueue<long[]> ticks = new ConcurrentLinkedQueue<>();
        Path stateDir = Files.createTempDirectory("scheduler-bench");
        SchedulerConfig config = new SchedulerConfig(stateDir, TICK, 100_000_000, Duration.ofHours(6))
                .withStreamThreads(Integer.getInteger("threads", 1));
        long start = System.nanoTime();
        try (Scheduler scheduler = new Scheduler(kafka, config, clock,
                (partition, woken, requested, timedOut, nanos, cpuNanos) ->
                        ticks.add(new long[] {partition, woken, requested, nanos, cpuNanos}))) {
            scheduler.start();
            if (!scheduler.awaitRunning(Duration.ofMinutes(30))) {
                throw new IllegalStateException("not restored within 30 minutes: " + scheduler.state());
            }
            System.out.printf("restore of %,d accounts by a new instance with an empty state directory: %.1f s to RUNNING%n",
                    accounts, (System.nanoTime() - start) / 1e9);

            idleTicks(ticks);

            // Rounds of `due` accounts each: the first meets a cold JIT, the later ones a warm one.
            for (int round = 1; round <= ROUNDS; round++) {
                ticks.clear();
                long dueStart = System.nanoTime();
                clock.set(T0.plus(Duration.ofHours(round - 1)));
                long committed = awaitRequests(topics, due * round);
                double visible = (System.nanoTime() - dueStart) / 1e9;
                long busyNanos = ticks.stream().filter(t -> t[1] > 0).mapToLong(t -> t[3]).sum();
                long cpuNanos = ticks.stream().filter(t -> t[1] > 0).mapToLong(t -> t[4]).sum();
                long requested = ticks.stream().mapToLong(t -> t[2]).sum();
                System.out.printf("round %d, ticks with %,d due: %.0f ms of tick time in all (%.0f ms of it on the CPU),"
                                + " %,d requested; all committed and readable %.2f s after the clock reached their due time%n",
                        round, due, busyNanos / 1e6, cpuNanos / 1e6, requested, visible);
                if (committed != (long) due * round) {
                    throw new IllegalStateException("expected " + due * round + " requests, found " + committed);
                }
            }

            long heap = HeapMeter.usedAfterGc();
            System.out.printf("heap after GC: %d MB (scheduler and test broker in one JVM); process RSS %d MB%n",
                    heap >> 20, HeapMeter.rss() >> 20);
        }
        System.exit(0);
    }

    /** Writes what an instance that was lost had in its stores, as Kafka Streams would have logged it. */
    private static void writeChangelogs(Topics topics, int accounts, int due) throws Exception {
        String appId = topics.prefix() + SchedulerConfig.APPLICATION_ID;
        String schedules = appId + "-" + ScheduleProcessor.SCHEDULES + "-changelog";
        String index = appId + "-" + ScheduleProcessor.WAKE_INDEX + "-changelog";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            admin.createTopics(List.of(
                    new NewTopic(schedules, PARTITIONS, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                    new NewTopic(index, PARTITIONS, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                    .all().get();
        }
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        long start = System.nanoTime();
        Random random = new Random(42);
        var storeFormat = JsonSerde.forStore(AccountSchedule.class).serializer();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < accounts; i++) {
                // Round r (0-based) finds accounts [r * due, (r + 1) * due) due at T0 + r hours.
                int round = i / due;
                Instant wakeAt = round < ROUNDS
                        ? T0.plus(Duration.ofHours(round)).minusSeconds(1 + random.nextInt(3599))
                        : T0.plus(Duration.ofHours(ROUNDS + 1)).plusSeconds(random.nextInt(6 * 24 * 3600));
                AccountSchedule schedule = account(i, wakeAt);
                byte[] key = schedule.accountId().getBytes(StandardCharsets.UTF_8);
                // Each store's changelog partition is its task's: the partition of the account's key.
                int partition = Utils.toPositive(Utils.murmur2(key)) % PARTITIONS;
                producer.send(new ProducerRecord<>(schedules, partition, key, storeFormat.serialize(schedules, schedule)));
                producer.send(new ProducerRecord<>(index, partition, WakeIndex.key(wakeAt, schedule.accountId()).get(),
                        new byte[0]));
            }
        }
        System.out.printf("wrote the changelogs of %,d accounts in %.1f s%n", accounts, (System.nanoTime() - start) / 1e9);
    }

    private static void idleTicks(ConcurrentLinkedQueue<long[]> ticks) throws InterruptedException {
        ticks.clear();
        Thread.sleep(5_000); // a benchmark: let the scheduler tick on its own for a while
        List<Long> perTask = new ArrayList<>();
        ticks.forEach(t -> perTask.add(t[3]));
        Collections.sort(perTask);
        if (perTask.isEmpty()) {
            throw new IllegalStateException("no tick in 5 s");
        }
        System.out.printf("tick with nothing due (one partition, %,d ticks): median %.3f ms, p99 %.3f ms, max %.3f ms;"
                        + " a round over all %d partitions: about %.3f ms%n",
                perTask.size(), perTask.get(perTask.size() / 2) / 1e6, perTask.get(perTask.size() * 99 / 100) / 1e6,
                perTask.getLast() / 1e6, PARTITIONS, PARTITIONS * perTask.get(perTask.size() / 2) / 1e6);
    }

    /** Waits until {@code expected} requests are committed and readable, with one consumer that keeps counting. */
    private static long awaitRequests(Topics topics, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(topics.requests(), p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long count = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (count < expected && System.nanoTime() < deadline) {
                count += consumer.poll(Duration.ofMillis(20)).count();
            }
            if (count < expected) {
                throw new IllegalStateException("fewer than " + expected + " requests within 5 minutes");
            }
            return count;
        }
    }

    private static AccountSchedule account(int i, Instant wakeAt) {
        String accountId = "account-%07d".formatted(i);
        return new AccountSchedule(accountId,
                new BackupSettings(accountId, BackupType.EVERY_7_DAYS, "main", null, null, null), Map.of("main", true),
                wakeAt.minus(Duration.ofDays(7)), "b-" + i, null, null, List.of(), 0, null, wakeAt, null, null, null, null);
    }
}
