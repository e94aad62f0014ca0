package io.backuprelay.upload;

import io.backuprelay.blob.BlobTarget;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.BlobLocation;
import io.backuprelay.common.event.DumpReady;
import io.backuprelay.common.event.DumpStarted;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.fault.FaultPoints;
import io.backuprelay.common.kafka.JobContext;
import io.backuprelay.common.kafka.JobHandler;
import io.backuprelay.common.kafka.JobResult;
import io.backuprelay.common.kafka.Output;
import io.backuprelay.common.ops.OpsStage;
import io.backuprelay.common.ops.OpsStatus;
import io.backuprelay.common.ops.ServiceOps;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.upload.afterstore.AfterStore;
import io.backuprelay.upload.store.StoreArchive;
import io.backuprelay.upload.store.StoredArchive;
import io.backuprelay.upload.store.UploadFailedException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code DumpReady} → the archive in the account's container, verified, and {@code BackupCompleted};
 * or {@code BackupFailed} (stage UPLOAD); or, when the staged archive is not what was dumped, the
 * backup requested again for a fresh dump. The work is two steps, {@link StoreArchive} and
 * {@link AfterStore}; this decides what their result becomes, and what is tried again. The staged
 * files are removed once the outcome is committed.
 */
public final class UploadHandler implements JobHandler<DumpReady> {

    private static final Logger log = LoggerFactory.getLogger(UploadHandler.class);

    /**
     * How far the upload worker checks a blob before it counts: in flight (default), or also read back
     * ({@link StoreArchive#withReadBack}).
     */
    public enum Verification { INFLIGHT, READBACK }

    static final int MAX_REDUMPS = 2;

    private final Topics topics;
    private final Staging staging;
    private final StoreArchive store;
    private final AfterStore afterStore;
    private final TransientRetries retries;
    private final ServiceOps ops;
    private final Clock clock;
    private Function<String, Optional<BackupStatus>> statuses = account -> Optional.empty();

    /**
     * @param retry how long, and how far apart, transient storage faults are tried again
     * @param ops   the upload worker's ops events
     */
    public UploadHandler(Topics topics, Path stagingDir, StoreArchive store, AfterStore afterStore, StorageRetry retry,
                         ServiceOps ops, Clock clock) {
        this.topics = topics;
        this.staging = new Staging(stagingDir);
        this.store = store;
        this.afterStore = afterStore;
        this.retries = new TransientRetries(retry, ops);
        this.ops = ops;
        this.clock = clock;
    }

    /** The scheduler's record of each account's backups: a backup recorded as succeeded is never uploaded again. */
    public UploadHandler withStatuses(Function<String, Optional<BackupStatus>> statuses) {
        this.statuses = statuses;
        return this;
    }

    @Override
    public JobResult handle(DumpReady dump, JobContext context) throws InterruptedException {
        Path archive = staging.resolve(dump.stagingFile(), "stagingFile");
        Path manifest = dump.manifestFile() == null ? null : staging.resolve(dump.manifestFile(), "manifestFile");
        if (alreadySucceeded(dump.accountId(), dump.backupId())) {
            // Another dump of this backup was stored already (a request redelivered or asked for twice):
            // no second upload, no second outcome, and this archive is of no further use.
            log.info("Backup {} of account {} already succeeded; the archive {} is not uploaded, and removed",
                    dump.backupId(), dump.accountId(), dump.stagingFile());
            store.forget(dump);
            return JobResult.of().thenAfterCommit(() -> Staging.remove(archive, manifest));
        }
        // Transient storage faults (timeouts, 5xx, throttling, resets) are tried again from the staged
        // archive, resuming from the blocks Azure already holds, for the retry budget.
        JobResult result = retries.run(dump, () -> storeAndReport(dump, archive, manifest), e -> switch (e.kind()) {
            case ARCHIVE_CHANGED -> redump(dump, e.getMessage());
            case ALREADY_STORED -> storedByAnotherDump(dump, e.getMessage());
            case PERMANENT, TRANSIENT -> failed(dump, e.getMessage());
        });
        // Only now is the backup done or given up: until then the staged archive stays for the next try.
        return result.thenAfterCommit(() -> Staging.remove(archive, manifest));
    }

