package io.backuprelay.console.api;

import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.BackupStatus.InFlight;
import io.backuprelay.common.event.Trigger;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Manual backups this console requested that {@code backup.status} does not show yet, so a second
 * press of the button in that moment is a 409 as well.
 */
public final class PendingBackups {

    private static final Duration FORGET_AFTER = Duration.ofMinutes(5);

    private final Map<String, Pending> byAccount = new ConcurrentHashMap<>();

    public record Pending(String backupId, Instant requestedAt) {
    }

    public void add(String accountId, String backupId, Instant now) {
        byAccount.put(accountId, new Pending(backupId, now));
    }

    /** The pending backup of the account, unless the status already shows it running or ended. */
    public Optional<String> of(String accountId, BackupStatus status) {
        return unseen(accountId, status).map(Pending::backupId);
    }

    /**
     * The status as the page shows it: the published one, or, while a backup this console requested
     * is not in it yet, the same status running that backup.
     */
    public BackupStatus onto(String accountId, BackupStatus published) {
        if (published.inFlight() != null) {
            return published;
        }
        return unseen(accountId, published)
                .map(p -> published.withRequested(new InFlight(p.backupId(), Trigger.MANUAL, p.requestedAt(), 1)))
                .orElse(published);
    }

    private Optional<Pending> unseen(String accountId, BackupStatus status) {
        Pending pending = byAccount.get(accountId);
        if (pending == null) {
            return Optional.empty();
        }
        boolean seen = status.inFlight() != null && status.inFlight().backupId().equals(pending.backupId())
                || status.recent().stream().anyMatch(o -> o.backupId().equals(pending.backupId()));
        if (seen || pending.requestedAt().plus(FORGET_AFTER).isBefore(Instant.now())) {
            byAccount.remove(accountId, pending);
            return Optional.empty();
        }
        return Optional.of(pending);
    }

    public Optional<Pending> get(String accountId) {
        return Optional.ofNullable(byAccount.get(accountId));
    }
}
