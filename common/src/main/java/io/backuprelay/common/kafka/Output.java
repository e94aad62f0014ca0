package io.backuprelay.common.kafka;

import io.backuprelay.common.json.Json;
import java.util.Objects;

/** One record a job produces, committed in the same transaction as the job's input offset. */
public record Output(String topic, String key, byte[] value) {

    public Output {
        Objects.requireNonNull(topic, "topic");
    }

    /** A record whose value is encoded with the project's JSON codec. */
    public static Output json(String topic, String key, Object value) {
        return new Output(topic, key, Json.encode(value));
    }

    /** A tombstone: deletes the key from a compacted topic. */
    public static Output tombstone(String topic, String key) {
        return new Output(topic, key, null);
    }
}
