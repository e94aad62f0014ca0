package io.backuprelay.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TestKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real SIGTERM to a worker process in the middle of a job. */
class SigtermIT {

    @TempDir
    Path markers;

    @Test
    void sigtermDuringAJobCancelsItCleansUpAndLeavesItsOffsetUncommitted() throws Exception {
        String prefix = TestKafka.uniquePrefix();
        KafkaProbe.createTopic(prefix + "input", 1);
        KafkaProbe.createTopic(prefix + "output", 1);
        KafkaProbe.createTopic(prefix + "dlq", 1);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process worker = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                SigtermWorkerMain.class.getName(), TestKafka.bootstrapServers(), prefix, markers.toString()))
                .redirectErrorStream(true)
                .redirectOutput(markers.resolve("worker.log").toFile())
                .start();
        try {
            KafkaProbe.send(prefix + "input", "acme", "nightly-backup".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(markers.resolve("started")));

            worker.destroy(); // SIGTERM

            assertThat(worker.waitFor(60, TimeUnit.SECONDS)).as("the worker exits after SIGTERM").isTrue();
            assertThat(markers.resolve("cleaned-up")).exists();
            assertThat(KafkaProbe.committedOffset(prefix + "group", prefix + "input", 0)).isEmpty();
            assertThat(KafkaProbe.records(prefix + "output")).isEmpty();
            assertThat(Files.readString(markers.resolve("worker.log"))).contains("cancels 1 job(s) still running");
        } finally {
            worker.destroyForcibly();
        }
    }
}
