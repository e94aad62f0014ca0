package io.backuprelay.verify;

import io.backuprelay.common.ops.OpsStage;
import io.backuprelay.common.ops.OpsStatus;

import io.backuprelay.blob.BlobAccess;
import io.backuprelay.blob.BlobCredential;
import io.backuprelay.blob.BlobStore;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.RestoreDrill;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.DrillOutcome;
import io.backuprelay.common.event.RestoreFailed;
import io.backuprelay.common.event.RestoreVerified;
import io.backuprelay.common.kafka.JobContext;
import io.backuprelay.common.kafka.JobHandler;
import io.backuprelay.common.kafka.JobResult;
import io.backuprelay.common.kafka.Output;
import io.backuprelay.common.ops.OpsPublisher;
import io.backuprelay.common.ops.ServiceOps;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code BackupCompleted} → a restore drill, as the account's {@link RestoreDrill} policy asks →
 * {@code RestoreVerified} or {@code RestoreFailed} on {@code backup.outcomes}. Every other event is
 * acknowledged untouched.
 */
final class DrillHandler implements JobHandler<BackupEvent> {

    private static final Logger log = LoggerFactory.getLogger(DrillHandler.class);
    /** A drill proves a recent backup; one older than this (a replay of old outcomes) is left alone. */
    static final Duration RECENT = Duration.ofDays(7);

    /** What the handler reads of the compacted topics. */
    record Lookups(Function<String, Optional<BackupSettings>> settings,
                   Function<String, Optional<Connection>> connections,
                   Function<String, Optional<BackupStatus>> statuses) {
    }

    private final Topics topics;
    private final Lookups lookups;
    private final SecretSealer sealer;
    private final BlobAccess storage;
    private final Drill drill;
    private final ServiceOps ops;
    private final Clock clock;

    /** @param storage the stores it reads, under the verifier's endpoint policy */
    DrillHandler(Topics topics, Lookups lookups, SecretSealer sealer, BlobAccess storage, Drill drill, OpsPublisher ops,
                 Clock clock) {
        this.topics = topics;
        this.lookups = lookups;
        this.sealer = sealer;
        this.storage = storage;
        this.drill = drill;
        this.ops = new ServiceOps(ops, "verifier", clock);
        this.clock = clock;
    }

    @Override
    public JobResult handle(BackupEvent event, JobContext context) throws InterruptedException {
        if (!(event instanceof BackupCompleted completed) || !due(completed)) {
            return JobResult.of();
        }
        String connectionId = completed.connectionId() != null ? completed.connectionId()
                : lookups.settings().apply(completed.accountId()).map(BackupSettings::destinationConnectionId).orElse(null);
        Optional<Connection> connection = connectionId == null ? Optional.empty()
                : lookups.connections().apply(Connection.key(completed.accountId(), connectionId));
        if (connection.isEmpty()) {
            log.warn("No restore drill for backup {} of account {}: its connection '{}' is gone", completed.backupId(),
                    completed.accountId(), connectionId);
            ops.publish(completed.backupId(), completed.accountId(), OpsStage.DRILL, OpsStatus.SKIPPED,
                    "connection '" + connectionId + "' is gone");
            return JobResult.of();
        }
        Instant started = clock.instant();
        ops.publish(ops.event(completed.backupId(), completed.accountId(), OpsStage.DRILL, OpsStatus.STARTED)
                .withBytes(completed.sizeBytes()).withTime(started));
        BlobStore store = storage.store(connection.get(), BlobCredential.of(connection.get(), sealer));
        Drill.Finding finding = drill.run(store, completed);
        Instant ended = clock.instant();
        long millis = Duration.between(started, ended).toMillis();
        DrillOutcome outcome = finding.passed()
                ? RestoreVerified.of(completed.backupId(), completed.accountId(), finding.kind(), finding.detail(), ended, millis)
                : RestoreFailed.of(completed.backupId(), completed.accountId(), finding.kind(), finding.detail(),
                        finding.differences(), ended);
        if (finding.passed()) {
            log.info("Restore drill of backup {} of account {} passed in {} ms ({}): {}", completed.backupId(),
                    completed.accountId(), millis, finding.kind(), finding.detail());
        } else {
            log.warn("Restore drill of backup {} of account {} FAILED ({}): {} {}", completed.backupId(),
                    completed.accountId(), finding.kind(), finding.detail(), finding.differences());
        }
        ops.publish(ops.event(completed.backupId(), completed.accountId(), OpsStage.DRILL,
                finding.passed() ? OpsStatus.PASSED : OpsStatus.FAILED).withTime(ended)
                .withDetail(finding.kind() + ": " + finding.detail()));
        return JobResult.of(Output.json(topics.outcomes(), completed.accountId(), outcome));
    }

    /** The account's policy, and recent enough to be worth proving. */
    private boolean due(BackupCompleted completed) {
        if (completed.endedAt().isBefore(clock.instant().minus(RECENT))) {
            return false;
        }
        RestoreDrill policy = lookups.settings().apply(completed.accountId()).map(BackupSettings::restoreDrill)
                .orElse(RestoreDrill.WEEKLY);
        return switch (policy) {
            case OFF -> false;
            case EVERY_BACKUP -> true;
            case WEEKLY -> lookups.statuses().apply(completed.accountId())
                    .flatMap(BackupStatus::lastRestoreCheck)
                    .map(last -> !last.backupId().equals(completed.backupId())
                            && last.restoreCheck().checkedAt().isBefore(completed.endedAt().minus(RECENT)))
                    .orElse(true);
        };
    }
}
