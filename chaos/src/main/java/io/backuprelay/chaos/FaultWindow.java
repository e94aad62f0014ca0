package io.backuprelay.chaos;

import java.time.Instant;

/**
 * When one injected fault was active: from its injection to when the harness undid it (a killed
 * process: until it was ready again; a killed dump session: one instant). The audit reads these
 * to pick backups taken while a fault was active.
 *
 * @param kind the fault and its target: {@code kill dump-worker-1}, {@code kill broker}, {@code freeze broker},
 *             {@code disk-full staging}, {@code smtp-down}, {@code partition upload-worker-2},
 *             {@code zombie upload-worker-1}, {@code session-kill br_1f2e3d4c5b6a}, {@code throttle storage 503}
 *             (or {@code 429})
 */
public record FaultWindow(String kind, Instant start, Instant end) {

    /** Whether {@code instant} falls inside this window, its ends included. */
    public boolean contains(Instant instant) {
        return !instant.isBefore(start) && !instant.isAfter(end);
    }

    /** Whether this window and [{@code from}, {@code to}] share an instant. */
    public boolean overlaps(Instant from, Instant to) {
        return !to.isBefore(start) && !from.isAfter(end);
    }
}
