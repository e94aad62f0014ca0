package io.backuprelay.upload.store;

import io.backuprelay.blob.BlobTarget;
import io.backuprelay.blob.block.ArchiveFile;
import io.backuprelay.blob.BlobTransferException;
import io.backuprelay.blob.block.BlobUploader;
import io.backuprelay.blob.block.Sent;
import io.backuprelay.blob.block.UploadedBlob;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * The block uploader in the upload worker's terms: a commit leaves every blob under the backup's
 * name alone that is not this archive or a leftover ({@link FoundBlob}), and what fails is an
 * {@link UploadFailedException} of the kind that decides the backup's outcome.
 */
final class BackupBlobs {

    private final BlobUploader uploader;

    BackupBlobs(BlobUploader uploader) {
        this.uploader = uploader;
    }

    /** The blob under the backup's name, if there is one. */
    Optional<UploadedBlob> find(BlobTarget target) throws UploadFailedException {
        try {
            return uploader.find(target);
        } catch (BlobTransferException e) {
            throw UploadFailedException.of(e);
        }
    }

    /** @param progress told the bytes this attempt has sent so far */
    UploadedBlob upload(BlobTarget target, ArchiveFile archive, LongConsumer progress) throws UploadFailedException {
        try {
            return uploader.upload(target, archive, FoundBlob.occupants(archive), progress);
        } catch (BlobTransferException e) {
            throw failure(e, target, archive);
        }
    }

    /** Commits what a follower sent of the archive while it was dumped. */
    UploadedBlob commitFollowed(BlobTarget target, ArchiveFile archive, Sent sent) throws UploadFailedException {
        try {
            return uploader.commitFollowed(target, archive, sent, FoundBlob.occupants(archive));
        } catch (BlobTransferException e) {
            throw failure(e, target, archive);
        }
    }

    /** Downloads the committed blob and compares it with the archive; one that differs is deleted and sent again. */
    void verifyByReadBack(BlobTarget target, String sha256) throws UploadFailedException {
        try {
            uploader.verifyByReadBack(target, sha256);
        } catch (BlobTransferException e) {
            throw UploadFailedException.of(e);
        }
    }

    private static UploadFailedException failure(BlobTransferException e, BlobTarget target, ArchiveFile archive) {
        return e.occupant().map(kept -> FoundBlob.refusal(kept, archive, target.blobName()))
                .orElseGet(() -> UploadFailedException.of(e));
    }
}
