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
     * @return the blob names it deleted, and those it left because an immutability policy or legal hold still
     *         keeps them (never tried: each is found first, and skipped while protected)
     */
    public static Sweep apply(BlobStore store, String accountFolder, String accountId, Retention policy,
                                     String newestBackupId, Instant localNow) {
        if (policy == null) {
            return Sweep.NOTHING;
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
        // Protection is judged by the earlier clock: a blob this machine thinks free may still be kept by the service's.
        Instant protectionNow = storageNow.filter(storage -> storage.isBefore(localNow)).orElse(localNow);
        List<String> deleted = new ArrayList<>();
        List<Kept> kept = new ArrayList<>();
        for (RetentionRules.StoredBackup backup : RetentionRules.toDelete(stored, policy, newestBackupId, localNow,
                storageNow)) {
            Optional<BlobStore.StoredBlob> found = store.find(backup.blobName());
            if (found.isPresent() && found.get().protectedAt(protectionNow)) {
                kept.add(new Kept(backup.blobName(), found.get().protection()));
                continue;
            }
            try {
                store.delete(backup.blobName());
            } catch (BlobStore.ProtectedBlobException e) {
                kept.add(new Kept(backup.blobName(), e.protection().orElse(null)));
                continue;
            }
            store.delete(ManifestNames.ofBlob(backup.blobName()));
            deleted.add(backup.blobName());
        }
        return new Sweep(deleted, kept);
    }

    /**
     * What a sweep did.
     *
     * @param deleted the backups' blob names it deleted (with their manifests)
     * @param kept    those it would have deleted, kept by an immutability policy or legal hold
     */
    public record Sweep(List<String> deleted, List<Kept> kept) {

        static final Sweep NOTHING = new Sweep(List.of(), List.of());

        public Sweep {
            deleted = List.copyOf(deleted);
            kept = List.copyOf(kept);
        }
    }

    /**
     * A backup retention would delete, kept by its protection.
     *
     * @param protection what keeps it, when known (null when the service refused the delete without saying)
     */
    public record Kept(String blobName, BlobStore.Protection protection) {

        /** Until when its policy keeps it; empty under a legal hold alone, or when unknown. */
        public Optional<Instant> until() {
            return Optional.ofNullable(protection).map(BlobStore.Protection::retainUntil);
        }

        /** In plain words: "kept by policy until …", "kept by a legal hold". */
        public String reason() {
            if (protection != null && protection.legalHold()) {
                return blobName + " kept by a legal hold" + until().map(date -> " (policy until " + date + ")")
                        .orElse("");
            }
            return blobName + " kept by policy" + until().map(date -> " until " + date).orElse("");
        }
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
