package io.backuprelay.upload;

import io.backuprelay.common.event.BlobNaming;
import io.backuprelay.common.fault.FaultPoints;
import io.backuprelay.common.ops.OpsStage;
import io.backuprelay.common.ops.OpsStatus;

import io.backuprelay.blob.BlobCredential;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BlobLocation;
import io.backuprelay.common.event.DumpReady;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.kafka.JobContext;
import io.backuprelay.common.kafka.JobHandler;
import io.backuprelay.common.kafka.JobResult;
import io.backuprelay.common.kafka.Output;
import io.backuprelay.common.ops.OpsEvent;
import io.backuprelay.common.ops.OpsPublisher;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.secret.SecretUnavailableException;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.upload.azure.BlobUploader;
import io.backuprelay.upload.azure.BlobUploader.UploadedBlob;
import io.backuprelay.upload.retention.RetentionSweep;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code DumpReady} → the archive in the account's container, verified, and {@code BackupCompleted};
 * or {@code BackupFailed} (stage UPLOAD). The staged file is removed once the outcome is committed.
 */
public final class UploadHandler implements JobHandler<DumpReady> {

    private static final Logger log = LoggerFactory.getLogger(UploadHandler.class);
    private static final java.time.Duration SAS_WARNING = java.time.Duration.ofDays(14);

    /** How often an upload says how far it is on {@code backup.ops}. */
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

    private final Topics topics;
    private final Function<String, Optional<Connection>> connections;
    private final Function<String, Optional<BackupSettings>> settings;
    private final OpsPublisher ops;
    private final SecretSealer sealer;
    private final BlobUploader uploader;
    private final Path stagingDir;
    private final Clock clock;
    private final TransientRetries retries;
    private final Verification verify;

    /** How far the upload worker checks a blob before it counts: in flight (default), or also read back. */
    public enum Verification { INFLIGHT, READBACK }

    static final int MAX_REDUMPS = 2;

    private Function<String, Optional<io.backuprelay.common.account.BackupStatus>> statuses = account -> Optional.empty();

    public UploadHandler(Topics topics, Function<String, Optional<Connection>> connections,
                         Function<String, Optional<BackupSettings>> settings, OpsPublisher ops, SecretSealer sealer,
                         BlobUploader uploader, Path stagingDir, Clock clock) {
        this(topics, connections, settings, ops, sealer, uploader, stagingDir, clock, StorageRetry.defaults(),
                Verification.INFLIGHT);
    }

    /**
     * @param retry  how long, and how far apart, transient storage faults are tried again
     * @param verify whether a committed blob is also read back and compared
     */
    public UploadHandler(Topics topics, Function<String, Optional<Connection>> connections,
                         Function<String, Optional<BackupSettings>> settings, OpsPublisher ops, SecretSealer sealer,
                         BlobUploader uploader, Path stagingDir, Clock clock, StorageRetry retry, Verification verify) {
        this.retries = new TransientRetries(retry, ops, clock);
        this.verify = verify;
        this.topics = topics;
        this.connections = connections;
        this.settings = settings;
        this.ops = ops;
        this.sealer = sealer;
        this.uploader = uploader;
        this.stagingDir = stagingDir;
        this.clock = clock;
    }

    @Override
    public JobResult handle(DumpReady dump, JobContext context) throws InterruptedException {
        Path staged = inStaging(dump.stagingFile(), "stagingFile");
        Path manifest = dump.manifestFile() == null ? null : inStaging(dump.manifestFile(), "manifestFile");
        if (alreadySucceeded(dump.accountId(), dump.backupId())) {
            // Another dump of this backup was stored already (a request redelivered or asked for twice):
            // no second upload, no second outcome, and this archive is of no further use.
            log.info("Backup {} of account {} already succeeded; the archive {} is not uploaded, and removed",
                    dump.backupId(), dump.accountId(), dump.stagingFile());
            forgetFollower(dump);
            return JobResult.of().thenAfterCommit(() -> {
                removeStaged(staged);
                if (manifest != null) {
                    removeStaged(manifest);
                }
            });
        }
        JobResult result = uploadRetryingTransientFaults(dump, staged, manifest);
        // Only now is the backup done or given up: until then the staged archive stays for the next try.
        return result.thenAfterCommit(() -> {
            removeStaged(staged);
            if (manifest != null) {
                removeStaged(manifest);
            }
        });
    }

