package io.backuprelay.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.json.Json;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.TestKafka;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

/**
 * Services that share a view's copy and a producer read and write as if each had its own: each waiter
 * is answered, and one service stopping leaves the others reading and writing.
 */
class SharedClientsIT {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Test
    void servicesSharingAViewAndAProducerGoOnWhenOneOfThemStops() throws Exception {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, 3, (short) 1);
        String account = "O'Brien & Söhne";
        try (var sharing = SharedClients.share();
             var notifier = SharedClients.view(kafka, "notifier-settings", topics.settings(), String.class).start();
             PlainProducer console = SharedClients.producer(kafka, "console")) {
            var dump = SharedClients.view(kafka, "dump-worker-settings", topics.settings(), String.class).start();
            PlainProducer ops = SharedClients.producer(kafka, "dump-worker-ops");

            RecordMetadata weekly = write(console, topics.settings(), account, "EVERY_7_DAYS");
            CompactedTopicView.syncAll(List.of(dump, notifier));
            assertThat(dump.current(account)).contains("EVERY_7_DAYS");
            assertThat(notifier.awaitPosition(weekly.partition(), weekly.offset(), PATIENCE)).isTrue();
            assertThat(notifier.current(account)).contains("EVERY_7_DAYS");

            // Both services wait for the next record (at most a minute): each of them is woken by it, long before.
            Thread dumpWaits = Thread.ofVirtual().start(() -> awaitNews(dump));
            Thread notifierWaits = Thread.ofVirtual().start(() -> awaitNews(notifier));
            long woken = System.nanoTime();
            for (int i = 0; dumpWaits.isAlive() || notifierWaits.isAlive(); i++) {
                write(ops, topics.settings(), "Ñandú S.A.", "EVERY_DAY " + i); // whichever comes after the waits began
                assertThat(System.nanoTime() - woken).isLessThan(PATIENCE.toNanos());
            }

            dump.close();
            ops.close();
            write(console, topics.settings(), account, "EVERY_15_DAYS");
            assertThat(notifier.get(account)).as("read after the dump worker stopped its view").contains("EVERY_15_DAYS");
            assertThat(notifier.health().live()).isTrue();
        }
    }

    private static RecordMetadata write(PlainProducer producer, String topic, String key, String value)
            throws Exception {
        return producer.send(new ProducerRecord<>(topic, key, Json.encode(value))).get(30, TimeUnit.SECONDS);
    }

    private static void awaitNews(CompactedTopicView<String> view) {
        try {
            view.awaitNews(Duration.ofMinutes(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
