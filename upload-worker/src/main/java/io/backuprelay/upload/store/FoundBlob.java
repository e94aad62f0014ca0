package io.backuprelay.upload.store;

import io.backuprelay.blob.BlobStore.StoredBlob;
import io.backuprelay.blob.block.ArchiveFile;
import io.backuprelay.blob.block.Occupant;
import io.backuprelay.format.blob.BlobMetadata;
import java.util.Map;

/**
 * What a blob found under a backup's name is to the archive being stored, by the metadata this
 * system writes. A blob of this backup with this archive's size and SHA-256 is this archive, stored
 * by an earlier try; one of this backup with another archive is another dump of it, stored and
 * reported already, which stays; an empty blob with no backup in its metadata is what discarding a
 * follower's blocks leaves; anything else is another system's, and is never overwritten.
 */
enum FoundBlob {
    THIS_ARCHIVE, OTHER_ARCHIVE_OF_THIS_BACKUP, LEFTOVER, FOREIGN;

    static FoundBlob of(StoredBlob blob, ArchiveFile archive) {
        return of(blob, archive.backupId(), archive.sizeBytes(), archive.sha256());
    }

    static FoundBlob of(StoredBlob blob, String backupId, long sizeBytes, String sha256) {
        Map<String, String> metadata = blob.metadata();
        if (backupId.equals(metadata.get(BlobMetadata.BACKUP_ID))) {
            return blob.sizeBytes() == sizeBytes && sha256.equals(metadata.get(BlobMetadata.SHA256))
                    ? THIS_ARCHIVE : OTHER_ARCHIVE_OF_THIS_BACKUP;
        }
        return blob.sizeBytes() == 0 && metadata.get(BlobMetadata.BACKUP_ID) == null ? LEFTOVER : FOREIGN;
    }

    /** What the commit of {@code archive} does with a blob it finds under its name. */
    static Occupant.Rule occupants(ArchiveFile archive) {
        return blob -> switch (of(blob, archive)) {
            case THIS_ARCHIVE -> Occupant.THIS_ARCHIVE;
            case LEFTOVER -> Occupant.LEFTOVER;
            case OTHER_ARCHIVE_OF_THIS_BACKUP, FOREIGN -> Occupant.KEPT;
        };
    }

    /** Why the commit of {@code archive} left the blob it found under {@code blobName} alone. */
    static UploadFailedException refusal(StoredBlob kept, ArchiveFile archive, String blobName) {
        if (of(kept, archive) == OTHER_ARCHIVE_OF_THIS_BACKUP) {
            return new UploadFailedException("Backup " + archive.backupId() + " is already stored as " + blobName
                    + " from another dump (SHA-256 " + kept.metadata().get(BlobMetadata.SHA256) + "); it is not"
                    + " overwritten.", UploadFailedException.Kind.ALREADY_STORED);
        }
        return new UploadFailedException("A blob named " + blobName + " that is not backup " + archive.backupId()
                + " is already in the container; it is not overwritten. Remove or rename it, and ask for the backup"
                + " again.", UploadFailedException.Kind.PERMANENT);
    }
}
