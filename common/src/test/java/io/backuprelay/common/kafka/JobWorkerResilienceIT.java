package io.backuprelay.common.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backuprelay.common.health.FatalErrors;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TestKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the job runtime does when instances come and go, are fenced, or meet poison and errors. */
class JobWorkerResilienceIT {

    private final String prefix = TestKafka.uniquePrefix();
    private final String input = prefix + "input";
    private final String output = prefix + "output";
    private final String dlq = prefix + "dlq";
    private final String group = prefix + "group";
    private final List<JobWorker<String>> workers = new ArrayList<>();
    private KafkaSettings kafka;

    @BeforeEach
    void topics() {
        kafka = new KafkaSettings(TestKafka.bootstrapServers(), new Topics(prefix));
        KafkaProbe.createTopic(input, 3);
        KafkaProbe.createTopic(output, 1);
        KafkaProbe.createTopic(dlq, 1);
    }

    @AfterEach
    void stop() {
        workers.forEach(JobWorker::close);
    }

    @Test
    void anInstanceJoiningNeverCancelsAJobRunningElsewhere() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        JobWorker<String> first = start(kafka.withInstanceId("first"), 3, (in, ctx) -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                interrupted.set(true);
                throw e;
            }
            return JobResult.of(new Output(output, ctx.key(), utf8("first:" + in)));
        }, FatalErrors.LOG_ONLY);
        await().atMost(Duration.ofSeconds(30)).until(() -> first.assignedPartitions().size() == 3);
        KafkaProbe.send(input, "acme", utf8("long-dump"));
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        int busy = KafkaProbe.records(input).getFirst().partition();

        JobWorker<String> second = start(kafka.withInstanceId("second"), 3,
                (in, ctx) -> JobResult.of(new Output(output, ctx.key(), utf8("second:" + in))), FatalErrors.LOG_ONLY);
        await().atMost(Duration.ofSeconds(60)).until(() -> !second.assignedPartitions().isEmpty()
                && first.assignedPartitions().size() + second.assignedPartitions().size() == 3);

        assertThat(first.assignedPartitions()).as("the busy partition stays where its job runs")
                .anyMatch(p -> p.partition() == busy);
        assertThat(second.assignedPartitions()).as("the newcomer got its share").hasSize(1);
        assertThat(interrupted).as("the running job was not cancelled").isFalse();
        release.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> KafkaProbe.records(output).size() == 1);
        assertThat(new String(KafkaProbe.records(output).getFirst().value(), UTF_8)).isEqualTo("first:long-dump");
        assertThat(first.committedJobs()).isEqualTo(1);
    }

    @Test
    void aFencedZombieNeverCommitsItsOutput() throws Exception {
        CountDownLatch zombieStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ConcurrentLinkedQueue<Throwable> fatal = new ConcurrentLinkedQueue<>();
        KafkaSettings sameInstance = kafka.withInstanceId("same-instance");
        JobWorker<String> zombie = start(sameInstance, 2, (in, ctx) -> {
            zombieStarted.countDown();
            // A zombie does not notice it was replaced: it finishes its job and tries to commit.
            while (true) {
                try {
                    release.await();
                    break;
                } catch (InterruptedException ignored) {
                    // keeps going, as a zombie would
                }
            }
            return JobResult.of(new Output(output, ctx.key(), utf8("zombie:" + in)));
        }, (component, error) -> fatal.add(error));
        KafkaProbe.send(input, "acme", utf8("job"));
        assertThat(zombieStarted.await(30, TimeUnit.SECONDS)).isTrue();

        JobWorker<String> successor = start(sameInstance, 2,
                (in, ctx) -> JobResult.of(new Output(output, ctx.key(), utf8("successor:" + in))), FatalErrors.LOG_ONLY);
        await().atMost(Duration.ofSeconds(60)).until(() -> KafkaProbe.records(output).size() == 1);
        release.countDown();

        await().atMost(Duration.ofSeconds(60)).until(() -> zombie.state() == JobWorker.State.FAILED);
        assertThat(fatal).as("the zombie reports that it was fenced").isNotEmpty()
                .allMatch(KafkaErrors::isFatal);
        assertThat(zombie.health().live()).isFalse();
        assertThat(successor.health().live()).isTrue();
        // A commit the zombie might still make would be visible within this time.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> KafkaProbe.records(output).size() == 1);
        assertThat(KafkaProbe.records(output)).as("read_committed sees the successor's output only")
                .extracting(r -> new String(r.value(), UTF_8)).containsExactly("successor:job");
    }

    @Test
    void aPoisonRecordNearTheSizeLimitIsDeadLetteredCutAndTheWorkerGoesOn() {
        start(kafka, 1, (in, ctx) -> JobResult.of(new Output(output, ctx.key(), utf8("done:" + in))), FatalErrors.LOG_ONLY,
                bytes -> {
                    if (bytes.length > 1000) {
                        throw new IllegalArgumentException("not a job: " + bytes.length + " bytes");
                    }
                    return new String(bytes, UTF_8);
                });
        byte[] huge = new byte[1_040_000];
        Arrays.fill(huge, (byte) 'x');
        KafkaProbe.send(input, "acme", huge);
        KafkaProbe.send(input, "acme", utf8("after"));

        await().atMost(Duration.ofSeconds(60)).until(() -> KafkaProbe.records(output).size() == 1);
        assertThat(new String(KafkaProbe.records(output).getFirst().value(), UTF_8)).isEqualTo("done:after");
        List<ConsumerRecord<String, byte[]>> dead = KafkaProbe.records(dlq);
        assertThat(dead).hasSize(1);
        assertThat(header(dead.getFirst(), DeadLetters.VALUE_TRUNCATED)).isEqualTo("1040000");
        assertThat(dead.getFirst().value()).hasSize(DeadLetters.MAX_VALUE_BYTES);
        assertThat(header(dead.getFirst(), DeadLetters.ERROR)).contains("not a job");
    }

    @Test
    void anErrorInAJobStopsTheWorkerCancelsTheOtherJobsAndIsFatal() throws Exception {
        KafkaProbe.createTopic(prefix + "two", 2);
        CountDownLatch otherStarted = new CountDownLatch(1);
        AtomicBoolean otherInterrupted = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> fatal = new ConcurrentLinkedQueue<>();
        JobWorker<String> worker = new JobWorker<>(new JobWorkerConfig("error-worker", group, prefix + "two", dlq, 2,
                Duration.ofSeconds(1), new RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(10))), kafka,
                bytes -> new String(bytes, UTF_8), (in, ctx) -> {
                    if (in.equals("breaks")) {
                        otherStarted.await(30, TimeUnit.SECONDS);
                        throw new OutOfMemoryError("simulated");
                    }
                    otherStarted.countDown();
                    try {
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        otherInterrupted.set(true);
                        throw e;
                    }
                    return JobResult.of();
                }, (component, error) -> fatal.add(error)).start();
        workers.add(worker);
        KafkaProbe.sendAll(List.of(
                new ProducerRecord<>(prefix + "two", 0, "a", utf8("waits")),
                new ProducerRecord<>(prefix + "two", 1, "b", utf8("breaks"))));

        await().atMost(Duration.ofSeconds(60)).until(() -> worker.state() == JobWorker.State.FAILED);
        assertThat(fatal).anyMatch(e -> e instanceof OutOfMemoryError);
        assertThat(otherInterrupted).as("the other running job was cancelled").isTrue();
        assertThat(worker.health().live()).isFalse();
        assertThat(KafkaProbe.committedOffset(group, prefix + "two", 0)).isEmpty();
        assertThat(KafkaProbe.committedOffset(group, prefix + "two", 1)).isEmpty();
    }

    private JobWorker<String> start(KafkaSettings settings, int concurrency, JobHandler<String> handler, FatalErrors fatal) {
        return start(settings, concurrency, handler, fatal, bytes -> new String(bytes, UTF_8));
    }

    private JobWorker<String> start(KafkaSettings settings, int concurrency, JobHandler<String> handler, FatalErrors fatal,
                                    Function<byte[], String> decoder) {
        JobWorker<String> worker = new JobWorker<>(new JobWorkerConfig("test-worker", group, input, dlq, concurrency,
                Duration.ofSeconds(2), new RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(10))), settings,
                decoder, handler, fatal).start();
        workers.add(worker);
        return worker;
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(UTF_8);
    }
}
