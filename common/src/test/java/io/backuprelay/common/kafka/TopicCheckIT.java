package io.backuprelay.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.TestKafka;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/** With BACKUPRELAY_CREATE_TOPICS=false a service creates nothing, and says every topic that is not as it needs. */
class TopicCheckIT {

    private static final ConfigSource DO_NOT_CREATE = new ConfigSource(Map.of("BACKUPRELAY_CREATE_TOPICS", "false"));

    @Test
    void aClusterWithoutTheTopicsIsRefusedNamingEachAndNothingIsCreated() throws Exception {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);

        assertThatThrownBy(() -> TopicProvisioner.prepare(kafka, DO_NOT_CREATE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("BACKUPRELAY_CREATE_TOPICS")
                .hasMessageContaining(topics.accounts() + " does not exist")
                .hasMessageContaining(topics.deadLetters() + " does not exist");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            assertThat(admin.listTopics().names().get()).noneMatch(name -> name.startsWith(topics.prefix()));
        }
    }

    @Test
    void aTopicWithTheWrongCleanupPolicyOrOneMissingIsNamedAndACorrectClusterPasses() throws Exception {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, 1, (short) 1);
        TopicProvisioner.prepare(kafka, DO_NOT_CREATE); // as created: nothing to say

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topics.settings()),
                    List.of(new AlterConfigOp(new ConfigEntry("cleanup.policy", "delete"), AlterConfigOp.OpType.SET))))
                    .all().get();
            admin.deleteTopics(List.of(topics.outcomes())).all().get();
        }

        assertThat(TopicProvisioner.check(kafka)).containsExactlyInAnyOrder(
                topics.settings() + " must have cleanup.policy=compact, has delete",
                topics.outcomes() + " does not exist");
    }
}
