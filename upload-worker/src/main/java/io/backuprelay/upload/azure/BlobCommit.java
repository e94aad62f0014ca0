package io.backuprelay.upload.azure;

import io.backuprelay.blob.BlobStore;
import io.backuprelay.upload.BlobMetadata;
import io.backuprelay.upload.UploadFailedException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Commits a backup's block list so that it never overwrites a blob already stored under its name.
 * The commit is conditional ({@link BlobStore#commitBlocks}): only if no blob of that name exists.
 * When one does, what it is decides:
 *
 * <ul>
 *   <li>this backup, with this archive's size and SHA-256: committed already, by an earlier try of
 *       this upload whose answer was lost (a timeout after Azure applied it). That is success;</li>
 *   <li>this backup with another archive: another dump of the same backup is stored and was
 *       reported; it stays, and this upload fails as {@link UploadFailedException.Kind#ALREADY_STORED};</li>
 *   <li>an empty blob with no backup in its metadata: what discarding a follower's blocks leaves when
 *       it stops between its two steps. It holds nothing, and is replaced only if still the same
 *       version ({@code If-Match} with the ETag found);</li>
 *   <li>anything else (another system's blob): never overwritten; the upload fails, naming it.</li>
 * </ul>
 */
final class BlobCommit {

    /** A blob that keeps changing under the commit is given up on for now (the upload is tried again). */
    private static final int TRIES = 3;

    private BlobCommit() {
    }

    /** What a blob found under the backup's name is to this upload. */
    enum Found { THIS_ARCHIVE, OTHER_ARCHIVE_OF_THIS_BACKUP, LEFTOVER, FOREIGN }

    static Found classify(BlobStore.StoredBlob blob, String backupId, long sizeBytes, String sha256) {
        Map<String, String> metadata = blob.metadata();
        if (backupId.equals(metadata.get(BlobMetadata.BACKUP_ID))) {
            return blob.sizeBytes() == sizeBytes && sha256.equals(metadata.get(BlobMetadata.SHA256))
                    ? Found.THIS_ARCHIVE : Found.OTHER_ARCHIVE_OF_THIS_BACKUP;
        }
        return blob.sizeBytes() == 0 && metadata.get(BlobMetadata.BACKUP_ID) == null ? Found.LEFTOVER : Found.FOREIGN;
    }

    /**
     * @return the blob that holds this archive now
     * @throws UploadFailedException ALREADY_STORED, PERMANENT (another system's blob), or TRANSIENT
     *                               (the blob kept changing)
     */
    static BlobStore.StoredBlob commit(BlobStore store, String backupId, String blobName, List<String> ids,
                                       long sizeBytes, String sha256, Map<String, String> metadata, String accessTier)
            throws UploadFailedException {
        String replacing = null;
        for (int tries = 1; tries <= TRIES; tries++) {
            Optional<BlobStore.StoredBlob> committed = store.commitBlocks(blobName, ids, metadata, accessTier, replacing);
            if (committed.isPresent()) {
                return committed.get();
            }
            Optional<BlobStore.StoredBlob> there = store.find(blobName);
            if (there.isEmpty()) {
                replacing = null; // deleted meanwhile
                continue;
            }
            BlobStore.StoredBlob blob = there.get();
            switch (classify(blob, backupId, sizeBytes, sha256)) {
                case THIS_ARCHIVE -> {
                    return blob;
                }
                case OTHER_ARCHIVE_OF_THIS_BACKUP -> throw new UploadFailedException("Backup " + backupId
                        + " is already stored as " + blobName + " from another dump (SHA-256 "
                        + blob.metadata().get(BlobMetadata.SHA256) + "); it is not overwritten.",
                        UploadFailedException.Kind.ALREADY_STORED);
                case LEFTOVER -> replacing = blob.etag();
                case FOREIGN -> throw new UploadFailedException("A blob named " + blobName + " that is not backup "
                        + backupId + " is already in the container; it is not overwritten. Remove or rename it, and"
                        + " ask for the backup again.", UploadFailedException.Kind.PERMANENT);
            }
        }
        throw new UploadFailedException("The blob " + blobName + " kept changing while backup " + backupId
                + " was committed; it is tried again.", UploadFailedException.Kind.TRANSIENT);
    }
}
