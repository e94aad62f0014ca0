package io.backuprelay.common.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TestKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The job-consumer runtime against the real broker. */
class JobWorkerIT {

    private final String prefix = TestKafka.uniquePrefix();
    private final String input = prefix + "input";
    private final String output = prefix + "output";
    private final String dlq = prefix + "dlq";
    private final String group = prefix + "group";
    private KafkaSettings kafka;
    private JobWorker<String> worker;

    @BeforeEach
    void topics() {
        kafka = new KafkaSettings(TestKafka.bootstrapServers(), new Topics(prefix));
        KafkaProbe.createTopic(input, 3);
        KafkaProbe.createTopic(output, 1);
        KafkaProbe.createTopic(dlq, 1);
    }

    @AfterEach
    void stop() {
        if (worker != null) {
            worker.close();
        }
    }

    @Test
    void publishesEachJobsOutputAndCommitsItsOffset() {
        worker = start(kafka, Duration.ofSeconds(5), (in, ctx) -> JobResult.of(new Output(output, ctx.key(), utf8("done:" + in))));
        for (int i = 0; i < 6; i++) {
            KafkaProbe.send(input, "account-" + i, utf8("job-" + i));
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> KafkaProbe.records(output).size() == 6);
        assertThat(KafkaProbe.records(output)).extracting(r -> new String(r.value(), UTF_8))
                .containsExactlyInAnyOrder("done:job-0", "done:job-1", "done:job-2", "done:job-3", "done:job-4", "done:job-5");
        await().atMost(Duration.ofSeconds(10)).until(() -> worker.committedJobs() == 6);
        long committed = 0;
        for (int p = 0; p < 3; p++) {
            committed += KafkaProbe.committedOffset(group, input, p).orElse(0L);
        }
        assertThat(committed).isEqualTo(6);
    }

    @Test
    void aWorkerRunsItsLoopOnceAndASecondStartIsRefused() {
        worker = start(kafka, Duration.ofSeconds(5), (in, ctx) -> JobResult.of(new Output(output, ctx.key(), utf8(in))));

        assertThatThrownBy(worker::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("test-worker was started or closed already");
        assertThatThrownBy(worker::run).isInstanceOf(IllegalStateException.class);
        KafkaProbe.send(input, "acme", utf8("job"));
        await().atMost(Duration.ofSeconds(30)).until(() -> worker.committedJobs() == 1);
    }

    @Test
    void aClosedWorkerIsNotStartedAgain() {
        worker = start(kafka, Duration.ofSeconds(5), (in, ctx) -> JobResult.of(new Output(output, ctx.key(), utf8(in))));
        worker.close();

        assertThatThrownBy(worker::start).isInstanceOf(IllegalStateException.class);
        assertThat(worker.state()).isEqualTo(JobWorker.State.STOPPED);
    }

    @Test
    void runsOneJobPerPartitionAtATime() {
        KafkaProbe.createTopic(prefix + "single", 1);
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        worker = new JobWorker<>(new JobWorkerConfig("test-worker", group, prefix + "single", dlq, 4,
                Duration.ofSeconds(5), null), kafka, JobWorkerIT::text, (in, ctx) -> {
                    maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
                    Thread.sleep(200); // the job takes a while, so a second job of the partition would overlap it
                    concurrent.decrementAndGet();
                    return JobResult.of(new Output(output, ctx.key(), utf8(in)));
                }).start();
        for (int i = 0; i < 4; i++) {
            KafkaProbe.send(prefix + "single", "acme", utf8("backup-" + i));
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> KafkaProbe.records(output).size() == 4);
        assertThat(maxConcurrent.get()).isEqualTo(1);
        assertThat(KafkaProbe.records(output)).extracting(r -> new String(r.value(), UTF_8))
                .containsExactly("backup-0", "backup-1", "backup-2", "backup-3");
    }

    @Test
    void aJobLongerThanTheMaxPollIntervalCausesNoRebalance() {
        Duration maxPollInterval = Duration.ofSeconds(2);
        KafkaSettings impatient = kafka.withOverrides(Map.of(
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) maxPollInterval.toMillis(),
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500));
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        worker = start(impatient, Duration.ofSeconds(5), (in, ctx) -> {
            runs.incrementAndGet();
            release.await();
            return JobResult.of(new Output(output, ctx.key(), utf8("done:" + in)));
        });
        KafkaProbe.send(input, "acme", utf8("long-job"));
        await().atMost(Duration.ofSeconds(30)).until(() -> runs.get() == 1);

        // The job stays running for three times the max poll interval.
        await().during(maxPollInterval.multipliedBy(3)).atMost(maxPollInterval.multipliedBy(4))
                .until(() -> worker.rebalances() == 0 && worker.state() == JobWorker.State.RUNNING);
        release.countDown();

        await().atMost(Duration.ofSeconds(30)).until(() -> KafkaProbe.records(output).size() == 1);
        assertThat(worker.rebalances()).isZero();
        assertThat(runs.get()).isEqualTo(1);
        assertThat(worker.committedJobs()).isEqualTo(1);
    }

