package io.backuprelay.upload.store;

import io.backuprelay.blob.AzureBlobStore;
import io.backuprelay.blob.AzureBlobStore.BlockChecksum;
import io.backuprelay.blob.BlobTarget;
import io.backuprelay.blob.block.ArchiveFile;
import io.backuprelay.blob.block.BlobUploader;
import io.backuprelay.blob.block.Sent;
import io.backuprelay.blob.block.UploadedBlob;
import io.backuprelay.blob.BlobStore;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.Immutability;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.DumpReady;
import io.backuprelay.common.event.DumpStarted;
import io.backuprelay.common.ops.OpsStage;
import io.backuprelay.common.ops.OpsStatus;
import io.backuprelay.common.ops.ServiceOps;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.format.blob.BlobMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores a dump's archive in its connection's container: the blob an earlier try stored is taken as
 * it is; otherwise the blocks a follower sent while the archive was dumped are committed, or the
 * archive is sent now; the blob must then be this archive (size, SHA-256, backup), and with
 * read-back it is also downloaded and compared.
 */
public final class StoreArchive {

    private static final Logger log = LoggerFactory.getLogger(StoreArchive.class);

    /** How often an upload says how far it is on {@code backup.ops}. */
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

    private final BlobTargets targets;
    private final BlobUploader uploader;
    private final BackupBlobs blobs;
    private final ServiceOps ops;
    private boolean readBack;
    private FollowedUploads followers;
    private Duration followIdle = Duration.ofMinutes(15);

    /** @param ops the upload worker's ops events */
    public StoreArchive(Function<String, Optional<Connection>> connections, SecretSealer sealer, BlobUploader uploader,
                        ServiceOps ops) {
        this.targets = new BlobTargets(connections, sealer);
        this.uploader = uploader;
        this.blobs = new BackupBlobs(uploader);
        this.ops = ops;
    }

    /** Each committed blob is also downloaded and its SHA-256 compared ({@code UPLOAD_VERIFY=readback}). */
    public StoreArchive withReadBack() {
        this.readBack = true;
        return this;
    }

