package io.backuprelay.upload;

import io.backuprelay.common.kafka.RetryingHandler.Sleeper;
import java.time.Duration;

/**
 * How transient storage faults are tried again from the staged archive: delays doubling from
 * {@code initialDelay} up to a minute, for {@code budget} in all ({@code UPLOAD_RETRY_BUDGET},
 * default 30 minutes), before the backup is given up.
 */
public record StorageRetry(Duration budget, Duration initialDelay, Sleeper sleeper) {

    private static final Duration MAX_DELAY = Duration.ofMinutes(1);

    public static StorageRetry defaults() {
        return new StorageRetry(Duration.ofMinutes(30), Duration.ofSeconds(5), Sleeper.REAL);
    }

    /** The wait after the {@code tries}-th failed try. */
    public Duration delayAfter(int tries) {
        Duration delay = initialDelay.multipliedBy(1L << Math.min(tries - 1, 10));
        return delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay;
    }
}
