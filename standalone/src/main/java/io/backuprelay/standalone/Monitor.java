package io.backuprelay.standalone;

import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.ops.OpsEvent;
import java.io.Closeable;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * {@code backuprelay monitor}: follows {@code backup.ops} and prints one line per stage change —
 * time, account, backup, stage, status, how long the stage took, bytes — for operators.
 */
final class Monitor implements Runnable, Closeable {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final boolean fromBeginning;
    private final PrintStream out;
    private final Map<String, Instant> started = new HashMap<>();
    private volatile boolean closing;

    Monitor(KafkaSettings kafka, boolean fromBeginning, PrintStream out) {
        this.consumer = new KafkaConsumer<>(kafka.reader("backuprelay-monitor"));
        this.topic = kafka.topics().ops();
        this.fromBeginning = fromBeginning;
        this.out = out;
    }

    @Override
    public void run() {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            out.printf("%-19s  %-16s  %-36s  %-9s  %-19s  %9s  %14s%n", "time (UTC)", "account", "backup", "stage",
                    "status", "duration", "bytes");
            while (!closing) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    print(record);
                }
            }
        } catch (WakeupException e) {
            if (!closing) {
                throw e;
            }
        } finally {
            consumer.close();
        }
    }

    private void print(ConsumerRecord<String, byte[]> record) {
        OpsEvent event;
        try {
            event = Json.decode(record.value(), OpsEvent.class);
        } catch (RuntimeException e) {
            return; // not an ops event of ours
        }
        String key = event.backupId() + "/" + event.stage();
        String duration = "";
        if ("STARTED".equals(event.status())) {
            started.put(key, event.at());
        } else if (started.containsKey(key) && !"PROGRESS".equals(event.status())) {
            duration = human(Duration.between(started.remove(key), event.at()));
        } else if (started.containsKey(key)) {
            duration = human(Duration.between(started.get(key), event.at()));
        }
        out.printf("%-19s  %-16s  %-36s  %-9s  %-19s  %9s  %14s%s%n", TIME.format(event.at()), event.accountId(),
                event.backupId(), event.stage(), event.status(), duration,
                event.bytes() == null ? "" : String.format("%,d", event.bytes()),
                event.detail() == null ? "" : "  " + event.detail());
        out.flush();
    }

    private static String human(Duration duration) {
        long seconds = duration.toSeconds();
        return seconds < 60 ? seconds + " s" : seconds / 60 + " min " + seconds % 60 + " s";
    }

    @Override
    public void close() {
        closing = true;
        consumer.wakeup();
    }
}