    @Test
    void sendsAMessageItCannotReadToTheDeadLetterTopicAndGoesOn() {
        worker = new JobWorker<>(config(Duration.ofSeconds(5)), kafka, bytes -> {
            String text = text(bytes);
            if (!text.startsWith("job")) {
                throw new IllegalArgumentException("Not a job: " + text);
            }
            return text;
        }, (in, ctx) -> JobResult.of(new Output(output, ctx.key(), utf8("done:" + in)))).start();

        KafkaProbe.send(input, "acme", utf8("{garbage"));
        KafkaProbe.send(input, "acme", utf8("job-after-garbage"));

        await().atMost(Duration.ofSeconds(30)).until(() -> KafkaProbe.records(output).size() == 1);
        assertThat(text(KafkaProbe.records(output).getFirst().value())).isEqualTo("done:job-after-garbage");
        List<ConsumerRecord<String, byte[]>> dead = KafkaProbe.records(dlq);
        assertThat(dead).hasSize(1);
        ConsumerRecord<String, byte[]> letter = dead.getFirst();
        assertThat(letter.key()).isEqualTo("acme");
        assertThat(text(letter.value())).isEqualTo("{garbage");
        assertThat(header(letter, DeadLetters.SOURCE_TOPIC)).isEqualTo(input);
        assertThat(Integer.parseInt(header(letter, DeadLetters.SOURCE_PARTITION))).isBetween(0, 2);
        assertThat(header(letter, DeadLetters.SOURCE_OFFSET)).isEqualTo("0");
        assertThat(header(letter, DeadLetters.ERROR)).isEqualTo("Not a job: {garbage");
    }

    @Test
    void retriesATransientErrorThenDeadLettersWhenItPersists() {
        AtomicInteger attempts = new AtomicInteger();
        worker = new JobWorker<>(new JobWorkerConfig("test-worker", group, input, dlq, 2, Duration.ofSeconds(5),
                new RetryPolicy(3, Duration.ofMillis(50), Duration.ofMillis(100))), kafka, JobWorkerIT::text,
                (in, ctx) -> {
                    if (in.equals("flaky") && attempts.incrementAndGet() < 3) {
                        throw new IOException("temporarily unavailable");
                    }
                    if (in.equals("broken")) {
                        throw new IOException("always broken");
                    }
                    return JobResult.of(new Output(output, ctx.key(), utf8("done:" + in)));
                }).start();
        KafkaProbe.send(input, "a", utf8("flaky"));
        KafkaProbe.send(input, "b", utf8("broken"));

        await().atMost(Duration.ofSeconds(30)).until(() -> KafkaProbe.records(output).size() == 1
                && KafkaProbe.records(dlq).size() == 1);
        assertThat(text(KafkaProbe.records(output).getFirst().value())).isEqualTo("done:flaky");
        assertThat(attempts.get()).isEqualTo(3);
        assertThat(header(KafkaProbe.records(dlq).getFirst(), DeadLetters.ERROR)).isEqualTo("always broken");
    }

    @Test
    void stoppingDuringAJobCancelsItAndLeavesItsOffsetForTheNextInstance() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean cleanedUp = new AtomicBoolean();
        worker = start(kafka, Duration.ofMillis(500), (in, ctx) -> {
            started.countDown();
            try {
                new CountDownLatch(1).await(); // a job that runs until it is cancelled
                return JobResult.of();
            } finally {
                cleanedUp.set(true);
            }
        });
        KafkaProbe.send(input, "acme", utf8("interrupted-job"));
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        int partition = partitionOfOnlyRecord();

        worker.close();

        assertThat(worker.state()).isEqualTo(JobWorker.State.STOPPED);
        assertThat(cleanedUp).isTrue();
        assertThat(KafkaProbe.committedOffset(group, input, partition)).isEmpty();
        assertThat(KafkaProbe.records(output)).isEmpty();

        ConcurrentLinkedQueue<String> redone = new ConcurrentLinkedQueue<>();
        worker = start(kafka, Duration.ofSeconds(5), (in, ctx) -> {
            redone.add(in);
            return JobResult.of(new Output(output, ctx.key(), utf8("done:" + in)));
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> KafkaProbe.records(output).size() == 1);
        assertThat(redone).containsExactly("interrupted-job");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> KafkaProbe.committedOffset(group, input, partition).orElse(0L) == 1L);
    }

    @Test
    void runsTheAfterCommitStepOnlyOnceTheOutputIsCommitted() {
        AtomicBoolean outputVisibleWhenStepRan = new AtomicBoolean();
        CountDownLatch stepRan = new CountDownLatch(1);
        worker = start(kafka, Duration.ofSeconds(5), (in, ctx) -> JobResult.of(new Output(output, ctx.key(), utf8(in)))
                .thenAfterCommit(() -> {
                    outputVisibleWhenStepRan.set(KafkaProbe.records(output).size() == 1);
                    stepRan.countDown();
                }));
        KafkaProbe.send(input, "acme", utf8("job"));

        await().atMost(Duration.ofSeconds(30)).until(() -> stepRan.getCount() == 0);
        assertThat(outputVisibleWhenStepRan).isTrue();
    }

    private JobWorker<String> start(KafkaSettings settings, Duration grace, JobHandler<String> handler) {
        return new JobWorker<>(config(grace), settings, JobWorkerIT::text, handler).start();
    }

    private JobWorkerConfig config(Duration grace) {
        return new JobWorkerConfig("test-worker", group, input, dlq, 2, grace,
                new RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(10)));
    }

    private int partitionOfOnlyRecord() {
        return KafkaProbe.records(input).getFirst().partition();
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, UTF_8);
    }
}
