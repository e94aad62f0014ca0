package io.backuprelay.scheduler.schedule;

import io.backuprelay.common.account.BackupWindow;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.Trigger;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The backup-window part of {@link ScheduleRules}: where the slots of an account with a window fall.
 *
 * <p>The slots form a fixed grid: the window in which the anchor (the success the schedule counts from) ran,
 * then the window start every interval after it, counted in calendar days in the window's zone, so a run that
 * started at 01:20 in a 01:00 window leads to 01:00 exactly one interval later, never drifting. A slot is served
 * by any success that ended after it: a manual backup does not move the grid, but it does serve a slot that was
 * missed or failed before it, so the next automatic backup is the next slot of the grid.
 */
final class WindowRule {

    private WindowRule() {
    }

    /** The account's window, if its settings set one. */
    static Optional<WindowClock> of(AccountSchedule schedule) {
        BackupWindow window = schedule.settings() == null ? null : schedule.settings().window();
        return Optional.ofNullable(window).map(WindowClock::new);
    }

    /**
     * The next slot of the grid not yet served by a success.
     *
     * @param calendarDays whether intervals count calendar days in the zone; with the chaos harness's shortened
     *                     days they are plain durations, and each slot is the first window start after one
     */
    static Instant dueSlot(WindowClock window, AccountSchedule schedule, Duration interval, boolean calendarDays) {
        Instant anchor = anchor(schedule);
        Instant lastSuccess = schedule.lastSuccessAt();
        Instant opening = window.openingOf(anchor);
        long elapsed = Math.max(0, Duration.between(opening, lastSuccess).toMillis());
        long k = Math.max(1, elapsed / interval.toMillis()); // no slot before this one can be after the last success
        Instant slot = slot(window, opening, interval, calendarDays, k);
        while (!slot.isAfter(lastSuccess)) {
            slot = slot(window, opening, interval, calendarDays, ++k);
        }
        return slot;
    }

    private static Instant slot(WindowClock window, Instant opening, Duration interval, boolean calendarDays, long k) {
        return calendarDays
                ? window.startDaysAfter(opening, k * interval.toDays())
                : window.nextStartAtOrAfter(opening.plus(interval.multipliedBy(k)));
    }

    /** A retry stands if the window is open then; otherwise it waits for the next window start. */
    static Instant retryAt(WindowClock window, Instant retryAt) {
        return window.isOpen(retryAt) ? retryAt : window.nextStartAtOrAfter(retryAt);
    }

    /** The success the schedule counts from: the last automatic one, or the first one before any. */
    static Instant anchor(AccountSchedule schedule) {
        return schedule.anchorAt() != null ? schedule.anchorAt() : schedule.lastSuccessAt();
    }

    /** The anchor once this backup has succeeded. */
    static Instant anchorAfter(AccountSchedule schedule, BackupCompleted completed) {
        Instant anchor = anchor(schedule);
        boolean automatic = completed.trigger() != Trigger.MANUAL;
        return anchor == null || automatic && completed.startedAt().isAfter(anchor) ? completed.startedAt() : anchor;
    }
}
