package io.backuprelay.standalone;

import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.ops.OpsEvent;
import io.backuprelay.common.ops.OpsStage;
import io.backuprelay.common.ops.OpsStatus;
import java.io.Closeable;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * {@code backuprelay monitor}: follows {@code backup.ops} and prints one line per stage change —
 * time, account, backup, stage, status, how long the stage took, bytes (and the rate of uploads) —
 * for operators. With {@code --backup ID} or {@code --account A} it reads the topic from the
 * beginning, prints only that backup's (or account's) events, and when it has read everything,
 * ends with each backup's whole life: every stage's duration, and from the request to the last
 * event. {@code --follow} keeps it going after that. {@code --instances} adds the instances' heartbeats.
 */
final class Monitor implements Runnable, Closeable {

    /**
     * Which events to print: all backups' (both ids null), one backup's, or one account's; the instances'
     * heartbeats ({@code INSTANCE HEARTBEAT}, a minute apart from every service process) only when asked for,
     * since between two stage changes they would be most of what an operator reads.
     */
    record Filter(String backupId, String accountId, boolean follow, boolean instances) {

        static final Filter NONE = new Filter(null, null, true, false);

        Filter(String backupId, String accountId, boolean follow) {
            this(backupId, accountId, follow, false);
        }

        boolean any() {
            return backupId != null || accountId != null;
        }

        boolean accepts(OpsEvent event) {
            if (event.stage() == OpsStage.INSTANCE) {
                return instances;
            }
            return (backupId == null || backupId.equals(event.backupId()))
                    && (accountId == null || accountId.equals(event.accountId()));
        }
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final boolean fromBeginning;
    private final PrintStream out;
    private final Map<String, Instant> started = new HashMap<>();
    private final Filter filter;
    /** Per backup, in order: its stage durations and its first and last events, for the summary. */
    private final Map<String, Life> lives = new LinkedHashMap<>();
    private volatile boolean closing;

    Monitor(KafkaSettings kafka, boolean fromBeginning, PrintStream out) {
        this(kafka, fromBeginning, Filter.NONE, out);
    }

    Monitor(KafkaSettings kafka, boolean fromBeginning, Filter filter, PrintStream out) {
        this.consumer = new KafkaConsumer<>(kafka.reader("backuprelay-monitor"));
        this.topic = kafka.topics().ops();
        this.fromBeginning = fromBeginning || filter.any();
        this.filter = filter;
        this.out = out;
    }

    /** One backup as the ops events tell it. */
    private static final class Life {
        Instant first;
        Instant last;
        String lastWhat;
        final Map<String, Duration> stages = new LinkedHashMap<>();
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
            Map<TopicPartition, Long> end = filter.any() ? consumer.endOffsets(partitions) : Map.of();
            boolean summarized = !filter.any();
            while (!closing) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    print(record);
                }
                if (!summarized && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    summarize();
                    summarized = true;
                    if (!filter.follow()) {
                        return;
                    }
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
        if (!filter.accepts(event)) {
            return;
        }
        String key = event.backupId() + "/" + event.stage();
        Duration took = null;
        if (event.status() == OpsStatus.STARTED) {
            started.put(key, event.at());
        } else if (started.containsKey(key) && event.status() != OpsStatus.PROGRESS) {
            took = Duration.between(started.remove(key), event.at());
        } else if (started.containsKey(key)) {
            took = Duration.between(started.get(key), event.at());
        }
        String duration = took == null ? "" : human(took);
        out.printf("%-19s  %-16s  %-36s  %-9s  %-19s  %9s  %14s%s%s%n", TIME.format(event.at()), event.accountId(),
                event.backupId(), event.stage(), event.status(), duration,
                event.bytes() == null ? "" : String.format("%,d", event.bytes()),
                event.bytesPerSecond() == null ? "" : String.format("  %,.1f MB/s", event.bytesPerSecond() / 1e6),
                event.detail() == null ? "" : "  " + event.detail());
        out.flush();
        if (event.backupId() != null && event.stage() != OpsStage.INSTANCE) {
            Life life = lives.computeIfAbsent(event.backupId(), id -> new Life());
            life.first = life.first == null || event.at().isBefore(life.first) ? event.at() : life.first;
            if (life.last == null || !event.at().isBefore(life.last)) {
                life.last = event.at();
                life.lastWhat = event.stage() + " " + event.status();
            }
            if (took != null && event.status() != OpsStatus.PROGRESS) {
                life.stages.put(event.stage().name(), took);
            }
        }
    }

    /** Each backup's whole life: its stages' durations and the time from its first event to its last. */
    private void summarize() {
        for (var entry : lives.entrySet()) {
            Life life = entry.getValue();
            StringBuilder line = new StringBuilder("backup ").append(entry.getKey()).append(": ");
            life.stages.forEach((stage, took) -> line.append(stage).append(' ').append(human(took)).append(", "));
            line.append("in all ").append(human(Duration.between(life.first, life.last))).append(" (last: ")
                    .append(life.lastWhat).append(')');
            out.println(line);
        }
        if (lives.isEmpty()) {
            out.println("No ops event of " + (filter.backupId() != null ? "backup " + filter.backupId()
                    : "account " + filter.accountId()) + " on " + topic);
        }
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
