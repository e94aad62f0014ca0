package io.backuprelay.copy;

import io.backuprelay.blob.BlobTransferException;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.CopyDestination;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.CopyFailed;
import io.backuprelay.common.event.CopyOutcome;
import io.backuprelay.common.event.CopyStored;
import io.backuprelay.common.kafka.EventPublisher;
import io.backuprelay.common.kafka.JobContext;
import io.backuprelay.common.kafka.JobHandler;
import io.backuprelay.common.kafka.JobResult;
import io.backuprelay.common.kafka.Output;
import io.backuprelay.common.kafka.RetryingHandler;
import io.backuprelay.common.ops.OpsStage;
import io.backuprelay.common.ops.OpsStatus;
import io.backuprelay.common.ops.ServiceOps;
import io.backuprelay.common.topic.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code BackupCompleted} → a copy at each of the account's copy destinations → {@code CopyStored} or, given up,
 * {@code CopyFailed} on {@code backup.outcomes}. A copy that fails for a passing reason is tried again with growing
 * waits for the retry budget; each failed try is published at once as a {@code CopyFailed} that will be retried,
 * so the page shows it while the job still runs. Nothing here changes how the backup itself ended. Every other
 * event is acknowledged untouched.
 */
final class CopyHandler implements JobHandler<BackupEvent> {

    private static final Logger log = LoggerFactory.getLogger(CopyHandler.class);

    /** What the handler reads of the compacted topics. */
    record Lookups(Function<String, Optional<BackupSettings>> settings,
                   Function<String, Optional<Connection>> connections,
                   Function<String, Optional<BackupStatus>> statuses) {
    }

    /** Where the handler's work goes: its topics, events published at once, and its ops events. */
    record Outlets(Topics topics, EventPublisher events, ServiceOps ops) {
    }

    private final Lookups lookups;
    private final Outlets outlets;
    private final CopyOne copier;
    private final CopierConfig config;
    private final RetryingHandler.Sleeper sleeper;
    private final Clock clock;

    CopyHandler(Lookups lookups, Outlets outlets, CopyOne copier, CopierConfig config, RetryingHandler.Sleeper sleeper,
                Clock clock) {
        this.lookups = lookups;
        this.outlets = outlets;
        this.copier = copier;
        this.config = config;
        this.sleeper = sleeper;
        this.clock = clock;
    }

    @Override
    public JobResult handle(BackupEvent event, JobContext context) throws InterruptedException {
        if (!(event instanceof BackupCompleted completed)
                || completed.endedAt().isBefore(clock.instant().minus(config.maxAge()))) {
            return JobResult.of();
        }
        Optional<BackupSettings> settings = lookups.settings().apply(completed.accountId());
        List<CopyDestination> copies = settings.map(BackupSettings::copies).orElse(List.of());
        if (copies.isEmpty()) {
            return JobResult.of();
        }
        String sourceId = completed.connectionId() != null ? completed.connectionId()
                : settings.get().destinationConnectionId();
        Optional<Connection> source = connection(completed.accountId(), sourceId);
        List<Output> outputs = new ArrayList<>();
        for (CopyDestination copy : copies) {
            if (copy.connectionId().equals(sourceId) || storedAlready(completed, copy.connectionId())) {
                continue;
            }
            CopyOutcome outcome = copyOne(completed, source, copy);
            outputs.add(Output.json(outlets.topics().outcomes(), completed.accountId(), outcome));
        }
        return new JobResult(outputs, null);
    }

    private CopyOutcome copyOne(BackupCompleted completed, Optional<Connection> source, CopyDestination copy)
            throws InterruptedException {
        Optional<Connection> target = connection(completed.accountId(), copy.connectionId());
        if (source.isEmpty() || target.isEmpty()) {
            String gone = source.isEmpty() ? "the backup's destination connection is gone"
                    : "the copy destination '" + copy.connectionId() + "' is not a connection of the account any more";
            return given(completed, copy.connectionId(), 1, gone);
        }
        CopyOne.Route route = new CopyOne.Route(source.get(), target.get(), copy);
        Instant firstTry = clock.instant();
        for (int attempt = 1; ; attempt++) {
            outlets.ops().publish(completed.backupId(), completed.accountId(), OpsStage.COPY, OpsStatus.STARTED,
                    copy.connectionId() + " attempt " + attempt);
            try {
                CopyStored stored = copier.copy(completed, route, attempt);
                log.info("Backup {} of account {} copied to '{}' (attempt {})", completed.backupId(),
                        completed.accountId(), copy.connectionId(), attempt);
                outlets.ops().publish(completed.backupId(), completed.accountId(), OpsStage.COPY, OpsStatus.FINISHED,
                        copy.connectionId() + " " + stored.location().blobName());
                return stored;
            } catch (BlobTransferException e) {
                Duration wait = config.retry().delayAfter(attempt);
                Instant next = clock.instant().plus(wait);
                if (!e.isTransient() || next.isAfter(firstTry.plus(config.retry().budget()))) {
                    return given(completed, copy.connectionId(), attempt, e.getMessage());
                }
                log.warn("Copy of backup {} to '{}' failed (attempt {}), trying again at {}: {}", completed.backupId(),
                        copy.connectionId(), attempt, next, e.getMessage());
                outlets.events().publish(outlets.topics().outcomes(), completed.accountId(), CopyFailed.of(completed,
                        copy.connectionId(), attempt, e.getMessage(), clock.instant(), next));
                outlets.ops().publish(completed.backupId(), completed.accountId(), OpsStage.COPY, OpsStatus.RETRIED,
                        copy.connectionId() + ": " + e.getMessage());
                sleeper.sleep(wait);
            }
        }
    }

    /** A copy given up: a warning for the super-administrator, never a failure of the backup. */
    private CopyFailed given(BackupCompleted completed, String connectionId, int attempt, String reason) {
        log.warn("Copy of backup {} of account {} to '{}' given up after {} attempt(s): {}", completed.backupId(),
                completed.accountId(), connectionId, attempt, reason);
        outlets.ops().publish(completed.backupId(), completed.accountId(), OpsStage.COPY, OpsStatus.FAILED,
                connectionId + ": " + reason);
        return CopyFailed.of(completed, connectionId, attempt, reason, clock.instant(), null);
    }

    private Optional<Connection> connection(String accountId, String connectionId) {
        return connectionId == null ? Optional.empty()
                : lookups.connections().apply(Connection.key(accountId, connectionId));
    }

    /** A replayed outcome whose copy the status already records as stored is not copied again. */
    private boolean storedAlready(BackupCompleted completed, String connectionId) {
        return lookups.statuses().apply(completed.accountId()).stream()
                .flatMap(status -> status.recent().stream())
                .filter(o -> o.backupId().equals(completed.backupId()))
                .flatMap(o -> o.copy(connectionId).stream())
                .anyMatch(c -> c.state() == BackupStatus.CopyState.State.STORED);
    }
}
