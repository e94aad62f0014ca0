package io.backuprelay.common.kafka;

import io.backuprelay.common.config.CommonSettings;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka client properties from the environment: {@code KAFKA_} and the property's name in upper
 * case with dots as underscores, e.g. {@code KAFKA_SECURITY_PROTOCOL=SASL_SSL} is
 * {@code security.protocol}. They reach every client of the process: producers, consumers, admin
 * clients and Kafka Streams. A variable that names no client property (Kubernetes' service links
 * such as {@code KAFKA_PORT}, or a launcher's {@code KAFKA_HEAP_OPTS}) is ignored with a warning
 * that names it; its value is never written anywhere.
 */
public final class KafkaClientProperties {

    private static final Logger log = LoggerFactory.getLogger(KafkaClientProperties.class);
    private static final String PREFIX = "KAFKA_";
    /** Read on their own: the cluster's address. */
    private static final Set<String> OWN = Set.of(CommonSettings.KAFKA_BOOTSTRAP_SERVERS.name());
    private static final Set<String> CLIENT_PROPERTIES = Stream.of(ProducerConfig.configNames(),
            ConsumerConfig.configNames(), AdminClientConfig.configNames()).flatMap(Set::stream).collect(Collectors.toSet());

    private KafkaClientProperties() {
    }

    /** The client properties among these variables. */
    public static Map<String, Object> from(Map<String, String> variables) {
        Map<String, Object> properties = new TreeMap<>();
        variables.forEach((name, value) -> {
            if (!name.startsWith(PREFIX) || OWN.contains(name) || value == null || value.isBlank()) {
                return;
            }
            String property = name.substring(PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
            if (CLIENT_PROPERTIES.contains(property)) {
                properties.put(property, value.strip());
            } else {
                log.warn("{} names no Kafka client property ('{}'); it is ignored", name, property);
            }
        });
        return properties;
    }

    /** The variable that sets a property: {@code security.protocol} is {@code KAFKA_SECURITY_PROTOCOL}. */
    public static String variableOf(String property) {
        return PREFIX + property.toUpperCase(Locale.ROOT).replace('.', '_');
    }
}