    /**
     * {@code DumpStarted} → the archive's blocks sent while the dump writes it, in the background; the
     * job itself ends at once, and the {@code DumpReady} of the archive commits what was sent. Nothing
     * is published: a follower that stops early only leaves more for the upload on {@code DumpReady}.
     */
    public JobResult started(DumpStarted started) {
        Path partial = staging.resolve(started.partialFile(), "partialFile");
        Path complete = staging.resolve(started.stagingFile(), "stagingFile");
        if (!alreadySucceeded(started.accountId(), started.backupId())) {
            store.follow(started, partial, complete);
        }
        return JobResult.of();
    }

    /**
     * How long the upload that has retried transient storage faults the longest has been at it, of
     * those retrying now; zero when none is (gauge {@code backuprelay.upload.retrying.seconds}).
     */
    public Duration longestRetry() {
        return retries.longest();
    }

    /** One try: the archive stored and verified, then what follows, and {@code BackupCompleted}. */
    private JobResult storeAndReport(DumpReady dump, Path archive, Path manifest) throws UploadFailedException {
        StoredArchive stored = store.store(dump, archive);
        // From here the backup is stored and verified: nothing below may turn it into a failure.
        BlobTarget target = stored.target();
        List<String> warnings = afterStore.manifestAndWarnings(dump, target, manifest);
        var completed = new BackupCompleted(BackupCompleted.CURRENT_VERSION, UUID.randomUUID().toString(),
                dump.backupId(), dump.accountId(), clock.instant(), dump.trigger(),
                new BlobLocation(target.connection().storageAccountName(), target.connection().containerName(),
                        target.blobName(), stored.blob().url()),
                dump.sizeBytes(), dump.sha256(), dump.engine(), dump.requestedAt(), clock.instant(),
                warnings, target.connection().connectionId(), stored.checks(), dump.requester(),
                dump.archiveFormat(), stored.immutableUntil());
        log.info("Backup {} of account {} completed: {} ({} bytes sent)", dump.backupId(), dump.accountId(),
                target.blobName(), stored.blob().bytesSent());
        ops.publish(ops.event(dump.backupId(), dump.accountId(), OpsStage.VERIFY, OpsStatus.PASSED)
                .withBytes(dump.sizeBytes()).withDetail(String.join(", ", stored.checks())));
        afterStore.applyRetention(dump, target);
        FaultPoints.reach(FaultPoints.BLOB_COMMITTED);
        return JobResult.of(Output.json(topics.outcomes(), dump.accountId(), completed));
    }

    /**
     * The staged archive is not what the dump wrote (changed on disk after the dump): it is never
     * committed, and the same backup is requested again for a fresh dump, at most {@link #MAX_REDUMPS} times.
     */
    private JobResult redump(DumpReady dump, String reason) {
        if (dump.redumps() >= MAX_REDUMPS) {
            return failed(dump, reason + " It was dumped afresh " + dump.redumps() + " times, and each archive changed"
                    + " before its upload; the operators must check the staging storage.");
        }
        log.warn("Backup {} of account {} is dumped again: {}", dump.backupId(), dump.accountId(), reason);
        ops.publish(dump.backupId(), dump.accountId(), OpsStage.UPLOAD, OpsStatus.ARCHIVE_CHANGED, reason);
        return JobResult.of(Output.json(topics.requests(), dump.accountId(), BackupRequested.redump(dump, clock.instant())));
    }

    /**
     * Another dump of this backup is stored under its name already, and was reported when it was
     * (a request redelivered or asked for twice, dumped twice): that blob stays, and this archive is
     * acknowledged as a backup already succeeded is, with no second outcome.
     */
    private JobResult storedByAnotherDump(DumpReady dump, String reason) {
        log.info("Backup {} of account {}: {} The archive {} is not uploaded, and removed", dump.backupId(),
                dump.accountId(), reason, dump.stagingFile());
        store.forget(dump);
        return JobResult.of();
    }

    private JobResult failed(DumpReady dump, String reason) {
        log.warn("Backup {} of account {} failed at the upload: {}", dump.backupId(), dump.accountId(), reason);
        ops.publish(dump.backupId(), dump.accountId(), OpsStage.UPLOAD, OpsStatus.FAILED, reason);
        return JobResult.of(Output.json(topics.outcomes(), dump.accountId(),
                BackupFailed.of(dump, FailureStage.UPLOAD, reason, clock.instant())));
    }

    private boolean alreadySucceeded(String accountId, String backupId) {
        return statuses.apply(accountId).map(status -> status.succeeded(backupId)).orElse(false);
    }
}