    /**
     * {@code DumpStarted} → the archive's blocks sent while the dump writes it, in the background; the
     * job itself ends at once, and the {@code DumpReady} of the archive commits what was sent. Nothing
     * is published: a follower that stops early only leaves more for the upload on {@code DumpReady}.
     */
    public JobResult started(io.backuprelay.common.event.DumpStarted started) {
        Path partial = inStaging(started.partialFile(), "partialFile");
        Path complete = inStaging(started.stagingFile(), "stagingFile");
        if (followers == null || alreadySucceeded(started.accountId(), started.backupId())) {
            return JobResult.of();
        }
        Optional<Connection> found = connections.apply(Connection.key(started.accountId(), started.connectionId()));
        if (found.isEmpty()) {
            return JobResult.of(); // the upload on DumpReady says why
        }
        Connection connection = found.get();
        BlobCredential credential;
        try {
            credential = BlobCredential.of(connection, sealer);
        } catch (SecretUnavailableException e) {
            return JobResult.of();
        }
        String blobName = BlobNaming.blobName(connection.path(), started);
        long startedNanos = System.nanoTime();
        boolean following = followers.start(started.stagingFile(), () -> {
            ops.publish(new OpsEvent(started.backupId(), started.accountId(), OpsStage.UPLOAD, OpsStatus.STARTED, null,
                    "upload-worker", clock.instant(), connection.containerName() + "/" + blobName + " (while dumped)"));
            return uploader.follow(connection, credential, started.backupId(), blobName, partial, complete, followIdle,
                    progressReporter(started.backupId(), started.accountId(), startedNanos));
        });
        log.info("Backup {} of account {} is being dumped to {}; {}", started.backupId(), started.accountId(),
                started.partialFile(), following ? "its blocks are sent as they are written"
                        : "it is uploaded when ready (no follower free)");
        return JobResult.of();
    }

    /** What a follower sent of this archive, once it has seen the archive whole; empty when none did. */
    private Optional<BlobUploader.Sent> takeFollowed(DumpReady dump) {
        try {
            return followers.take(dump.stagingFile());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("The upload was interrupted", e);
        }
    }

    private void forgetFollower(DumpReady dump) {
        if (followers != null) {
            followers.forget(dump.stagingFile());
        }
    }

    private java.util.function.LongConsumer progressReporter(String backupId, String accountId, long startedNanos) {
        java.util.concurrent.atomic.AtomicLong lastProgress = new java.util.concurrent.atomic.AtomicLong(startedNanos);
        return sentSoFar -> {
            long now = System.nanoTime();
            long last = lastProgress.get();
            if (now - last >= PROGRESS_EVERY.toNanos() && lastProgress.compareAndSet(last, now)) {
                ops.publish(new OpsEvent(backupId, accountId, OpsStage.UPLOAD, OpsStatus.PROGRESS, sentSoFar,
                        "upload-worker", clock.instant(), null, rate(sentSoFar, now - startedNanos)));
            }
        };
    }

    private Path inStaging(String name, String field) {
        Path path = stagingDir.resolve(name).normalize();
        if (!path.startsWith(stagingDir.normalize())) {
            throw new io.backuprelay.common.kafka.PoisonMessageException(
                    field + " '" + name + "' points outside the staging directory");
        }
        return path;
    }

    private FollowedUploads followers;
    private Duration followIdle = Duration.ofMinutes(15);

    /**
     * Sends archives while they are dumped ({@code DumpStarted}), at most {@code limit} at once.
     *
     * @param idle how long an archive being dumped may stay the same size before its follower stops
     */
    public UploadHandler withOverlap(int limit, Duration idle) {
        this.followers = new FollowedUploads(limit);
        this.followIdle = idle;
        return this;
    }

    /** Stops the uploads that follow dumps. */
    public void stopFollowing() {
        if (followers != null) {
            followers.close();
        }
    }

