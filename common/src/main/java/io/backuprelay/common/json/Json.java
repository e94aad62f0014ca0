package io.backuprelay.common.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.backuprelay.format.json.JsonMappers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The one JSON codec of the project: every event, settings record and status goes through it, with the
 * mapper the stored manifests use too ({@link JsonMappers#standard()}).
 * Readers ignore unknown fields, so a producer may add fields before its readers know them.
 */
public final class Json {

    private static final ObjectMapper MAPPER = JsonMappers.standard();
    /**
     * A writer per runtime class, with its serializer looked up once: the same output as
     * {@code MAPPER.writeValueAsBytes(value)}, which looks the serializer up on every call.
     */
    private static final ClassValue<ObjectWriter> WRITERS = new ClassValue<>() {
        @Override
        protected ObjectWriter computeValue(Class<?> type) {
            return MAPPER.writerFor(type);
        }
    };

    private Json() {
    }

    public static byte[] encode(Object value) {
        try {
            return value == null ? MAPPER.writeValueAsBytes(null) : WRITERS.get(value.getClass()).writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Cannot encode " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    public static String encodeToString(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Cannot encode " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /**
     * @throws MalformedJsonException when the bytes are not JSON of that type, naming what is wrong
     */
    public static <T> T decode(byte[] json, Class<T> type) {
        if (json == null) {
            throw new MalformedJsonException("Expected a " + type.getSimpleName() + " but the message has no value");
        }
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException | RuntimeException e) {
            throw new MalformedJsonException("Not a valid " + type.getSimpleName() + ": " + firstLine(e.getMessage()));
        }
    }

    public static <T> T decode(String json, Class<T> type) {
        return decode(json.getBytes(StandardCharsets.UTF_8), type);
    }

    /** The shared mapper, for adapters that must hand it to a library (e.g. a Kafka Streams serde). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
