package io.backuprelay.scheduler;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.backuprelay.common.json.Json;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** The project's JSON codec as a Kafka Streams serde. */
final class JsonSerde {

    private JsonSerde() {
    }

    /**
     * For a state store's own values: timestamps as numbers, which read several times faster than
     * ISO-8601 text. Only this store reads them; events and status on topics keep the shared format.
     */
    static <T> Serde<T> forStore(Class<T> type) {
        ObjectMapper mapper = Json.mapper().copy().enable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        ObjectReader reader = mapper.readerFor(type);
        ObjectWriter writer = mapper.writerFor(type);
        Serializer<T> serializer = (topic, value) -> {
            try {
                return value == null ? null : writer.writeValueAsBytes(value);
            } catch (JsonProcessingException e) {
                throw new SerializationException("Cannot encode " + type.getSimpleName(), e);
            }
        };
        Deserializer<T> deserializer = (topic, bytes) -> {
            try {
                return bytes == null ? null : reader.readValue(bytes);
            } catch (IOException e) {
                throw new SerializationException("Cannot decode " + type.getSimpleName(), e);
            }
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }

    static <T> Serde<T> of(Class<T> type) {
        Serializer<T> serializer = (topic, value) -> value == null ? null : Json.encode(value);
        Deserializer<T> deserializer = (topic, bytes) -> bytes == null ? null : Json.decode(bytes, type);
        return Serdes.serdeFrom(serializer, deserializer);
    }

}
