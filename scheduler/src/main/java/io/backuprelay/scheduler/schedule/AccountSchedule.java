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
        Instant lastOverdueAlertAt) {

    public AccountSchedule {
        Objects.requireNonNull(accountId, "accountId");
        connections = connections == null ? Map.of() : Map.copyOf(connections);
        recent = recent == null ? List.of() : List.copyOf(recent);
    }

    public static AccountSchedule empty(String accountId) {
        return new AccountSchedule(accountId, null, Map.of(), null, null, null, null, List.of(), 0, null, null, null);
    }

    AccountSchedule withSettings(BackupSettings newSettings) {
        return new AccountSchedule(accountId, newSettings, connections, lastSuccessAt, lastSuccessBackupId, lastOutcome,
                inFlight, recent, consecutiveFailures, retryAt, wakeAt, lastOverdueAlertAt);
    }

    AccountSchedule withConnections(Map<String, Boolean> newConnections) {
        return new AccountSchedule(accountId, settings, newConnections, lastSuccessAt, lastSuccessBackupId, lastOutcome,
                inFlight, recent, consecutiveFailures, retryAt, wakeAt, lastOverdueAlertAt);
    }

    AccountSchedule withInFlight(InFlight newInFlight) {
        return new AccountSchedule(accountId, settings, connections, lastSuccessAt, lastSuccessBackupId, lastOutcome,
                newInFlight, recent, consecutiveFailures, retryAt, wakeAt, lastOverdueAlertAt);
    }

    AccountSchedule withWakeAt(Instant newWakeAt) {
        return new AccountSchedule(accountId, settings, connections, lastSuccessAt, lastSuccessBackupId, lastOutcome,
                inFlight, recent, consecutiveFailures, retryAt, newWakeAt, lastOverdueAlertAt);
    }

    AccountSchedule withOverdueAlertAt(Instant alertedAt) {
        return new AccountSchedule(accountId, settings, connections, lastSuccessAt, lastSuccessBackupId, lastOutcome,
                inFlight, recent, consecutiveFailures, retryAt, wakeAt, alertedAt);
    }
}
