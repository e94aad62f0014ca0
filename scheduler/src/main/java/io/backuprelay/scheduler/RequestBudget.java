package io.backuprelay.scheduler;

import java.time.Duration;
import java.time.Instant;

/**
 * A token bucket: at most {@code perMinute} requests a minute, with at most one minute's worth at
 * once, so a crowd of accounts due at the same moment is spread out instead of flooding the workers.
 */
final class RequestBudget {

    private final double perMinute;
    private double tokens;
    private Instant refilledAt;

    RequestBudget(int perMinute, Instant now) {
        this.perMinute = perMinute;
        this.tokens = perMinute;
        this.refilledAt = now;
    }

    /** How many requests may go out now. */
    int available(Instant now) {
        if (now.isAfter(refilledAt)) {
            double minutes = Duration.between(refilledAt, now).toNanos() / 60e9;
            tokens = Math.min(perMinute, tokens + minutes * perMinute);
            refilledAt = now;
        }
        return (int) Math.floor(tokens);
    }

    void spend() {
        tokens -= 1;
    }
}
