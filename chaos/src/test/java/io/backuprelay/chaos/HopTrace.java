package io.backuprelay.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.KafkaProbe;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Where each backup's time went, read from what the services wrote: the request, the dump worker's
 * {@code BackupStarted}, its {@code DumpReady}, the upload worker's {@code BackupCompleted} and the
 * notifier's record of the email it sent (written once the mail server took it). Every time is the
 * writer's own clock; all run on this machine.
 */
final class HopTrace {

    /** One backup's moments; null where the step did not happen. */
    record Backup(String backupId, String accountId, Instant requested, Instant started, Instant dumped,
                  Instant completed, Instant mailed) {

        Duration total() {
            return Duration.between(requested, mailed);
        }

        /** Request to the dump's start: waiting for a free worker, then the hop to it. */
        Duration toStart() {
            return Duration.between(requested, started);
        }

        Duration dump() {
            return Duration.between(started, dumped);
        }

        /** The dump's end to the upload's commit: the hop, then the upload's end. */
        Duration upload() {
            return Duration.between(dumped, completed);
        }

        /** The upload's commit to the email accepted by the mail server. */
        Duration toMail() {
            return Duration.between(completed, mailed);
        }

        boolean whole() {
            return requested != null && started != null && dumped != null && completed != null && mailed != null;
        }
    }

    private HopTrace() {
    }

    /** Every backup of these accounts that was requested on the topics with this prefix. */
    static List<Backup> read(Topics topics, Collection<String> accounts) throws IOException {
        Map<String, Instant> started = times(topics.outcomes(), "backup.started", "occurredAt");
        Map<String, Instant> dumped = times(topics.dumps(), "dump.ready", "occurredAt");
        Map<String, Instant> completed = times(topics.outcomes(), "backup.completed", "occurredAt");
        Map<String, Instant> mailed = new HashMap<>();
        Map<String, Instant> requested = new HashMap<>();
        Map<String, String> accountOf = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : KafkaProbe.records(topics.notifications())) {
            if (record.value() != null) {
                JsonNode sent = Json.mapper().readTree(record.value());
                mailed.putIfAbsent(sent.get("backupId").asText(), Instant.parse(sent.get("sentAt").asText()));
            }
        }
        for (ConsumerRecord<String, byte[]> record : KafkaProbe.records(topics.requests())) {
            JsonNode request = Json.mapper().readTree(record.value());
            requested.putIfAbsent(request.get("backupId").asText(), Instant.parse(request.get("occurredAt").asText()));
            accountOf.put(request.get("backupId").asText(), request.get("accountId").asText());
        }
        List<Backup> backups = new ArrayList<>();
        requested.forEach((backupId, at) -> {
            if (accounts.contains(accountOf.get(backupId))) {
                backups.add(new Backup(backupId, accountOf.get(backupId), at, started.get(backupId), dumped.get(backupId),
                        completed.get(backupId), mailed.get(backupId)));
            }
        });
        backups.sort((a, b) -> a.requested().compareTo(b.requested()));
        return backups;
    }

    /** The first time each backup has an event of this type on the topic. */
    private static Map<String, Instant> times(String topic, String type, String field) throws IOException {
        Map<String, Instant> times = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : KafkaProbe.records(topic)) {
            JsonNode event = Json.mapper().readTree(record.value());
            if (type.equals(event.path("type").asText())) {
                times.putIfAbsent(event.get("backupId").asText(), Instant.parse(event.get(field).asText()));
            }
        }
        return times;
    }

    /** The value at this quantile (0.5 = median) of the durations, in seconds. */
    static double quantile(List<Backup> backups, Function<Backup, Duration> measure, double q) {
        List<Double> values = backups.stream().map(measure).map(d -> d.toNanos() / 1e9).sorted().toList();
        if (values.isEmpty()) {
            return Double.NaN;
        }
        return values.get((int) Math.min(values.size() - 1, Math.ceil(q * values.size()) - 1));
    }
}
