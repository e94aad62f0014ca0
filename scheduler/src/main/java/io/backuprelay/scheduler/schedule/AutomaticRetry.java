package io.backuprelay.scheduler.schedule;

import io.backuprelay.common.event.Trigger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * When a failed automatic backup is tried again: 15 minutes after the first failure, then 1 hour,
 * 4 hours, and then daily until one succeeds. Only the scheduler decides this; the next try is
 * published on {@code BackupStatus.nextDueAt}, where the notifier and the console read it.
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
