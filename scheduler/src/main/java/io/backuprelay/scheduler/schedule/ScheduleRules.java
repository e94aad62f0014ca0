package io.backuprelay.scheduler.schedule;

import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.BackupWindow;
import io.backuprelay.common.account.BackupStatus.InFlight;
import io.backuprelay.common.account.BackupStatus.OutcomeSummary;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.account.ScheduleState;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.CopyFailed;
import io.backuprelay.common.event.CopyOutcome;
import io.backuprelay.common.event.CopyStored;
import io.backuprelay.common.event.DrillOutcome;
import io.backuprelay.common.event.RestoreVerified;
import io.backuprelay.common.event.BackupOverdue;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.BackupStarted;
import io.backuprelay.common.event.DumpReady;
import io.backuprelay.common.event.DumpStarted;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.event.Trigger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The scheduling rules of the product, as plain functions of an account's state and the time:
 * <ul>
 *   <li>next due = last successful backup + interval; nothing is due before the first successful
 *       (manual) backup, with type Manual, without a destination, or when the destination
 *       connection is disabled or gone;</li>
 *   <li>nothing is requested while a backup runs; one with no outcome after {@code inFlightTimeout}
 *       is declared failed (stage TIMEOUT);</li>
 *   <li>a failed automatic backup is retried per {@link AutomaticRetry}
 *       until one succeeds;</li>
 *   <li>a scheduled backupId derives from the account, the due slot and the attempt;</li>
 *   <li>with a backup window ({@link WindowRule}): the slots are window starts on a fixed grid counted from the
 *       last automatic success (or the first success before any), one interval apart in calendar days in the
 *       window's zone, so a manual backup does not move them; a retry that would fall outside the window waits
 *       for the next window start; no automatic request goes out while the window is closed, and a due backup
 *       the rate limit held back until its window closed waits for the next window, first in line (its due
 *       time is kept), with the status {@code WINDOW_TOO_SHORT}. Without a window all of this is as before.</li>
 * </ul>
 * Every function returns the new state with its wake-up time recomputed.
 */
public final class ScheduleRules {

    private static final Duration DAY = Duration.ofDays(1);

    private final Duration inFlightTimeout;
    private final Duration dayLength;

    public ScheduleRules(Duration inFlightTimeout) {
        this(inFlightTimeout, DAY);
    }

    /** @param dayLength how long a day of the backup types' intervals lasts; shorter only in the chaos harness */
    public ScheduleRules(Duration inFlightTimeout, Duration dayLength) {
        this.inFlightTimeout = inFlightTimeout;
        this.dayLength = dayLength;
    }

    private Duration interval(AccountSchedule schedule) {
        Duration interval = schedule.settings().backupType().interval().orElseThrow();
        return dayLength.equals(DAY) ? interval : dayLength.multipliedBy(interval.toDays());
    }

    public AccountSchedule onSettings(AccountSchedule schedule, BackupSettings settings) {
        AccountSchedule changed = schedule.withSettings(settings);
        if (!Objects.equals(window(schedule), window(changed))) {
            changed = changed.withWindowWait(null, null); // a wait for the old window means nothing for the new one
        }
        return rewake(changed);
    }

    private static BackupWindow window(AccountSchedule schedule) {
        return schedule.settings() == null ? null : schedule.settings().window();
    }

    /**
     * Whether an automatic backup (or retry) is to be requested at {@code now}: due, nothing running, and the
     * account's backup window, if it has one, open.
     */
    public boolean requestDue(AccountSchedule schedule, Instant now) {
        return schedule.inFlight() == null && dueAt(schedule).filter(d -> !now.isBefore(d)).isPresent()
                && WindowRule.of(schedule).map(w -> w.isOpen(now)).orElse(true);
    }

    /**
     * The rate limit holds back this account's due backup at {@code now}: remembered (once) so that, should its
     * window close before it is requested, the status says the window was too short.
     */
    public AccountSchedule heldBack(AccountSchedule schedule, Instant now) {
        if (schedule.heldBackAt() != null || WindowRule.of(schedule).isEmpty()) {
            return schedule;
        }
        return schedule.withWindowWait(now, schedule.windowWaitUntil());
    }

