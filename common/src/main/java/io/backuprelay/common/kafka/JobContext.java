package io.backuprelay.common.kafka;

/** Where a job's input came from, for logs and reasons. */
public record JobContext(String topic, int partition, long offset, String key, int attempt) {
}
