package io.backuprelay.common.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TestKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker killed with SIGKILL and restarted within the session timeout gets its partitions back as
 * the same static member: the other instances see no rebalance at all.
 */
class StaticMembershipIT {

    @TempDir
    Path logs;

    @Test
    void aWorkerKilledAndRestartedInsideTheSessionTimeoutGetsItsPartitionsBackWithNoRebalanceOfTheOthers()
            throws Exception {
        String prefix = TestKafka.uniquePrefix();
        KafkaProbe.createTopic(prefix + "input", 4);
        KafkaProbe.createTopic(prefix + "output", 1);
        KafkaProbe.createTopic(prefix + "dlq", 1);
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), new Topics(prefix)).withInstanceId("stays");
        try (JobWorker<String> stays = new JobWorker<>(new JobWorkerConfig("stays", prefix + "group", prefix + "input",
                prefix + "dlq", 3, Duration.ofSeconds(1), null), kafka, bytes -> new String(bytes, UTF_8),
                (input, context) -> JobResult.of(new Output(prefix + "output", context.key(), ("stays:" + input).getBytes(UTF_8))))
                .start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> stays.assignedPartitions().size() == 4);
            Process restarted = null;
            Process killed = child(prefix, "first.log");
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> stays.assignedPartitions().size() == 2
                        && log("first.log").contains("assigned"));
                Set<TopicPartition> kept = stays.assignedPartitions();
                long rebalancesBefore = stays.rebalances();

                killed.destroyForcibly().waitFor(); // SIGKILL: it never leaves the group
                restarted = child(prefix, "second.log");
                await().atMost(Duration.ofSeconds(30)).until(() -> log("second.log").contains("assigned"));
                for (int p = 0; p < 4; p++) {
                    KafkaProbe.sendAll(List.of(new ProducerRecord<>(prefix + "input", p, "k" + p, ("job-" + p).getBytes(UTF_8))));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> KafkaProbe.records(prefix + "output").size() == 4);

                assertThat(stays.rebalances()).as("the instance that stayed saw no rebalance").isEqualTo(rebalancesBefore);
                assertThat(stays.assignedPartitions()).isEqualTo(kept);
                assertThat(KafkaProbe.records(prefix + "output")).extracting(r -> new String(r.value(), UTF_8))
                        .filteredOn(v -> v.startsWith("restarted:")).as("the restarted instance works its old partitions")
                        .hasSize(2);
                assertThat(log("second.log")).contains("assigned [");
            } finally {
                killed.destroyForcibly();
                if (restarted != null) {
                    restarted.destroyForcibly();
                }
            }
        }
    }

    private Process child(String prefix, String logName) throws Exception {
        return new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), StaticMemberWorkerMain.class.getName(), TestKafka.bootstrapServers(),
                prefix, "restarted"))
                .redirectErrorStream(true).redirectOutput(logs.resolve(logName).toFile()).start();
    }

    private String log(String name) throws Exception {
        Path file = logs.resolve(name);
        return Files.exists(file) ? Files.readString(file) : "";
    }
}
