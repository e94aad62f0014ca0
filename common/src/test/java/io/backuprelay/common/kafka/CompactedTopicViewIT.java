package io.backuprelay.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TestKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
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

    @Test
    void oneAccountsRecordsAreReadAsOneRangeInKeyOrder() throws Exception {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, 3, (short) 1);
        try (var view = new CompactedTopicView<>(kafka, "view-prefix-it", topics.connections(),
                bytes -> new String(bytes, StandardCharsets.UTF_8)).start()) {
            for (String key : List.of("Ñandú S.A./c-2", "Ñandú S.A./c-7", "Ñandú S.A./c-10", "Ñandú S.A.x/c-1",
                    "Ñandú/c-3", "Zeta/c-1")) {
                KafkaProbe.send(topics.connections(), key, key.getBytes(StandardCharsets.UTF_8));
            }
            KafkaProbe.send(topics.connections(), "Ñandú S.A./c-7", null);

            assertThat(view.withPrefix("Ñandú S.A./")).as("caught up, this account only, deleted gone, in key order")
                    .containsExactly("Ñandú S.A./c-10", "Ñandú S.A./c-2");
            assertThat(view.currentWithPrefix("Zeta/")).containsExactly("Zeta/c-1");
            assertThat(view.currentWithPrefix("Nobody/")).isEmpty();
        }
    }
    @Test
    void severalViewsCatchUpTogetherAndAWaiterWakesOnTheNextRecord() throws Exception {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, 3, (short) 1);
        try (var accounts = new CompactedTopicView<>(kafka, "view-all-1", topics.accounts(),
                bytes -> new String(bytes, StandardCharsets.UTF_8)).start();
             var settings = new CompactedTopicView<>(kafka, "view-all-2", topics.settings(),
                     bytes -> new String(bytes, StandardCharsets.UTF_8)).start()) {
            KafkaProbe.send(topics.accounts(), "O'Brien & Söhne", "account".getBytes(StandardCharsets.UTF_8));
            KafkaProbe.send(topics.settings(), "O'Brien & Söhne", "EVERY_7_DAYS".getBytes(StandardCharsets.UTF_8));

            CompactedTopicView.syncAll(List.of(accounts, settings));
            assertThat(accounts.current("O'Brien & Söhne")).as("written before the catch-up: read by it").contains("account");
            assertThat(settings.current("O'Brien & Söhne")).contains("EVERY_7_DAYS");

            long waited = System.nanoTime();
            settings.awaitNews(Duration.ofMillis(200));
            assertThat(System.nanoTime() - waited).as("nothing new: the wait lasts its limit")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(150).toNanos());

            // A writer that goes on writing: whichever record comes after the wait begins ends it.
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread writer = Thread.ofVirtual().start(() -> {
                for (int i = 0; writing.get(); i++) {
                    KafkaProbe.send(topics.settings(), "O'Brien & Söhne", ("EVERY_15_DAYS " + i).getBytes(StandardCharsets.UTF_8));
                }
            });
            long woken = System.nanoTime();
            settings.awaitNews(Duration.ofSeconds(60));
            writing.set(false);
            writer.join();
            assertThat(System.nanoTime() - woken).as("woken by the next record, long before the limit")
                    .isLessThan(Duration.ofSeconds(20).toNanos());
            assertThat(settings.current("O'Brien & Söhne").orElseThrow()).startsWith("EVERY_15_DAYS");
        }
    }
}
