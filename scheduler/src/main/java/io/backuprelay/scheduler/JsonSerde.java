package io.backuprelay.scheduler;

import io.backuprelay.common.json.Json;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** The project's JSON codec as a Kafka Streams serde. */
final class JsonSerde {

    private JsonSerde() {
    }

    static <T> Serde<T> of(Class<T> type) {
        Serializer<T> serializer = (topic, value) -> value == null ? null : Json.encode(value);
        Deserializer<T> deserializer = (topic, bytes) -> bytes == null ? null : Json.decode(bytes, type);
        return Serdes.serdeFrom(serializer, deserializer);
    }

}