    /**
     * Sends archives while they are dumped ({@link #follow}), at most {@code limit} at once.
     *
     * @param idle how long an archive being dumped may stay the same size before its follower stops
     */
    public StoreArchive withOverlap(int limit, Duration idle) {
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
     * {@code DumpStarted} → the archive's blocks sent while the dump writes it, in the background; the
     * {@code DumpReady} of the archive commits what was sent. A follower that stops early only leaves
     * more for the upload on {@code DumpReady}.
     */
    public void follow(DumpStarted started, Path partial, Path complete) {
        if (followers == null) {
            return;
        }
        Optional<BlobTarget> found = targets.of(started);
        if (found.isEmpty()) {
            return; // the upload on DumpReady says why
        }
        BlobTarget target = found.get();
        long startedNanos = System.nanoTime();
        boolean following = followers.start(started.stagingFile(), () -> {
            ops.publish(started.backupId(), started.accountId(), OpsStage.UPLOAD, OpsStatus.STARTED,
                    target.connection().containerName() + "/" + target.blobName() + " (while dumped)");
            return uploader.follow(target, started.backupId(), partial, complete, followIdle,
                    progressReporter(started.backupId(), started.accountId(), startedNanos));
        });
        log.info("Backup {} of account {} is being dumped to {}; {}", started.backupId(), started.accountId(),
                started.partialFile(), following ? "its blocks are sent as they are written"
                        : "it is uploaded when ready (no follower free)");
    }

    /** Stops following this dump's archive, if it is followed: its backup needs no upload. */
    public void forget(DumpReady dump) {
        if (followers != null) {
            followers.forget(dump.stagingFile());
        }
    }

    /**
     * @param staged the archive in staging
     * @throws UploadFailedException whose kind decides the outcome: ALREADY_STORED when another dump of
     *                               this backup is stored under its name
     */
    public StoredArchive store(DumpReady dump, Path staged) throws UploadFailedException {
        BlobTarget target = targets.of(dump);
        Optional<UploadedBlob> stored = blobs.find(target);
        Optional<FoundBlob> found = stored.map(blob -> FoundBlob.of(blob.stored(), dump.backupId(), dump.sizeBytes(),
                dump.sha256()));
        if (found.equals(Optional.of(FoundBlob.OTHER_ARCHIVE_OF_THIS_BACKUP))) {
            throw new UploadFailedException("Backup " + dump.backupId() + " is already stored as " + target.blobName()
                    + " from another dump; it is not overwritten.", UploadFailedException.Kind.ALREADY_STORED);
        }
        UploadedBlob blob;
        if (found.equals(Optional.of(FoundBlob.THIS_ARCHIVE))) {
            log.info("Backup {} of account {} is already stored as {}; not sending it again", dump.backupId(),
                    dump.accountId(), target.blobName());
            forget(dump);
            blob = stored.get();
        } else {
            blob = send(dump, target, staged);
        }
        List<String> checks = new ArrayList<>(List.of(BackupCompleted.Check.SHA256_OF_BYTES_SENT.name()));
        blob.blockChecks().forEach(checksum -> checks.add(check(checksum).name()));
        if (readBack) {
            blobs.verifyByReadBack(target, dump.sha256());
            checks.add(BackupCompleted.Check.READ_BACK_SHA256.name());
        }
        return new StoredArchive(target, blob, checks);
    }

    /** Commits what a follower sent of the archive, or sends it now. */
    private UploadedBlob send(DumpReady dump, BlobTarget target, Path staged) throws UploadFailedException {
        if (!Files.isRegularFile(staged)) {
            throw new UploadFailedException("The archive of backup " + dump.backupId()
                    + " is no longer in the staging area of the upload worker.");
        }
        long startedNanos = System.nanoTime();
        ArchiveFile archive = new ArchiveFile(dump.backupId(), staged, dump.sizeBytes(), dump.sha256(), metadata(dump),
                protection(target.connection().immutability()));
        Optional<Sent> followed = followers == null ? Optional.empty() : takeFollowed(dump);
        UploadedBlob blob;
        if (followed.isPresent()) {
            log.info("Committing backup {} of account {} ({} bytes), sent to {}/{} while it was dumped",
                    dump.backupId(), dump.accountId(), dump.sizeBytes(), target.connection().containerName(),
                    target.blobName());
            blob = blobs.commitFollowed(target, archive, followed.get());
        } else {
            log.info("Uploading backup {} of account {} ({} bytes) to {}/{}", dump.backupId(), dump.accountId(),
                    dump.sizeBytes(), target.connection().containerName(), target.blobName());
            ops.publish(ops.event(dump.backupId(), dump.accountId(), OpsStage.UPLOAD, OpsStatus.STARTED)
                    .withBytes(dump.sizeBytes())
                    .withDetail(target.connection().containerName() + "/" + target.blobName()));
            blob = blobs.upload(target, archive, progressReporter(dump.backupId(), dump.accountId(), startedNanos));
        }
        Long bytesPerSecond = followed.isPresent() ? null : rate(blob.bytesSent(), System.nanoTime() - startedNanos);
        ops.publish(ops.event(dump.backupId(), dump.accountId(), OpsStage.UPLOAD, OpsStatus.FINISHED)
                .withBytes(blob.bytesSent()).withBytesPerSecond(bytesPerSecond));
        if (FoundBlob.of(blob.stored(), archive) != FoundBlob.THIS_ARCHIVE) {
            throw new UploadFailedException("The blob " + target.blobName() + " read back after the upload does not"
                    + " match the archive (size " + blob.size() + " instead of " + dump.sizeBytes() + ", or a"
                    + " different SHA-256).");
        }
        return blob;
    }

    /** What a follower sent of this archive, once it has seen the archive whole; empty when none did. */
    private Optional<Sent> takeFollowed(DumpReady dump) {
        try {
            return followers.take(dump.stagingFile());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("The upload was interrupted", e);
        }
    }

    private LongConsumer progressReporter(String backupId, String accountId, long startedNanos) {
        AtomicLong lastProgress = new AtomicLong(startedNanos);
        return sentSoFar -> {
            long now = System.nanoTime();
            long last = lastProgress.get();
            if (now - last >= PROGRESS_EVERY.toNanos() && lastProgress.compareAndSet(last, now)) {
                ops.publish(ops.event(backupId, accountId, OpsStage.UPLOAD, OpsStatus.PROGRESS).withBytes(sentSoFar)
                        .withBytesPerSecond(rate(sentSoFar, now - startedNanos)));
            }
        };
    }

    /** Bytes a second, from bytes sent over nanoseconds; null when too short to tell. */
    private static Long rate(long bytes, long nanos) {
        return nanos < 1_000_000 ? null : Math.round(bytes / (nanos / 1e9));
    }

    private static BackupCompleted.Check check(BlockChecksum checksum) {
        return switch (checksum) {
            case CRC64 -> BackupCompleted.Check.CRC64_PER_BLOCK;
            case MD5 -> BackupCompleted.Check.MD5_PER_BLOCK;
        };
    }

    /**
     * The connection's immutability as the blob's protection from now: the wall clock, as the storage service
     * judges the date by its own.
     */
    private static BlobStore.Protection protection(Immutability immutability) {
        if (immutability == null) {
            return null;
        }
        return new BlobStore.Protection(Instant.now().plus(immutability.period()),
                immutability.mode() == Immutability.Mode.LOCKED, immutability.legalHold());
    }

    private static Map<String, String> metadata(DumpReady dump) {
        return new BlobMetadata(dump.backupId(), dump.accountId(), dump.sha256(), dump.engine(),
                dump.archiveFormat(), dump.requestedAt()).toMap();
    }
}
