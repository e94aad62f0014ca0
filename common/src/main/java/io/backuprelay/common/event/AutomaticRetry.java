package io.backuprelay.common.event;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * When a failed automatic backup is tried again: 15 minutes after the first failure, then 1 hour,
 * 4 hours, and then daily until one succeeds. The workers use it to say in {@code BackupFailed}
 * when the next try is; the scheduler uses the same rule to make that try.
 */
public final class AutomaticRetry {

    private static final List<Duration> DELAYS = List.of(Duration.ofMinutes(15), Duration.ofHours(1), Duration.ofHours(4));
    private static final Duration THEN = Duration.ofDays(1);

    private AutomaticRetry() {
    }

    /** The delay after the failure of attempt {@code attempt} (1 for the scheduled try itself). */
    public static Duration delayAfter(int attempt) {
        return attempt >= 1 && attempt <= DELAYS.size() ? DELAYS.get(attempt - 1) : THEN;
    }

    /** When the next try is after this failure; empty for a manual backup, which the person retries. */
    public static Optional<Instant> nextTry(Trigger trigger, int attempt, Instant failedAt) {
        return trigger == Trigger.MANUAL ? Optional.empty() : Optional.of(failedAt.plus(delayAfter(attempt)));
    }
}
