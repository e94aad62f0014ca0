package io.backuprelay.upload.store;

import io.backuprelay.blob.BlobStore;
import io.backuprelay.blob.BlobTarget;
import io.backuprelay.blob.block.UploadedBlob;
import java.time.Instant;
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

    /**
     * Until when the stored blob's immutability policy keeps it, as the service reported it after the commit (or
     * found it stored); null when no policy does (a legal hold alone has no date).
     */
    public Instant immutableUntil() {
        BlobStore.Protection protection = blob.stored().protection();
        return protection == null ? null : protection.retainUntil();
    }
}
