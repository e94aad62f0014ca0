package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.ops.OpsEvent;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TestKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The operators' view: one line per stage change, with how long it took. */
class MonitorIT {

    @Test
    void printsOneLinePerStageChangeWithItsDurationAndBytes() {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, 1, (short) 1);
        Instant t0 = Instant.parse("2026-11-26T09:00:00Z");
        KafkaProbe.send(topics.ops(), "b-1", Json.encode(new OpsEvent("b-1", "acme", "DUMP", "STARTED", 0L, "dump-worker", t0)));
        KafkaProbe.send(topics.ops(), "b-1", Json.encode(new OpsEvent("b-1", "acme", "DUMP", "PROGRESS", 5_000_000L,
                "dump-worker", t0.plusSeconds(5))));
        KafkaProbe.send(topics.ops(), "b-1", Json.encode(new OpsEvent("b-1", "acme", "DUMP", "FINISHED", 12_345_678L,
                "dump-worker", t0.plusSeconds(95))));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        Monitor monitor = new Monitor(kafka, true, new PrintStream(printed, true, StandardCharsets.UTF_8));
        Thread.ofPlatform().start(monitor);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> printed.toString(StandardCharsets.UTF_8).contains("FINISHED"));
        } finally {
            monitor.close();
        }

        String[] lines = printed.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(4);
        assertThat(lines[1]).contains("2026-11-26 09:00:00").contains("acme").contains("b-1").contains("DUMP").contains("STARTED");
        assertThat(lines[2]).contains("PROGRESS").contains("5 s").contains("5,000,000");
        assertThat(lines[3]).contains("FINISHED").contains("1 min 35 s").contains("12,345,678");
    }
}
