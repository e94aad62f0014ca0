package io.backuprelay.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backuprelay.testkit.TestKafka.Backend;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;

/** Which broker the tests use: the in-JVM one unless BACKUPRELAY_TEST_KAFKA asks for a container. */
class TestKafkaSelectionTest {

    @Test
    void theInJvmBrokerUnlessTestcontainersIsAskedFor() {
        assertThat(Backend.select(null)).isEqualTo(Backend.IN_JVM);
        assertThat(Backend.select("")).isEqualTo(Backend.IN_JVM);
        assertThat(Backend.select("in-jvm")).isEqualTo(Backend.IN_JVM);
        assertThat(Backend.select("testcontainers")).isEqualTo(Backend.TESTCONTAINERS);
        assertThat(Backend.select(" TestContainers ")).isEqualTo(Backend.TESTCONTAINERS);
        assertThatThrownBy(() -> Backend.select("docker"))
                .hasMessage("BACKUPRELAY_TEST_KAFKA must be in-jvm (the default) or testcontainers, is 'docker'");
    }

    @Test
    void theContainerRunsTheClientsKafkaWithTheSingleBrokerSettings() {
        assertThat(ContainerKafka.image().asCanonicalNameString()).isEqualTo("apache/kafka:" + AppInfoParser.getVersion());
        assertThat(ContainerKafka.environment(TestKafka.brokerSettings()))
                .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                .containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
                .containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
    }
}
