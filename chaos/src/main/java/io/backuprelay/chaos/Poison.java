package io.backuprelay.chaos;

import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Bad records written straight onto every topic of the system, in turn: bytes that are not JSON,
 * an event of a type nobody knows, and a record close to the broker's 1 MB limit. Their keys start
 * with {@code poison-}, so that they never take the place of an account's record on a compacted
 * topic, and so that the audit can find them on the dead-letter topic.
 */
final class Poison implements AutoCloseable {

    enum Kind { MALFORMED, UNKNOWN_TYPE, NEAR_LIMIT }

    /** The topics a job worker consumes: a poison record there must reach the dead-letter topic. */
    static List<String> jobTopics(Topics topics) {
        return List.of(topics.requests(), topics.dumps(), topics.outcomes());
    }

    private final KafkaProducer<String, byte[]> producer;
    private final List<String> topics;
    private final Map<String, Integer> sent = new ConcurrentHashMap<>();
    private final List<String> keysOnJobTopics = Collections.synchronizedList(new ArrayList<>());
    private final List<String> jobTopics;
    private int next;

    Poison(KafkaSettings kafka) {
        Properties settings = kafka.producer("chaos-poison", null);
        settings.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_048_576);
        settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        this.producer = new KafkaProducer<>(settings);
        Topics t = kafka.topics();
        this.topics = List.of(t.requests(), t.dumps(), t.outcomes(), t.accounts(), t.settings(), t.connections(),
                t.status(), t.notifications(), t.ops());
        this.jobTopics = jobTopics(t);
    }

    /** Writes the next bad record: the topics and kinds in turn, so that every topic gets every kind. */
    void inject() throws Exception {
        int n = next++;
        Kind kind = Kind.values()[n % Kind.values().length];
        String topic = topics.get((n / Kind.values().length) % topics.size());
        String key = "poison-" + n;
        byte[] value = switch (kind) {
            case MALFORMED -> "{\"type\":\"BackupRequested\",\"backupId\":".getBytes(StandardCharsets.UTF_8);
            case UNKNOWN_TYPE -> ("{\"type\":\"BackupTeleported\",\"version\":1,\"backupId\":\"" + key + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            case NEAR_LIMIT -> nearLimit(key);
        };
        producer.send(new ProducerRecord<>(topic, key, value)).get(2, TimeUnit.MINUTES);
        sent.merge(kind + " on " + topic.substring(topic.lastIndexOf('.') + 1), 1, Integer::sum);
        if (jobTopics.contains(topic)) {
            keysOnJobTopics.add(key);
        }
    }

    /** About 1,000,000 bytes of JSON that is not an event (a string of that length where an object was due). */
    private static byte[] nearLimit(String key) {
        StringBuilder value = new StringBuilder(1_000_100).append("{\"type\":\"BackupRequested\",\"backupId\":\"")
                .append(key).append("\",\"accountId\":");
        value.append('"').append("x".repeat(1_000_000)).append("\",\"attempt\":\"not a number\"}");
        return value.toString().getBytes(StandardCharsets.UTF_8);
    }

    int injected() {
        return sent.values().stream().mapToInt(Integer::intValue).sum();
    }

    Map<String, Integer> byKindAndTopic() {
        return new TreeMap<>(sent);
    }

    List<String> keysOnJobTopics() {
        return List.copyOf(keysOnJobTopics);
    }

    @Override
    public void close() {
        producer.close();
    }
}
