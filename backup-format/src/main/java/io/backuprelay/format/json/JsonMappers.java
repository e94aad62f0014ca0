package io.backuprelay.format.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The project's one JSON mapper, on the ground floor so that the stored manifests and the events (through
 * {@code common}'s {@code Json}) are written alike: ISO-8601 times kept in their own offset, absent fields left out,
 * unknown fields ignored, so a producer may add fields before its readers know them.
 */
public final class JsonMappers {

    private static final ObjectMapper STANDARD = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private JsonMappers() {
    }

    /** The shared mapper; thread-safe, never reconfigured. */
    public static ObjectMapper standard() {
        return STANDARD;
    }
}
