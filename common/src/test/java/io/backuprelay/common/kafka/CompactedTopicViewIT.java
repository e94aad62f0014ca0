package io.backuprelay.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.TestKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** A view answers from memory, and waits for one known write only as long as it takes to read it. */
class CompactedTopicViewIT {

    @Test
    void aReaderWaitsForTheWriteItPresentsAndNoLonger() throws Exception {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, 3, (short) 1);
        try (var view = new CompactedTopicView<>(kafka, "view-it", topics.settings(),
                bytes -> new String(bytes, StandardCharsets.UTF_8)).start();
             var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", TestKafka.bootstrapServers()),
                     new StringSerializer(), new ByteArraySerializer())) {
            view.sync();
            RecordMetadata written = producer.send(new ProducerRecord<>(topics.settings(), "acme",
                    "first".getBytes(StandardCharsets.UTF_8))).get();

            assertThat(view.awaitPosition(written.partition(), written.offset(), Duration.ofSeconds(10))).isTrue();
            assertThat(view.current("acme")).as("read as soon as its position is reached").contains("first");

            assertThat(view.awaitPosition(written.partition(), written.offset() + 1000, Duration.ofMillis(300)))
                    .as("a position no write reached: false after the timeout").isFalse();

            RecordMetadata deleted = producer.send(new ProducerRecord<>(topics.settings(), "acme", null)).get();
            assertThat(view.awaitPosition(deleted.partition(), deleted.offset(), Duration.ofSeconds(10))).isTrue();
            assertThat(view.current("acme")).isEmpty();
            assertThat(view.currentSnapshot()).doesNotContainKey("acme");
        }
    }
}
