package io.backuprelay.upload.retention;

import io.backuprelay.blob.BlobCredential;
import io.backuprelay.blob.BlobStore;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.Retention;
import io.backuprelay.upload.BlobMetadata;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Applies an account's retention in its container after a successful, verified backup. It looks
 * only under the account's folder and touches only blobs whose metadata says this system wrote them
 * for this account, so other systems' blobs in the same container are safe.
 */
public final class RetentionSweep {

    private RetentionSweep() {
    }

    /** @return the blob names it deleted */
    public static List<String> apply(Connection connection, BlobCredential credential, String accountFolder, String accountId,
                                     Retention policy, String newestBackupId, Instant now) {
        if (policy == null) {
            return List.of();
        }
        BlobStore store = BlobStore.of(connection, credential);
        List<RetentionRules.StoredBackup> stored = new ArrayList<>();
        for (BlobStore.StoredBlob blob : store.list(accountFolder)) {
            Map<String, String> metadata = blob.metadata();
            if (blob.name().endsWith(".manifest.json")
                    || !BlobMetadata.WRITER.equals(metadata.get(BlobMetadata.WRITTEN_BY))
                    || !accountId.equals(metadata.get(BlobMetadata.ACCOUNT_ID))
                    || metadata.get(BlobMetadata.BACKUP_ID) == null) {
                continue;
            }
            String requestedAt = metadata.get(BlobMetadata.REQUESTED_AT);
            stored.add(new RetentionRules.StoredBackup(blob.name(), metadata.get(BlobMetadata.BACKUP_ID),
                    requestedAt != null ? Instant.parse(requestedAt) : blob.lastModified()));
        }
        List<String> deleted = new ArrayList<>();
        for (RetentionRules.StoredBackup backup : RetentionRules.toDelete(stored, policy, newestBackupId, now)) {
            store.delete(backup.blobName());
            store.delete(backup.blobName() + ".manifest.json");
            deleted.add(backup.blobName());
        }
        return deleted;
    }
}
