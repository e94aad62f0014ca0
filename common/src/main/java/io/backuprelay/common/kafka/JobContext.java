package io.backuprelay.common.kafka;

/**
 * Where a job's input came from, for logs and reasons.
 *
 * @param lastAttempt whether a failure now sends the input to the dead-letter topic
 */
public record JobContext(String topic, int partition, long offset, String key, int attempt, boolean lastAttempt) {

    public JobContext(String topic, int partition, long offset, String key, int attempt) {
        this(topic, partition, offset, key, attempt, false);
    }
}
