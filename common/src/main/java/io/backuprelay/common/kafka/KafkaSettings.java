package io.backuprelay.common.kafka;

import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.topic.Topics;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeSet;
import java.util.UUID;
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
 *
 * @param instanceId this process's stable name among the instances of its service: it gives the
 *                   workers' static group membership ({@code group.instance.id}) and their
 *                   {@code transactional.id}, so a restarted instance fences its predecessor and gets
 *                   its partitions back without a rebalance
 */
public record KafkaSettings(String bootstrapServers, Topics topics, Map<String, Object> clientOverrides,
                            String instanceId) {

    public KafkaSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topics, "topics");
        clientOverrides = clientOverrides == null ? Map.of() : Map.copyOf(clientOverrides);
        instanceId = instanceId == null || instanceId.isBlank()
                ? "instance-" + UUID.randomUUID().toString().substring(0, 8) : instanceId;
    }

    /** With a random instance id: for tests and tools whose instances need not outlive a restart. */
    public KafkaSettings(String bootstrapServers, Topics topics) {
        this(bootstrapServers, topics, Map.of(), null);
    }

    public KafkaSettings(String bootstrapServers, Topics topics, Map<String, Object> clientOverrides) {
        this(bootstrapServers, topics, clientOverrides, null);
    }

    /**
     * {@code KAFKA_BOOTSTRAP_SERVERS} (required), {@code BACKUPRELAY_TOPIC_PREFIX},
     * {@code BACKUPRELAY_INSTANCE_ID} (default: the host name and {@code SERVICE_PORT}, which differ
     * between instances on one host, and stay the same across a restart), and every other client
     * property as {@code KAFKA_<PROPERTY>} ({@link KafkaClientProperties}).
     */
    public static KafkaSettings from(ConfigSource config) {
        String port = String.valueOf(CommonSettings.SERVICE_PORT.read(config));
        // Port 0 picks a free port at each start, so it cannot tell instances apart: then the id is random.
        String instanceId = CommonSettings.INSTANCE_ID.find(config)
                .orElseGet(() -> "0".equals(port) ? null : hostName() + "-" + port);
        if (instanceId != null && !instanceId.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new ConfigException(CommonSettings.INSTANCE_ID.name(),
                    "must be 1 to 100 letters, digits, '.', '_' or '-', is '" + instanceId + "'");
        }
        return new KafkaSettings(CommonSettings.KAFKA_BOOTSTRAP_SERVERS.read(config),
                new Topics(CommonSettings.TOPIC_PREFIX.read(config)),
                KafkaClientProperties.from(CommonSettings.KAFKA_PROPERTIES.read(config)), instanceId);
    }

    public KafkaSettings withOverrides(Map<String, Object> overrides) {
        var merged = new HashMap<>(clientOverrides);
        merged.putAll(overrides);
        return new KafkaSettings(bootstrapServers, topics, merged, instanceId);
    }

    public KafkaSettings withInstanceId(String id) {
        return new KafkaSettings(bootstrapServers, topics, clientOverrides, id);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** What every client needs, admin clients included: the cluster's address and the client properties set. */
    public Properties common(String clientId) {
        Properties props = new Properties();
        quiet(props);
        props.putAll(clientOverrides);
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        return props;
    }

    /**
     * No JMX reporter and no metrics pushed to the broker (KIP-714), unless the client properties ask for them: the
     * clients' metrics reach {@code /metrics} through Micrometer, which reads them from each client. The JMX reporter
     * registered an MBean for each of a client's hundreds of metrics and brought the JVM's whole management
     * machinery (250 classes) into every process; the push kept its own copy of each metric's name (docs/benchmarks.md,
     * "Footprint"). A Streams application takes the same two settings.
     */
    public static void quiet(Properties props) {
        props.put(CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG, "");
        props.put(CommonClientConfigs.ENABLE_METRICS_PUSH_CONFIG, false);
    }

    /** The client properties by name only: their values may be credentials (a JAAS config, a key store's password). */
    @Override
    public String toString() {
        return "KafkaSettings[bootstrapServers=" + bootstrapServers + ", topics=" + topics.prefix()
                + ", clientProperties=" + new TreeSet<>(clientOverrides.keySet()) + ", instanceId=" + instanceId + "]";
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
