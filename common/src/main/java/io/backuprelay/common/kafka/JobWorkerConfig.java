package io.backuprelay.common.kafka;

import java.time.Duration;
import java.util.Objects;

/**
 * @param name              the worker's client id and the prefix of its thread names
 * @param groupId           the consumer group: every instance of one step shares it
 * @param inputTopic        where jobs come from
 * @param deadLetterTopic   where inputs that cannot be processed go
 * @param maxConcurrentJobs how many partitions may have a job running at once in this instance
 * @param shutdownGrace     how long running jobs may go on after a stop is asked for
 * @param retry             how unexpected errors are retried before dead-lettering
 */
public record JobWorkerConfig(
        String name,
        String groupId,
        String inputTopic,
        String deadLetterTopic,
        int maxConcurrentJobs,
        Duration shutdownGrace,
        RetryPolicy retry) {

    public JobWorkerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(inputTopic, "inputTopic");
        Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
        if (maxConcurrentJobs < 1) {
            throw new IllegalArgumentException("maxConcurrentJobs must be at least 1, is " + maxConcurrentJobs);
        }
        shutdownGrace = shutdownGrace == null ? Duration.ofSeconds(30) : shutdownGrace;
        retry = retry == null ? RetryPolicy.defaults() : retry;
    }
}