    /** @param enabled whether the connection is enabled for automatic backup; {@code null} when it was deleted */
    public AccountSchedule onConnection(AccountSchedule schedule, String connectionId, Boolean enabled) {
        Map<String, Boolean> connections = new HashMap<>(schedule.connections());
        if (enabled == null) {
            connections.remove(connectionId);
        } else {
            connections.put(connectionId, enabled);
        }
        return rewake(schedule.withConnections(connections));
    }

    public AccountSchedule onEvent(AccountSchedule schedule, BackupEvent event) {
        return rewake(switch (event) {
            case BackupRequested requested -> requested(schedule, requested);
            case BackupStarted started -> started(schedule, started);
            case DumpReady ignored -> schedule;
            case DumpStarted ignored -> schedule;
            case BackupOverdue ignored -> schedule;
            case BackupCompleted completed -> completed(schedule, completed);
            case BackupFailed failed -> failed(schedule, failed);
            case DrillOutcome drill -> drilled(schedule, drill);
            case CopyOutcome copy -> copied(schedule, copy);
        });
    }

    /** What to do at {@code now} for an account whose wake-up time has come. */
    public Wake onWake(AccountSchedule schedule, Instant now) {
        InFlight inFlight = schedule.inFlight();
        if (inFlight != null) {
            // A backup still waiting for a worker is never timed out: it would be requested twice.
            if (inFlight.startedAt() == null || now.isBefore(inFlight.startedAt().plus(inFlightTimeout))) {
                return new Wake.Nothing(rewake(schedule));
            }
            BackupFailed timedOut = BackupFailed.timedOut(inFlight.backupId(), schedule.accountId(), inFlight.trigger(),
                    inFlight.attempt(), inFlight.requestedAt(),
                    "The backup had no outcome " + hours(inFlightTimeout) + " after a worker started it, so it was"
                            + " declared failed.", now)
                    .withNextTry(AutomaticRetry.nextTry(inFlight.trigger(), inFlight.attempt(), now)
                            .map(retry -> inWindow(schedule, retry)).orElse(null));
            return new Wake.TimedOut(timedOut, onEvent(schedule, timedOut));
        }
        Optional<Instant> due = dueAt(schedule);
        if (due.isEmpty() || now.isBefore(due.get())) {
            return new Wake.Nothing(rewake(schedule));
        }
        Optional<WindowClock> window = WindowRule.of(schedule);
        if (window.isPresent() && !window.get().isOpen(now)) {
            // The window closed before it could start: it waits for the next one, its due time kept so it goes first.
            return new Wake.Nothing(rewake(schedule.withWindowWait(schedule.heldBackAt(),
                    window.get().nextStartAtOrAfter(now))));
        }
        int attempt = schedule.consecutiveFailures() + 1;
        BackupRequested request = BackupRequested.scheduled(schedule.accountId(), schedule.settings().destinationConnectionId(),
                dueSlot(schedule), attempt, now);
        return new Wake.Request(request, onEvent(schedule.withWindowWait(null, null), request));
    }

    /** When the next automatic backup (or retry) is due, if automatic backups are on. */
    public Optional<Instant> dueAt(AccountSchedule schedule) {
        if (pausedReason(schedule).isPresent() || schedule.lastSuccessAt() == null) {
            return Optional.empty();
        }
        if (schedule.consecutiveFailures() > 0 && schedule.retryAt() != null) {
            return Optional.of(inWindow(schedule, schedule.retryAt()));
        }
        return Optional.of(dueSlot(schedule));
    }

    /** A retry at {@code retry}, or at the next window start when the account's window is closed then. */
    private static Instant inWindow(AccountSchedule schedule, Instant retry) {
        return WindowRule.of(schedule).map(w -> WindowRule.retryAt(w, retry)).orElse(retry);
    }