    /**
     * Transient storage faults (timeouts, 5xx, throttling, resets) are tried again from the staged
     * archive, resuming from the blocks Azure already holds, for the retry budget; a permanent one
     * (a rejected key, a missing container) fails at once.
     */
    private JobResult uploadRetryingTransientFaults(DumpReady dump, Path staged, Path manifest) throws InterruptedException {
        return retries.run(dump, () -> upload(dump, staged, manifest), e -> switch (e.kind()) {
            case ARCHIVE_CHANGED -> redump(dump, e.getMessage());
            case ALREADY_STORED -> storedByAnotherDump(dump, e.getMessage());
            case PERMANENT, TRANSIENT -> failed(dump, e.getMessage());
        });
    }

    /**
     * How long the upload that has retried transient storage faults the longest has been at it, of
     * those retrying now; zero when none is (gauge {@code backuprelay.upload.retrying.seconds}).
     */
    public Duration longestRetry() {
        return retries.longest();
    }

    private JobResult upload(DumpReady dump, Path staged, Path manifest) throws UploadFailedException {
        Optional<Connection> found = connections.apply(Connection.key(dump.accountId(), dump.connectionId()));
        if (found.isEmpty()) {
            return failed(dump, "The connection '" + dump.connectionId() + "' of account '" + dump.accountId()
                    + "' does not exist (it may have been deleted).");
        }
        Connection connection = found.get();
        String blobName = BlobNaming.blobName(connection.path(), dump);
        BlobCredential accessKey;
        try {
            accessKey = BlobCredential.of(connection, sealer);
        } catch (SecretUnavailableException e) {
            return failed(dump, "The upload worker cannot read the stored credential of connection '"
                    + dump.connectionId() + "': " + e.getMessage());
        }
        Optional<UploadedBlob> stored = uploader.find(connection, accessKey, blobName);
        if (stored.isPresent() && !matches(stored.get(), dump)
                && dump.backupId().equals(stored.get().metadata().get(BlobMetadata.BACKUP_ID))) {
            return storedByAnotherDump(dump, "Backup " + dump.backupId() + " is already stored as " + blobName
                    + " from another dump; it is not overwritten.");
        }
        Optional<UploadedBlob> earlier = stored.filter(blob -> matches(blob, dump));
        UploadedBlob blob;
        if (earlier.isPresent()) {
            log.info("Backup {} of account {} is already stored as {}; not sending it again", dump.backupId(),
                    dump.accountId(), blobName);
            forgetFollower(dump);
            blob = earlier.get();
        } else {
            if (!Files.isRegularFile(staged)) {
                return failed(dump, "The archive of backup " + dump.backupId()
                        + " is no longer in the staging area of the upload worker.");
            }
            long startedNanos = System.nanoTime();
            Optional<BlobUploader.Sent> followed = followers == null ? Optional.empty() : takeFollowed(dump);
            if (followed.isPresent()) {
                log.info("Committing backup {} of account {} ({} bytes), sent to {}/{} while it was dumped",
                        dump.backupId(), dump.accountId(), dump.sizeBytes(), connection.containerName(), blobName);
                blob = uploader.commitFollowed(connection, accessKey, dump.backupId(), blobName, staged, followed.get(),
                        dump.sizeBytes(), dump.sha256(), metadata(dump), connection.accessTier());
            } else {
                log.info("Uploading backup {} of account {} ({} bytes) to {}/{}", dump.backupId(), dump.accountId(),
                        dump.sizeBytes(), connection.containerName(), blobName);
                ops.publish(new OpsEvent(dump.backupId(), dump.accountId(), OpsStage.UPLOAD, OpsStatus.STARTED,
                        dump.sizeBytes(), "upload-worker", clock.instant(), connection.containerName() + "/" + blobName));
                blob = uploader.upload(connection, accessKey, dump.backupId(), blobName, staged, dump.sizeBytes(),
                        dump.sha256(), metadata(dump), connection.accessTier(),
                        progressReporter(dump.backupId(), dump.accountId(), startedNanos));
            }
            ops.publish(new OpsEvent(dump.backupId(), dump.accountId(), OpsStage.UPLOAD, OpsStatus.FINISHED,
                    blob.bytesSent(), "upload-worker", clock.instant(), null,
                    followed.isPresent() ? null : rate(blob.bytesSent(), System.nanoTime() - startedNanos)));
            if (!matches(blob, dump)) {
                return failed(dump, "The blob " + blobName + " read back after the upload does not match the archive"
                        + " (size " + blob.size() + " instead of " + dump.sizeBytes() + ", or a different SHA-256).");
            }
        }
        List<String> checks = new java.util.ArrayList<>(List.of(BackupCompleted.Check.SHA256_OF_BYTES_SENT.name()));
        checks.addAll(blob.blockChecks());
        if (verify == Verification.READBACK) {
            readBack(connection, accessKey, blobName, dump);
            checks.add(BackupCompleted.Check.READ_BACK_SHA256.name());
        }
        // From here the backup is stored and verified: nothing below may turn it into a failure.
        List<String> warnings = new java.util.ArrayList<>(dump.warnings());
        warnings.addAll(warnings(connection, accessKey, dump));
        storeManifest(connection, accessKey, blobName, manifest).ifPresent(warnings::add);
        var completed = new BackupCompleted(BackupCompleted.CURRENT_VERSION, UUID.randomUUID().toString(),
                dump.backupId(), dump.accountId(), clock.instant(), dump.trigger(),
                new BlobLocation(connection.storageAccountName(), connection.containerName(), blobName, blob.url()),
                dump.sizeBytes(), dump.sha256(), dump.engine(), dump.requestedAt(), clock.instant(),
                warnings, connection.connectionId(), checks, dump.requester(),
                BackupCompleted.ArchiveFormat.of(dump.format(), dump.compression(), dump.encryption()));
        log.info("Backup {} of account {} completed: {} ({} bytes sent)", dump.backupId(), dump.accountId(), blobName,
                blob.bytesSent());
        ops.publish(new OpsEvent(dump.backupId(), dump.accountId(), OpsStage.VERIFY, OpsStatus.PASSED, dump.sizeBytes(),
                "upload-worker", clock.instant(), String.join(", ", checks)));
        applyRetention(connection, accessKey, dump);
        FaultPoints.reach(FaultPoints.BLOB_COMMITTED);
        return JobResult.of(Output.json(topics.outcomes(), dump.accountId(), completed));
    }

