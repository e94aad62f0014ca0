package io.backuprelay.common.ops;

import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.PlainProducer;
import io.backuprelay.common.kafka.SharedClients;
import java.io.Closeable;
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

    /** A publisher with a producer of its own, or the process's shared one ({@link SharedClients#producer}). */
    static OpsPublisher kafka(KafkaSettings kafka, String clientId) {
        Logger log = LoggerFactory.getLogger(OpsPublisher.class);
        PlainProducer producer = SharedClients.producer(kafka, clientId);
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
