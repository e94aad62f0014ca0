package io.backuprelay.standalone;

import io.backuprelay.common.ops.OpsStage;
import io.backuprelay.common.ops.OpsStatus;

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
import java.util.List;
import org.junit.jupiter.api.Test;

/** The operators' view: one line per stage change, with how long it took. */
class MonitorIT {

    @Test
    void printsOneLinePerStageChangeWithItsDurationAndBytes() {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, 1, (short) 1);
        Instant t0 = Instant.parse("2026-11-26T09:00:00Z");
        KafkaProbe.send(topics.ops(), "b-1", Json.encode(new OpsEvent("b-1", "acme", OpsStage.DUMP, OpsStatus.STARTED, 0L, "dump-worker", t0)));
        KafkaProbe.send(topics.ops(), "b-1", Json.encode(new OpsEvent("b-1", "acme", OpsStage.DUMP, OpsStatus.PROGRESS, 5_000_000L,
                "dump-worker", t0.plusSeconds(5))));
        KafkaProbe.send(topics.ops(), null, Json.encode(new OpsEvent(null, null, OpsStage.INSTANCE, OpsStatus.HEARTBEAT, null,
                "dump-worker", t0.plusSeconds(60)).withDetail("dump-worker-1")));
        KafkaProbe.send(topics.ops(), "b-1", Json.encode(new OpsEvent("b-1", "acme", OpsStage.DUMP, OpsStatus.FINISHED, 12_345_678L,
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
        assertThat(lines).as("the instance's heartbeat is not shown").hasSize(4);
        assertThat(lines[1]).contains("2026-11-26 09:00:00").contains("acme").contains("b-1").contains("DUMP").contains("STARTED");
        assertThat(lines[2]).contains("PROGRESS").contains("5 s").contains("5,000,000");
        assertThat(lines[3]).contains("FINISHED").contains("1 min 35 s").contains("12,345,678");
    }

    @Test
    void theInstancesHeartbeatsBetweenTheStageChangesOnlyWhenAskedFor() {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, 1, (short) 1);
        Instant t0 = Instant.parse("2026-11-26T09:00:00Z");
        List.of(new OpsEvent("b-4", "Zoë's Café", OpsStage.UPLOAD, OpsStatus.STARTED, 0L, "upload-worker", t0),
                new OpsEvent(null, null, OpsStage.INSTANCE, OpsStatus.HEARTBEAT, null, "upload-worker", t0.plusSeconds(30))
                        .withDetail("upload-worker-HOST-2"),
                new OpsEvent(null, null, OpsStage.INSTANCE, OpsStatus.HEARTBEAT, null, "notifier", t0.plusSeconds(40))
                        .withDetail("notifier-HOST-3"),
                new OpsEvent("b-4", "Zoë's Café", OpsStage.UPLOAD, OpsStatus.FINISHED, 9_000L, "upload-worker",
                        t0.plusSeconds(75)))
                .forEach(e -> KafkaProbe.send(topics.ops(), e.backupId(), Json.encode(e)));

        String backups = monitored(kafka, Monitor.Filter.NONE);
        String withInstances = monitored(kafka, new Monitor.Filter(null, null, true, true));

        assertThat(backups.lines().toList()).hasSize(3);
        assertThat(backups).contains("Zoë's Café").contains("1 min 15 s").doesNotContain("HEARTBEAT");
        assertThat(withInstances.lines().toList()).hasSize(5);
        assertThat(withInstances.lines().filter(l -> l.contains("INSTANCE") && l.contains("HEARTBEAT")).toList())
                .hasSize(2).anyMatch(l -> l.contains("upload-worker-HOST-2")).anyMatch(l -> l.contains("notifier-HOST-3"));
    }

    /** What the monitor, from the topic's beginning, printed once it printed the backup's UPLOAD FINISHED. */
    private static String monitored(KafkaSettings kafka, Monitor.Filter filter) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Monitor monitor = new Monitor(kafka, true, filter, new PrintStream(printed, true, StandardCharsets.UTF_8));
        Thread.ofPlatform().start(monitor);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> printed.toString(StandardCharsets.UTF_8).contains("FINISHED"));
            return printed.toString(StandardCharsets.UTF_8);
        } finally {
            monitor.close();
        }
    }

    @Test
    void oneBackupsWholeLifeWithTheDurationOfEachStageAndThenItEnds() throws Exception {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, 1, (short) 1);
        Instant t0 = Instant.parse("2026-11-26T09:00:00Z");
        List<OpsEvent> life = List.of(
                new OpsEvent("b-2", "acme", OpsStage.REQUEST, OpsStatus.REQUESTED, null, "console", t0),
                new OpsEvent("b-3", "other", OpsStage.DUMP, OpsStatus.STARTED, 0L, "dump-worker", t0),
                new OpsEvent("b-2", "acme", OpsStage.DUMP, OpsStatus.STARTED, 0L, "dump-worker", t0.plusSeconds(1)),
                new OpsEvent(null, null, OpsStage.INSTANCE, OpsStatus.HEARTBEAT, null, "dump-worker", t0.plusSeconds(2))
                        .withDetail("host-1"),
                new OpsEvent("b-2", "acme", OpsStage.DUMP, OpsStatus.FINISHED, 9_000_000L, "dump-worker", t0.plusSeconds(61)),
                new OpsEvent("b-2", "acme", OpsStage.UPLOAD, OpsStatus.STARTED, 9_000_000L, "upload-worker", t0.plusSeconds(62)),
                new OpsEvent("b-2", "acme", OpsStage.UPLOAD, OpsStatus.PROGRESS, 4_000_000L, "upload-worker",
                        t0.plusSeconds(67), null, 800_000L),
                new OpsEvent("b-2", "acme", OpsStage.UPLOAD, OpsStatus.FINISHED, 9_000_000L, "upload-worker",
                        t0.plusSeconds(72), null, 900_000L),
                new OpsEvent("b-2", "acme", OpsStage.VERIFY, OpsStatus.PASSED, 9_000_000L, "upload-worker", t0.plusSeconds(72)),
                new OpsEvent("b-2", "acme", OpsStage.NOTIFY, OpsStatus.SENT, null, "notifier", t0.plusSeconds(75)));
        life.forEach(e -> KafkaProbe.send(topics.ops(), e.backupId(), Json.encode(e)));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        Thread run = Thread.ofPlatform().start(new Monitor(kafka, false, new Monitor.Filter("b-2", null, false),
                new PrintStream(printed, true, StandardCharsets.UTF_8)));
        run.join(Duration.ofSeconds(30));

        assertThat(run.isAlive()).as("it ends once it has read the topic").isFalse();
        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(output).doesNotContain("b-3").doesNotContain("HEARTBEAT");
        assertThat(output).contains("REQUESTED").contains("PROGRESS").contains("0.8 MB/s").contains("PASSED")
                .contains("SENT");
        assertThat(output.lines().reduce((a, b) -> b).orElseThrow())
                .isEqualTo("backup b-2: DUMP 1 min 0 s, UPLOAD 10 s, in all 1 min 15 s (last: NOTIFY SENT)");
    }
}
