package io.backuprelay.scheduler;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import io.backuprelay.common.json.Json;
import java.io.IOException;
import java.time.Instant;
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
     * For a state store's own values: timestamps as whole numbers of nanoseconds since the epoch, which read and
     * write several times faster than ISO-8601 text and than Jackson's own numeric form (decimal seconds, through
     * {@code BigDecimal}). Only this store reads them; events and status on topics keep the shared format. Values
     * stored in the earlier forms (decimal seconds, ISO text) still read as they were written.
     */
    static <T> Serde<T> forStore(Class<T> type) {
        ObjectMapper mapper = Json.mapper().copy().enable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).registerModule(new SimpleModule("store-instants")
                .addSerializer(Instant.class, new NanosSerializer())
                .addDeserializer(Instant.class, new NanosDeserializer()));
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

    /** An instant as its nanoseconds since the epoch (a {@code long} covers 1677 to 2262; others as ISO text). */
    private static final class NanosSerializer extends StdSerializer<Instant> {

        NanosSerializer() {
            super(Instant.class);
        }

        @Override
        public void serialize(Instant value, JsonGenerator generator, SerializerProvider provider) throws IOException {
            long seconds = value.getEpochSecond();
            if (seconds > MIN_SECONDS && seconds < MAX_SECONDS) {
                generator.writeNumber(seconds * NANOS + value.getNano());
            } else {
                generator.writeString(value.toString());
            }
        }
    }

    /** Reads what {@link NanosSerializer} writes, and the earlier forms: decimal seconds and ISO-8601 text. */
    private static final class NanosDeserializer extends StdDeserializer<Instant> {

        NanosDeserializer() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (parser.currentToken() == JsonToken.VALUE_NUMBER_INT) {
                long nanos = parser.getLongValue();
                return Instant.ofEpochSecond(Math.floorDiv(nanos, NANOS), Math.floorMod(nanos, NANOS));
            }
            return InstantDeserializer.INSTANT.deserialize(parser, context);
        }
    }

    private static final long NANOS = 1_000_000_000L;
    private static final long MIN_SECONDS = Long.MIN_VALUE / NANOS + 1;
    private static final long MAX_SECONDS = Long.MAX_VALUE / NANOS - 1;

    static <T> Serde<T> of(Class<T> type) {
        Serializer<T> serializer = (topic, value) -> value == null ? null : Json.encode(value);
        Deserializer<T> deserializer = (topic, bytes) -> bytes == null ? null : Json.decode(bytes, type);
        return Serdes.serdeFrom(serializer, deserializer);
    }

}
