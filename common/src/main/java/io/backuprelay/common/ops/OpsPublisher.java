package io.backuprelay.common.ops;

import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import java.io.Closeable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes ops events, fire and forget: they are for monitors, so a lost one is a gap in a
 * dashboard, never a reason to slow or fail a backup.
 */
public interface OpsPublisher extends Closeable {

    void publish(OpsEvent event);

    @Override
    default void close() {
    }

    OpsPublisher NONE = event -> { };

    static OpsPublisher kafka(KafkaSettings kafka, String clientId) {
        Logger log = LoggerFactory.getLogger(OpsPublisher.class);
        Producer<String, byte[]> producer = new KafkaProducer<>(kafka.producer(clientId, null));
        String topic = kafka.topics().ops();
        return new OpsPublisher() {
            @Override
            public void publish(OpsEvent event) {
                producer.send(new ProducerRecord<>(topic, event.backupId(), Json.encode(event)), (metadata, error) -> {
                    if (error != null) {
                        log.debug("Ops event not published: {}", error.toString());
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
