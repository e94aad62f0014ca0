package io.backuprelay.blob.retention;

import io.backuprelay.blob.BlobStore;
import io.backuprelay.common.account.Retention;
import io.backuprelay.format.blob.BlobMetadata;
import io.backuprelay.format.manifest.ManifestNames;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies an account's retention in its container after a successful, verified backup. It looks
 * only under the account's folder and touches only blobs whose metadata says this system wrote them
 * for this account, so other systems' blobs in the same container are safe.
 */
public final class RetentionSweep {

    private static final Logger log = LoggerFactory.getLogger(RetentionSweep.class);
    private static final Duration SKEW_WORTH_A_WARNING = Duration.ofHours(1);

    private RetentionSweep() {
    }

    /**
     * @param localNow this machine's clock; ages are judged by it only where the storage service's
     *                 clock agrees ({@link RetentionRules})
     * @return the blob names it deleted
     */
    public static List<String> apply(BlobStore store, String accountFolder, String accountId, Retention policy,
                                     String newestBackupId, Instant localNow) {
        if (policy == null) {
            return List.of();
        }
        BlobStore.Listing listing = store.listing(accountFolder);
        Optional<Instant> storageNow = storageNow(listing);
        storageNow.filter(storage -> Duration.between(storage, localNow).abs().compareTo(SKEW_WORTH_A_WARNING) > 0)
                .ifPresent(storage -> log.warn("This machine's clock ({}) and the storage service's ({}) disagree;"
                        + " retention ages backups by the earlier", localNow, storage));
        List<RetentionRules.StoredBackup> stored = new ArrayList<>();
        for (BlobStore.StoredBlob blob : listing.blobs()) {
            Map<String, String> metadata = blob.metadata();
            if (ManifestNames.isManifest(blob.name()) || !BlobMetadata.isBackupOfAccount(metadata, accountId)) {
                continue;
            }
            stored.add(new RetentionRules.StoredBackup(blob.name(), metadata.get(BlobMetadata.BACKUP_ID),
                    BlobMetadata.requestedAt(metadata).orElse(blob.lastModified())));
        }
        List<String> deleted = new ArrayList<>();
        for (RetentionRules.StoredBackup backup : RetentionRules.toDelete(stored, policy, newestBackupId, localNow,
                storageNow)) {
            store.delete(backup.blobName());
            store.delete(ManifestNames.ofBlob(backup.blobName()));
            deleted.add(backup.blobName());
        }
        return deleted;
    }

    /**
     * The storage service's time: the {@code Date} of its answer, or else the newest last-modified
     * time it gives a blob (the backup just committed, moments ago by its clock).
     */
    private static Optional<Instant> storageNow(BlobStore.Listing listing) {
        return listing.serviceTime().or(() -> listing.blobs().stream().map(BlobStore.StoredBlob::lastModified)
                .max(Instant::compareTo));
    }
}
