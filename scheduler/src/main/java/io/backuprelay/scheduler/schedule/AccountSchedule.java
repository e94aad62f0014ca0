package io.backuprelay.scheduler.schedule;

import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupStatus.InFlight;
import io.backuprelay.common.account.BackupStatus.OutcomeSummary;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the scheduler keeps of one account, in its state store.
 *
 * @param settings            what the super-administrator chose; {@code null} before they chose anything
 * @param connections         the account's connections and whether each is enabled for automatic backup
 * @param consecutiveFailures automatic attempts that failed since the last success
 * @param retryAt             when the next automatic retry is due, while {@code consecutiveFailures > 0}
 * @param wakeAt              when the scheduler must look at this account again (indexed by time)
 * @param lastOverdueAlertAt  when the scheduler last said this account's backups are overdue
 * @param anchorAt            when the success the schedule counts from started: the last automatic one, or the
 *                            first one before any (added with backup windows; absent: {@code lastSuccessAt})
 * @param heldBackAt          when the rate limit first held back the account's due backup while its window was
 *                            open; cleared once it is requested
 * @param windowWaitUntil     the window start a due backup waits for after its window closed; cleared once requested
 */
public record AccountSchedule(
        String accountId,
        BackupSettings settings,
        Map<String, Boolean> connections,
        Instant lastSuccessAt,
        String lastSuccessBackupId,
        OutcomeSummary lastOutcome,
        InFlight inFlight,
        List<OutcomeSummary> recent,
        int consecutiveFailures,
        Instant retryAt,
        Instant wakeAt,
        Instant lastOverdueAlertAt,
        Instant anchorAt,
        Instant heldBackAt,
        Instant windowWaitUntil) {

    public AccountSchedule {
        Objects.requireNonNull(accountId, "accountId");
        connections = connections == null ? Map.of() : Map.copyOf(connections);
        recent = recent == null ? List.of() : List.copyOf(recent);
    }

    public static AccountSchedule empty(String accountId) {
        return new AccountSchedule(accountId, null, Map.of(), null, null, null, null, List.of(), 0, null, null, null, null,
                null, null);
    }

    AccountSchedule withSettings(BackupSettings newSettings) {
        return new AccountSchedule(accountId, newSettings, connections, lastSuccessAt, lastSuccessBackupId, lastOutcome,
                inFlight, recent, consecutiveFailures, retryAt, wakeAt, lastOverdueAlertAt, anchorAt,
                heldBackAt, windowWaitUntil);
    }

    AccountSchedule withConnections(Map<String, Boolean> newConnections) {
        return new AccountSchedule(accountId, settings, newConnections, lastSuccessAt, lastSuccessBackupId, lastOutcome,
                inFlight, recent, consecutiveFailures, retryAt, wakeAt, lastOverdueAlertAt, anchorAt,
                heldBackAt, windowWaitUntil);
    }

    AccountSchedule withInFlight(InFlight newInFlight) {
        return new AccountSchedule(accountId, settings, connections, lastSuccessAt, lastSuccessBackupId, lastOutcome,
                newInFlight, recent, consecutiveFailures, retryAt, wakeAt, lastOverdueAlertAt, anchorAt,
                heldBackAt, windowWaitUntil);
    }

    AccountSchedule withWakeAt(Instant newWakeAt) {
        return new AccountSchedule(accountId, settings, connections, lastSuccessAt, lastSuccessBackupId, lastOutcome,
                inFlight, recent, consecutiveFailures, retryAt, newWakeAt, lastOverdueAlertAt, anchorAt,
                heldBackAt, windowWaitUntil);
    }

    AccountSchedule withOverdueAlertAt(Instant alertedAt) {
        return new AccountSchedule(accountId, settings, connections, lastSuccessAt, lastSuccessBackupId, lastOutcome,
                inFlight, recent, consecutiveFailures, retryAt, wakeAt, alertedAt, anchorAt, heldBackAt,
                windowWaitUntil);
    }

    /** This state with the window bookkeeping replaced: who was held back, and until which window start it waits. */
    AccountSchedule withWindowWait(Instant newHeldBackAt, Instant newWindowWaitUntil) {
        return new AccountSchedule(accountId, settings, connections, lastSuccessAt, lastSuccessBackupId, lastOutcome,
                inFlight, recent, consecutiveFailures, retryAt, wakeAt, lastOverdueAlertAt, anchorAt, newHeldBackAt,
                newWindowWaitUntil);
    }
}
