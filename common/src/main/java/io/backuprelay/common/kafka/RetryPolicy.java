package io.backuprelay.common.kafka;

import java.time.Duration;

/**
 * How often, and how far apart, a job that threw an unexpected (transient) error is tried again
 * before its input is dead-lettered. Delays grow exponentially up to {@code maxBackoff}.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, is " + maxAttempts);
        }
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofMinutes(1));
    }

    /** The wait before attempt {@code nextAttempt} (2 or more). */
    public Duration delayBefore(int nextAttempt) {
        long factor = 1L << Math.min(nextAttempt - 2, 20);
        Duration delay = initialBackoff.multipliedBy(factor);
        return delay.compareTo(maxBackoff) > 0 ? maxBackoff : delay;
    }
}
