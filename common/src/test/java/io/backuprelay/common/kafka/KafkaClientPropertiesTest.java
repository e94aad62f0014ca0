package io.backuprelay.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.backuprelay.common.config.ConfigSource;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class KafkaClientPropertiesTest {

    private static final String PASSWORD = "planted-sasl-password-5c1e";
    private static final Map<String, String> ENVIRONMENT = Map.of(
            "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1",
            "KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
            "KAFKA_SASL_MECHANISM", "PLAIN",
            "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                    + " username=\"dump-worker\" password=\"" + PASSWORD + "\";",
            "KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka/truststore.p12",
            "KAFKA_PORT", "tcp://10.0.0.7:9092",
            "KAFKA_HEAP_OPTS", "-Xmx1g",
            "PATH", "/usr/bin");

    @Test
    void everyKafkaVariableThatNamesAClientPropertyReachesEveryKindOfClient() {
        KafkaSettings kafka = KafkaSettings.from(new ConfigSource(ENVIRONMENT));

        assertThat(kafka.clientOverrides()).containsOnlyKeys("security.protocol", "sasl.mechanism", "sasl.jaas.config",
                "ssl.truststore.location");
        for (var props : List.of(kafka.common("a"), kafka.consumer("c", "g"), kafka.reader("r"),
                kafka.producer("p", "tx"))) {
            assertThat(props).containsEntry("security.protocol", "SASL_PLAINTEXT").containsEntry("sasl.mechanism", "PLAIN")
                    .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.p12")
                    .containsEntry("bootstrap.servers", "127.0.0.1:1");
        }
        assertThat(KafkaClientProperties.variableOf("sasl.jaas.config")).isEqualTo("KAFKA_SASL_JAAS_CONFIG");
        assertThat(kafka.toString()).contains("sasl.jaas.config").doesNotContain(PASSWORD);
    }

    @Test
    void theJaasPasswordIsInNoLogLineOfTheClientsOrOfTheSettings() {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger kafkaLogs = (Logger) LoggerFactory.getLogger("org.apache.kafka");
        Level level = kafkaLogs.getLevel();
        kafkaLogs.setLevel(Level.INFO); // where the clients dump their configuration
        root.addAppender(logs);
        try {
            KafkaSettings kafka = KafkaSettings.from(new ConfigSource(ENVIRONMENT));
            LoggerFactory.getLogger(getClass()).info("Starting with {}", kafka);
            try (var producer = new KafkaProducer<String, byte[]>(kafka.producer("probe", null))) {
                assertThat(producer.metrics()).isNotEmpty();
            }
            try (Admin admin = Admin.create(kafka.common("admin-probe"))) {
                admin.close(Duration.ofMillis(100));
            }
        } finally {
            root.detachAppender(logs);
            kafkaLogs.setLevel(level);
        }
        assertThat(logs.list).as("the producer and the admin client logged their configuration, the JAAS config masked")
                .anyMatch(e -> e.getFormattedMessage().contains("ProducerConfig values")
                        && e.getFormattedMessage().contains("sasl.jaas.config = [hidden]"))
                .anyMatch(e -> e.getFormattedMessage().contains("AdminClientConfig values")
                        && e.getFormattedMessage().contains("sasl.jaas.config = [hidden]"));
        assertThat(logs.list).noneMatch(e -> e.getFormattedMessage().contains(PASSWORD));
        assertThat(logs.list).anyMatch(e -> e.getFormattedMessage().contains("KAFKA_PORT names no Kafka client property"));
        assertThat(logs.list).noneMatch(e -> e.getFormattedMessage().contains("10.0.0.7"));
    }

    @Test
    void clientsRegisterNoJmxBeansAndPushNoMetricsUnlessTheirPropertiesAskForIt() throws Exception {
        KafkaSettings kafka = KafkaSettings.from(new ConfigSource(Map.of("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")));
        assertThat(kafka.producer("quiet-probe", null)).containsEntry("metric.reporters", "")
                .containsEntry("enable.metrics.push", false);
        MBeanServer beans = ManagementFactory.getPlatformMBeanServer();
        try (var producer = new KafkaProducer<String, byte[]>(kafka.producer("quiet-probe", null))) {
            assertThat(producer.metrics()).as("Micrometer reads these from the client").isNotEmpty();
            assertThat(beans.queryNames(new ObjectName("kafka.producer:client-id=quiet-probe,*"), null)).isEmpty();
        }

        KafkaSettings withJmx = KafkaSettings.from(new ConfigSource(Map.of("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1",
                "KAFKA_METRIC_REPORTERS", "org.apache.kafka.common.metrics.JmxReporter")));
        try (var producer = new KafkaProducer<String, byte[]>(withJmx.producer("jmx-probe", null))) {
            assertThat(beans.queryNames(new ObjectName("kafka.producer:client-id=jmx-probe,*"), null)).isNotEmpty();
        }
    }
}
