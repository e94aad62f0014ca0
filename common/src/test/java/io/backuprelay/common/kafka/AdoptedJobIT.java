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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A job that kept running while its partition was lost, and is adopted back when the partition
 * returns: another member ran its record and the ones after it meanwhile, and committed past them.
 */
class AdoptedJobIT {

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
        KafkaProbe.createTopic(input, 2);
        KafkaProbe.createTopic(output, 1);
        KafkaProbe.createTopic(dlq, 1);
    }

    @AfterEach
    void stop() {
        workers.forEach(JobWorker::close);
    }

    @Test
    void anAdoptedJobNeverMovesTheGroupsCommittedOffsetBackwards() throws Exception {
        CountDownLatch longJobStarted = new CountDownLatch(1);
        CountDownLatch longJobReleased = new CountDownLatch(1);
        CountDownLatch loopStalled = new CountDownLatch(1);
        CountDownLatch loopReleased = new CountDownLatch(1);
        // A short session and poll interval, so that a loop stalled for a few seconds loses its membership.
        JobWorker<String> first = start(kafka.withInstanceId("first").withOverrides(Map.of(
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 2000,
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500)), (in, ctx) -> {
            if (in.equals("long")) {
                longJobStarted.countDown();
                longJobReleased.await();
            }
            JobResult result = JobResult.of(new Output(output, ctx.key(), utf8("first:" + in)));
            // The after-commit step runs on the loop thread: blocking it stalls the loop as a long GC pause would.
            return in.equals("stall") ? result.thenAfterCommit(() -> {
                loopStalled.countDown();
                awaitQuietly(loopReleased);
            }) : result;
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> first.assignedPartitions().size() == 2);
        send(0, "long");
        assertThat(longJobStarted.await(30, TimeUnit.SECONDS)).isTrue();
        send(1, "stall");
        assertThat(loopStalled.await(30, TimeUnit.SECONDS)).isTrue();
        send(0, "next-1");
        send(0, "next-2");

        // While the first instance is out of the group, the second one takes partition 0 and runs all three.
        JobWorker<String> second = start(kafka.withInstanceId("second").withOverrides(Map.of(
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 10_000)),
                (in, ctx) -> JobResult.of(new Output(output, ctx.key(), utf8("second:" + in))));
        await().atMost(Duration.ofSeconds(60)).until(() -> KafkaProbe.committedOffset(group, input, 0).orElse(0L) == 3L);
        second.close();

        // The first instance rejoins, gets partition 0 back with its job still running, and the job ends.
        loopReleased.countDown();
        await().atMost(Duration.ofSeconds(60)).until(() -> first.assignedPartitions().contains(new TopicPartition(input, 0)));
        longJobReleased.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> first.jobsInFlight() == 0);
        send(0, "after");
        await().atMost(Duration.ofSeconds(30)).until(() -> outputs().contains("first:after"));

        assertThat(outputs()).as("each record's output once: the adopted job's was dropped, nothing was run twice")
                .containsExactlyInAnyOrder("first:stall", "second:long", "second:next-1", "second:next-2", "first:after");
        assertThat(KafkaProbe.committedOffset(group, input, 0)).contains(4L);
        assertThat(first.supersededJobs()).isEqualTo(1);
    }

    private JobWorker<String> start(KafkaSettings settings, JobHandler<String> handler) {
        JobWorker<String> worker = new JobWorker<>(new JobWorkerConfig("test-worker", group, input, dlq, 2,
                Duration.ofSeconds(2), new RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(10))), settings,
                bytes -> new String(bytes, UTF_8), handler, FatalErrors.LOG_ONLY).start();
        workers.add(worker);
        return worker;
    }

    private void send(int partition, String value) {
        KafkaProbe.sendAll(List.of(new ProducerRecord<>(input, partition, "acme", utf8(value))));
    }

    private List<String> outputs() {
        return KafkaProbe.records(output).stream().map(r -> new String(r.value(), UTF_8)).toList();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(UTF_8);
    }
}