    /**
     * Downloads the committed blob and compares its SHA-256 with the dump's. A blob that reads back
     * differently is deleted, and the upload is tried again from the staged archive.
     */
    private void readBack(Connection connection, BlobCredential credential, String blobName, DumpReady dump)
            throws UploadFailedException {
        String read = uploader.readBackSha256(connection, credential, blobName);
        if (!read.equals(dump.sha256())) {
            uploader.delete(connection, credential, blobName);
            throw new UploadFailedException("The blob " + blobName + " read back from storage account '"
                    + connection.storageAccountName() + "' has SHA-256 " + read + ", not the archive's " + dump.sha256()
                    + "; it was deleted and is sent again.", UploadFailedException.Kind.TRANSIENT);
        }
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
        ops.publish(new OpsEvent(dump.backupId(), dump.accountId(), OpsStage.UPLOAD, OpsStatus.ARCHIVE_CHANGED, null, "upload-worker",
                clock.instant(), reason));
        return JobResult.of(Output.json(topics.requests(), dump.accountId(),
                io.backuprelay.common.event.BackupRequested.redump(dump, clock.instant())));
    }

    /**
     * Another dump of this backup is stored under its name already, and was reported when it was
     * (a request redelivered or asked for twice, dumped twice): that blob stays, and this archive is
     * acknowledged as a backup already succeeded is, with no second outcome.
     */
    private JobResult storedByAnotherDump(DumpReady dump, String reason) {
        log.info("Backup {} of account {}: {} The archive {} is not uploaded, and removed", dump.backupId(),
                dump.accountId(), reason, dump.stagingFile());
        forgetFollower(dump);
        return JobResult.of();
    }

    /**
     * The manifest beside the blob. A transient fault is retried with the rest (the blob is found
     * stored and is not sent again); a permanent one leaves the backup complete, with a warning.
     */
    private Optional<String> storeManifest(Connection connection, BlobCredential credential, String blobName,
                                           Path manifest) throws UploadFailedException {
        if (manifest == null || !Files.isRegularFile(manifest)) {
            return Optional.empty();
        }
        try {
            uploader.uploadSmall(connection, credential, blobName + ".manifest.json", manifest);
            return Optional.empty();
        } catch (UploadFailedException e) {
            if (e.isTransient()) {
                throw e;
            }
            log.warn("The manifest of {} could not be stored: {}", blobName, e.getMessage());
            return Optional.of("The backup is stored and verified, but its manifest could not be stored beside it: "
                    + e.getMessage());
        }
    }

