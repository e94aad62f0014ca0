package io.backuprelay.testkit;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.utils.AppInfoParser;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The tests' broker as Apache Kafka's image, started by Testcontainers' Kafka module: the same Kafka
 * version as the clients, with the single-broker settings of the in-JVM one (passed the image's
 * way, as {@code KAFKA_} variables). Loaded only when {@code BACKUPRELAY_TEST_KAFKA=testcontainers}.
 */
final class ContainerKafka implements AutoCloseable {

    private final KafkaContainer container;

    private ContainerKafka(KafkaContainer container) {
        this.container = container;
    }

    /** {@code apache/kafka} at the clients' version, e.g. {@code apache/kafka:4.1.2}. */
    static DockerImageName image() {
        return DockerImageName.parse("apache/kafka:" + AppInfoParser.getVersion());
    }

    /** The image's environment for the broker settings: {@code offsets.topic.replication.factor} is {@code KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR}. */
    static Map<String, String> environment(Map<String, String> brokerSettings) {
        Map<String, String> env = new TreeMap<>();
        brokerSettings.forEach((name, value) -> env.put("KAFKA_" + name.toUpperCase(Locale.ROOT).replace('.', '_'), value));
        return env;
    }

    static ContainerKafka start(Map<String, String> brokerSettings) {
        KafkaContainer container = new KafkaContainer(image()).withEnv(environment(brokerSettings));
        container.start();
        return new ContainerKafka(container);
    }

    String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public void close() {
        container.stop();
    }
}
