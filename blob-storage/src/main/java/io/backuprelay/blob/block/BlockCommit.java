package io.backuprelay.blob.block;

import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobStorageException;
import io.backuprelay.blob.AzureBlobStore;
import io.backuprelay.blob.BlobTransferException;
import io.backuprelay.blob.BlobStore;
import io.backuprelay.blob.BlobTarget;
import java.util.List;
import java.util.Optional;

/**
 * Commits an archive's block list so that it never overwrites a blob already stored under its name.
 * The commit is conditional ({@link BlobStore#commitBlocks}): only if no blob of that name exists.
 * When one does, the caller's {@link Occupant.Rule} says what it is:
 *
 * <ul>
 *   <li>{@link Occupant#THIS_ARCHIVE}: committed already, by an earlier try of this upload whose
 *       answer was lost (a timeout after Azure applied it). That is success;</li>
 *   <li>{@link Occupant#LEFTOVER}: an empty blob, what discarding a follower's blocks leaves when it
 *       stops between its two steps. It holds nothing, and is replaced only if still the same version
 *       ({@code If-Match} with the ETag found);</li>
 *   <li>{@link Occupant#KEPT}: never overwritten; the upload fails as
 *       {@link BlobTransferException.Kind#OCCUPIED}, carrying the blob found.</li>
 * </ul>
 */
final class BlockCommit {

    /** A blob that keeps changing under the commit is given up on for now (the upload is tried again). */
    private static final int TRIES = 3;

    private BlockCommit() {
    }

    /**
     * @return the blob that holds this archive now
     * @throws BlobTransferException OCCUPIED, or TRANSIENT (the blob kept changing)
     */
    static BlobStore.StoredBlob commit(AzureBlobStore store, BlobTarget target, ArchiveFile archive, List<String> ids,
                                       Occupant.Rule occupants) throws BlobTransferException {
        String blobName = target.blobName();
        String replacing = null;
        BlobStorageException immutable = null;
        for (int tries = 1; tries <= TRIES; tries++) {
            Optional<BlobStore.StoredBlob> committed;
            try {
                committed = store.commitBlocks(blobName, ids, archive.metadata(), target.accessTier(), replacing,
                        archive.protection());
            } catch (BlobStorageException e) {
                if (e.getErrorCode() != BlobErrorCode.BLOB_IMMUTABLE_DUE_TO_POLICY) {
                    throw e;
                }
                committed = Optional.empty(); // a protected blob is there: what it is decides, below
                immutable = e;
            }
            if (committed.isPresent()) {
                return committed.get();
            }
            Optional<BlobStore.StoredBlob> there = store.find(blobName);
            if (there.isEmpty()) {
                replacing = null; // deleted meanwhile
                continue;
            }
            BlobStore.StoredBlob blob = there.get();
            Occupant occupant = occupants.of(blob);
            if (immutable != null && occupant != Occupant.THIS_ARCHIVE) {
                throw new BlobTransferException(new BlobStore.ProtectedBlobException(blobName, blob.protection(),
                        immutable).getMessage() + " in container '" + target.connection().containerName()
                        + "'; backup " + archive.backupId() + " was not written over it.",
                        BlobTransferException.Kind.PERMANENT);
            }
            switch (occupant) {
                case THIS_ARCHIVE -> {
                    return blob;
                }
                case LEFTOVER -> replacing = blob.etag();
                case KEPT -> throw BlobTransferException.occupied(blob);
            }
        }
        throw new BlobTransferException("The blob " + blobName + " kept changing while backup " + archive.backupId()
                + " was committed; it is tried again.", BlobTransferException.Kind.TRANSIENT);
    }
}
