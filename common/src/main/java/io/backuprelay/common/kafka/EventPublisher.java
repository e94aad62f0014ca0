package io.backuprelay.common.kafka;

import io.backuprelay.common.json.Json;
import java.io.Closeable;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes an event at once, outside the job's transaction: for what others must learn while a job
 * still runs (that it started). Idempotent and acknowledged by all replicas; a send that fails is
 * logged, and the job goes on (its outcome, committed later, is what counts).
 */
public interface EventPublisher extends Closeable {

    EventPublisher NONE = (topic, key, value) -> { };

    void publish(String topic, String key, Object value);

    @Override
    default void close() {
    }

    /** A publisher with a producer of its own, or the process's shared one ({@link SharedClients#producer}). */
    static EventPublisher kafka(KafkaSettings kafka, String clientId) {
        Logger log = LoggerFactory.getLogger(EventPublisher.class);
        PlainProducer producer = SharedClients.producer(kafka, clientId);
        return new EventPublisher() {
            @Override
            public void publish(String topic, String key, Object value) {
                producer.send(new ProducerRecord<>(topic, key, Json.encode(value)), (metadata, error) -> {
                    if (error != null) {
                        log.warn("An event for {} on {} was not published: {}", key, topic, error.toString());
                    }
                });
            }

            @Override
            public void close() {
                producer.close();
            }
        };
    }
}