    /**
     * When the next automatic backup will be requested: when it is due, or, when its window closed before it
     * could start, the window start it waits for.
     */
    public Optional<Instant> nextRunAt(AccountSchedule schedule) {
        Instant waitUntil = schedule.windowWaitUntil();
        return dueAt(schedule).map(due -> waitUntil != null && waitUntil.isAfter(due) ? waitUntil : due);
    }

    /** What the backup page and the API show. */
    public BackupStatus status(AccountSchedule schedule) {
        BackupType type = schedule.settings() == null ? BackupType.MANUAL : schedule.settings().backupType();
        Optional<String> paused = pausedReason(schedule);
        ScheduleState state = ScheduleState.of(schedule.inFlight() != null, paused.isEmpty(),
                schedule.lastSuccessAt() != null);
        if (state == ScheduleState.SCHEDULED && schedule.heldBackAt() != null && schedule.windowWaitUntil() != null
                && WindowRule.of(schedule).isPresent()) {
            state = ScheduleState.WINDOW_TOO_SHORT;
        }
        return new BackupStatus(schedule.accountId(), schedule.lastSuccessAt(), schedule.lastSuccessBackupId(),
                schedule.lastOutcome(), schedule.inFlight(), schedule.recent(), type, state,
                nextRunAt(schedule).orElse(null), schedule.consecutiveFailures(),
                type == BackupType.MANUAL ? null : paused.orElse(null));
    }

    /** Why automatic backups are off for this account, if they are. */
    Optional<String> pausedReason(AccountSchedule schedule) {
        BackupSettings settings = schedule.settings();
        if (settings == null || settings.backupType() == BackupType.MANUAL) {
            return Optional.of("The backup type is Manual.");
        }
        String destination = settings.destinationConnectionId();
        if (destination == null || destination.isBlank()) {
            return Optional.of("No destination repository is chosen.");
        }
        Boolean enabled = schedule.connections().get(destination);
        if (enabled == null) {
            return Optional.of("The destination connection '" + destination + "' no longer exists.");
        }
        if (!enabled) {
            return Optional.of("The destination connection '" + destination + "' is not enabled for automatic backup.");
        }
        return Optional.empty();
    }

    private Instant dueSlot(AccountSchedule schedule) {
        Optional<WindowClock> window = WindowRule.of(schedule);
        if (window.isPresent()) {
            return WindowRule.dueSlot(window.get(), schedule, interval(schedule), dayLength.equals(DAY));
        }
        return schedule.lastSuccessAt().plus(interval(schedule));
    }

    private AccountSchedule rewake(AccountSchedule schedule) {
        InFlight inFlight = schedule.inFlight();
        Instant wake = inFlight != null
                ? (inFlight.startedAt() == null ? null : inFlight.startedAt().plus(inFlightTimeout))
                : nextRunAt(schedule).orElse(null);
        Optional<Instant> alert = nextOverdueAlert(schedule);
        if (alert.isPresent() && (wake == null || alert.get().isBefore(wake))) {
            wake = alert.get();
        }
        return schedule.withWakeAt(wake);
    }

    /**
     * When the account's backups become overdue — no success for 1.5 times the interval — or, once
     * told, a day after the last alert; empty when automatic backups are off or there was never a success.
     */
    Optional<Instant> nextOverdueAlert(AccountSchedule schedule) {
        if (pausedReason(schedule).isPresent() || schedule.lastSuccessAt() == null) {
            return Optional.empty();
        }
        Duration interval = interval(schedule);
        // 1.5 times the interval in whole nanoseconds (Duration.dividedBy goes through BigDecimal; this runs per tick)
        Instant overdue = schedule.lastSuccessAt().plusNanos(Math.multiplyExact(interval.toNanos(), 3) / 2);
        Instant last = schedule.lastOverdueAlertAt();
        if (last == null || last.isBefore(overdue)) {
            return Optional.of(overdue);
        }
        return Optional.of(last.plus(Duration.ofDays(1)));
    }

