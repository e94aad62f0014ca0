package io.backuprelay.common.kafka;

import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.topic.Topics;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Where the cluster is and how the backup topics are named, plus any extra client properties
 * (security settings of a real cluster, or test tuning) applied to every client.
 */
public record KafkaSettings(String bootstrapServers, Topics topics, Map<String, Object> clientOverrides) {

    public KafkaSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topics, "topics");
        clientOverrides = clientOverrides == null ? Map.of() : Map.copyOf(clientOverrides);
    }

    public KafkaSettings(String bootstrapServers, Topics topics) {
        this(bootstrapServers, topics, Map.of());
    }

    /** {@code KAFKA_BOOTSTRAP_SERVERS} (required) and {@code BACKUPRELAY_TOPIC_PREFIX}. */
    public static KafkaSettings from(ConfigSource config) {
        return new KafkaSettings(config.required("KAFKA_BOOTSTRAP_SERVERS"),
                new Topics(config.string("BACKUPRELAY_TOPIC_PREFIX", "")));
    }

    public KafkaSettings withOverrides(Map<String, Object> overrides) {
        var merged = new java.util.HashMap<>(clientOverrides);
        merged.putAll(overrides);
        return new KafkaSettings(bootstrapServers, topics, merged);
    }

    public Properties common(String clientId) {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        return props;
    }

    /** A consumer of string keys and raw values that commits only through transactions. */
    public Properties consumer(String clientId, String groupId) {
        Properties props = common(clientId);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        // Offsets are committed with the job's output, in one transaction.
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Only what a committed job produced counts as input.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // A new group starts at the oldest request, so nothing published before it started is lost.
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Jobs run one per partition; a small batch keeps few records to rewind while jobs run.
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 20);
        props.putAll(clientOverrides);
        return props;
    }

    /** A consumer outside any group, for reading compacted topics from the beginning. */
    public Properties reader(String clientId) {
        Properties props = common(clientId);
        // A reader waits on these small topics to answer a request: do not let a fetch linger.
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putAll(clientOverrides);
        return props;
    }

    /** A producer of string keys and raw values; transactional when {@code transactionalId} is given. */
    public Properties producer(String clientId, String transactionalId) {
        Properties props = common(clientId);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        if (transactionalId != null) {
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        props.putAll(clientOverrides);
        return props;
    }
}