    /** A SAS token that stops working within 14 days is worth an email now, while backups still succeed. */
    private List<String> warnings(Connection connection, BlobCredential credential, DumpReady dump) {
        return credential.sasExpiry()
                .filter(expiry -> expiry.isBefore(clock.instant().plus(SAS_WARNING)))
                .map(expiry -> {
                    ops.publish(new OpsEvent(dump.backupId(), dump.accountId(), OpsStage.UPLOAD, OpsStatus.CREDENTIAL_EXPIRING, null,
                            "upload-worker", clock.instant(), connection.connectionId() + " " + expiry));
                    return List.of("The SAS token of the connection '" + connection.connectionId() + "' expires on "
                            + expiry + ". Replace it before then, or backups to this connection will fail.");
                })
                .orElse(List.of());
    }

    /** After a verified success only: a failed backup never makes room by deleting older ones. */
    private void applyRetention(Connection connection, BlobCredential accessKey, DumpReady dump) {
        var policy = settings.apply(dump.accountId()).map(BackupSettings::retention).orElse(null);
        if (policy == null) {
            return;
        }
        try {
            for (String deleted : RetentionSweep.apply(connection, accessKey,
                    BlobNaming.accountFolder(connection.path(), dump.accountId()), dump.accountId(), policy,
                    dump.backupId(), clock.instant())) {
                log.info("Retention of account {} deleted {}", dump.accountId(), deleted);
                ops.publish(new OpsEvent(dump.backupId(), dump.accountId(), OpsStage.RETENTION, OpsStatus.DELETED, null,
                        "upload-worker", clock.instant(), deleted));
            }
        } catch (RuntimeException e) {
            log.warn("Retention of account {} could not run this time: {}", dump.accountId(), e.toString());
        }
    }

    /** Size and SHA-256 as Azure reports them after the commit must be the archive's. */
    private boolean alreadySucceeded(String accountId, String backupId) {
        return statuses.apply(accountId).map(status -> status.succeeded(backupId)).orElse(false);
    }

    /** The scheduler's record of each account's backups: a backup recorded as succeeded is never uploaded again. */
    public UploadHandler withStatuses(Function<String, Optional<io.backuprelay.common.account.BackupStatus>> statuses) {
        this.statuses = statuses;
        return this;
    }

    private static boolean matches(UploadedBlob blob, DumpReady dump) {
        Map<String, String> metadata = blob.metadata();
        return blob.size() == dump.sizeBytes()
                && dump.sha256().equals(metadata.get(BlobMetadata.SHA256))
                && dump.backupId().equals(metadata.get(BlobMetadata.BACKUP_ID));
    }

    private static Map<String, String> metadata(DumpReady dump) {
        return Map.of(
                BlobMetadata.BACKUP_ID, dump.backupId(),
                BlobMetadata.ACCOUNT_ID, dump.accountId(),
                BlobMetadata.SHA256, dump.sha256(),
                BlobMetadata.ENGINE, dump.engine(),
                BlobMetadata.FORMAT, dump.format(),
                BlobMetadata.COMPRESSION, dump.compression(),
                BlobMetadata.ENCRYPTION, dump.encryption(),
                BlobMetadata.REQUESTED_AT, dump.requestedAt().toString(),
                BlobMetadata.WRITTEN_BY, BlobMetadata.WRITER);
    }

    private JobResult failed(DumpReady dump, String reason) {
        log.warn("Backup {} of account {} failed at the upload: {}", dump.backupId(), dump.accountId(), reason);
        ops.publish(new OpsEvent(dump.backupId(), dump.accountId(), OpsStage.UPLOAD, OpsStatus.FAILED, null,
                "upload-worker", clock.instant(), reason));
        return JobResult.of(Output.json(topics.outcomes(), dump.accountId(),
                BackupFailed.of(dump, FailureStage.UPLOAD, reason, clock.instant())));
    }

    /** Bytes a second, from bytes sent over nanoseconds; null when too short to tell. */
    private static Long rate(long bytes, long nanos) {
        return nanos < 1_000_000 ? null : Math.round(bytes / (nanos / 1e9));
    }

    private static void removeStaged(Path staged) {
        try {
            Files.deleteIfExists(staged);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot remove the staged archive " + staged, e);
        }
    }
}