    /** The alert to send at {@code now}, if the account's backups are overdue and it was not told today. */
    public Optional<Overdue> overdue(AccountSchedule schedule, Instant now) {
        Optional<Instant> alertAt = nextOverdueAlert(schedule);
        if (alertAt.isEmpty() || now.isBefore(alertAt.get())) {
            return Optional.empty();
        }
        BackupOverdue alert = BackupOverdue.of(schedule.accountId(), schedule.lastSuccessBackupId(),
                schedule.settings().backupType(), schedule.lastSuccessAt(), schedule.consecutiveFailures(), now);
        return Optional.of(new Overdue(alert, rewake(schedule.withOverdueAlertAt(now))));
    }

    /** An overdue alert to publish, and the account's state once it is. */
    public record Overdue(BackupOverdue alert, AccountSchedule next) {
    }

    private static AccountSchedule requested(AccountSchedule schedule, BackupRequested requested) {
        if (ended(schedule, requested.backupId()).isPresent()) {
            return schedule; // a redelivered request of a backup that has already ended
        }
        return schedule.withInFlight(new InFlight(requested.backupId(), requested.trigger(), requested.occurredAt(),
                requested.attempt()));
    }

    /** The in-flight timeout counts from here; a redelivered request started again restarts it. */
    private static AccountSchedule started(AccountSchedule schedule, BackupStarted started) {
        InFlight inFlight = schedule.inFlight();
        if (inFlight == null || !inFlight.backupId().equals(started.backupId())) {
            return schedule;
        }
        return schedule.withInFlight(inFlight.started(started.occurredAt()));
    }

    private static AccountSchedule completed(AccountSchedule schedule, BackupCompleted completed) {
        Optional<OutcomeSummary> earlier = ended(schedule, completed.backupId());
        if (earlier.isPresent() && (earlier.get().succeeded() || earlier.get().failedStage() != FailureStage.TIMEOUT)) {
            return schedule; // the same outcome twice changes nothing
        }
        // A backup declared timed out may still succeed: its success then replaces the timeout.
        OutcomeSummary summary = OutcomeSummary.success(completed.backupId(), completed.trigger(), completed.endedAt(),
                completed.sizeBytes(), completed.destination().blobName(), completed.connectionId())
                .withImmutableUntil(completed.immutableUntil());
        boolean newer = schedule.lastSuccessAt() == null || completed.endedAt().isAfter(schedule.lastSuccessAt());
        return new AccountSchedule(schedule.accountId(), schedule.settings(), schedule.connections(),
                newer ? completed.endedAt() : schedule.lastSuccessAt(),
                newer ? completed.backupId() : schedule.lastSuccessBackupId(),
                summary, endInFlight(schedule, completed.backupId()), record(schedule, summary),
                newer ? 0 : schedule.consecutiveFailures(), newer ? null : schedule.retryAt(), schedule.wakeAt(),
                newer ? null : schedule.lastOverdueAlertAt(), WindowRule.anchorAfter(schedule, completed),
                // a newer success serves the slot that waited for a window: nothing waits any more
                newer ? null : schedule.heldBackAt(), newer ? null : schedule.windowWaitUntil());
    }

    private static AccountSchedule failed(AccountSchedule schedule, BackupFailed failed) {
        if (ended(schedule, failed.backupId()).isPresent()) {
            return schedule;
        }
        OutcomeSummary summary = OutcomeSummary.failure(failed.backupId(), failed.trigger(), failed.occurredAt(),
                failed.stage(), failed.reason());
        // The scheduler alone decides when a failed automatic backup is tried again, whatever the event says.
        boolean automatic = failed.trigger() != Trigger.MANUAL;
        Instant retryAt = AutomaticRetry.nextTry(failed.trigger(), failed.attempt(), failed.occurredAt()).orElse(null);
        return new AccountSchedule(schedule.accountId(), schedule.settings(), schedule.connections(),
                schedule.lastSuccessAt(), schedule.lastSuccessBackupId(), summary,
                endInFlight(schedule, failed.backupId()), record(schedule, summary),
                automatic ? schedule.consecutiveFailures() + 1 : schedule.consecutiveFailures(),
                automatic ? retryAt : schedule.retryAt(), schedule.wakeAt(), schedule.lastOverdueAlertAt(),
                schedule.anchorAt(), schedule.heldBackAt(), schedule.windowWaitUntil());
    }

