package io.backuprelay.upload.store;

import io.backuprelay.blob.BlobTarget;
import io.backuprelay.blob.block.UploadedBlob;
import java.util.List;

/**
 * A dump's archive stored and verified.
 *
 * @param target where it is
 * @param blob   the blob as Azure reports it
 * @param checks what it passed ({@code BackupCompleted.Check} names), in the order they ran
 */
public record StoredArchive(BlobTarget target, UploadedBlob blob, List<String> checks) {

    public StoredArchive {
        checks = List.copyOf(checks);
    }
}