    /** The drill's finding goes beside the backup it checked, while that backup is among the recent ones. */
    private static AccountSchedule drilled(AccountSchedule schedule, DrillOutcome drill) {
        BackupStatus.RestoreCheck check = new BackupStatus.RestoreCheck(drill instanceof RestoreVerified, drill.kind(),
                drill.occurredAt(), drill.detail());
        return withSummary(schedule, drill.backupId(), o -> o.withRestoreCheck(check));
    }

    /** Where a copy stands goes beside the backup it copies, while that backup is among the recent ones. */
    private static AccountSchedule copied(AccountSchedule schedule, CopyOutcome copy) {
        BackupStatus.CopyState state = switch (copy) {
            case CopyStored stored -> new BackupStatus.CopyState(stored.connectionId(), BackupStatus.CopyState.State.STORED,
                    stored.occurredAt(), stored.attempt(), null, null, stored.location().blobName(),
                    stored.immutableUntil());
            case CopyFailed failed -> new BackupStatus.CopyState(failed.connectionId(), failed.willRetry()
                    ? BackupStatus.CopyState.State.RETRYING : BackupStatus.CopyState.State.FAILED, failed.occurredAt(),
                    failed.attempt(), failed.reason(), failed.nextAttemptAt(), null, null);
        };
        return withSummary(schedule, copy.backupId(), o -> o.copy(state.connectionId())
                // a late retry's news never hides a copy already stored
                .filter(known -> known.state() == BackupStatus.CopyState.State.STORED
                        && state.state() != BackupStatus.CopyState.State.STORED)
                .map(known -> o).orElseGet(() -> o.withCopy(state)));
    }

    private static AccountSchedule withSummary(AccountSchedule schedule, String backupId,
                                               UnaryOperator<OutcomeSummary> change) {
        if (ended(schedule, backupId).isEmpty()) {
            return schedule;
        }
        List<OutcomeSummary> recent = schedule.recent().stream()
                .map(o -> o.backupId().equals(backupId) ? change.apply(o) : o).toList();
        OutcomeSummary last = schedule.lastOutcome() != null && schedule.lastOutcome().backupId().equals(backupId)
                ? change.apply(schedule.lastOutcome()) : schedule.lastOutcome();
        return new AccountSchedule(schedule.accountId(), schedule.settings(), schedule.connections(),
                schedule.lastSuccessAt(), schedule.lastSuccessBackupId(), last, schedule.inFlight(), recent,
                schedule.consecutiveFailures(), schedule.retryAt(), schedule.wakeAt(), schedule.lastOverdueAlertAt(),
                schedule.anchorAt(), schedule.heldBackAt(), schedule.windowWaitUntil());
    }

    private static Optional<OutcomeSummary> ended(AccountSchedule schedule, String backupId) {
        for (OutcomeSummary outcome : schedule.recent()) { // a loop, not a stream: every tick's request passes here
            if (outcome.backupId().equals(backupId)) {
                return Optional.of(outcome);
            }
        }
        return Optional.empty();
    }

    private static InFlight endInFlight(AccountSchedule schedule, String backupId) {
        InFlight inFlight = schedule.inFlight();
        return inFlight != null && inFlight.backupId().equals(backupId) ? null : inFlight;
    }

    private static List<OutcomeSummary> record(AccountSchedule schedule, OutcomeSummary summary) {
        List<OutcomeSummary> recent = new ArrayList<>(schedule.recent().size() + 1);
        recent.add(summary);
        schedule.recent().stream().filter(o -> !o.backupId().equals(summary.backupId())).forEach(recent::add);
        return recent.size() > BackupStatus.RECENT_LIMIT ? recent.subList(0, BackupStatus.RECENT_LIMIT) : recent;
    }

    private static String hours(Duration duration) {
        return duration.toMinutes() % 60 == 0 ? duration.toHours() + " h" : duration.toMinutes() + " min";
    }
}
