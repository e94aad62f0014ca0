package io.backuprelay.upload.retention;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.ListBlobsOptions;
import io.backuprelay.blob.BlobContainers;
import io.backuprelay.blob.BlobCredential;
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
        BlobContainerClient container = BlobContainers.client(connection, credential, 60, 4);
        List<RetentionRules.StoredBackup> stored = new ArrayList<>();
        ListBlobsOptions options = new ListBlobsOptions().setPrefix(accountFolder)
                .setDetails(new BlobListDetails().setRetrieveMetadata(true));
        for (BlobItem item : container.listBlobs(options, null)) {
            Map<String, String> metadata = item.getMetadata() == null ? Map.of() : item.getMetadata();
            if (item.getName().endsWith(".manifest.json")
                    || !BlobMetadata.WRITER.equals(metadata.get(BlobMetadata.WRITTEN_BY))
                    || !accountId.equals(metadata.get(BlobMetadata.ACCOUNT_ID))
                    || metadata.get(BlobMetadata.BACKUP_ID) == null) {
                continue;
            }
            String requestedAt = metadata.get(BlobMetadata.REQUESTED_AT);
            stored.add(new RetentionRules.StoredBackup(item.getName(), metadata.get(BlobMetadata.BACKUP_ID),
                    requestedAt != null ? Instant.parse(requestedAt) : item.getProperties().getCreationTime().toInstant()));
        }
        List<String> deleted = new ArrayList<>();
        for (RetentionRules.StoredBackup backup : RetentionRules.toDelete(stored, policy, newestBackupId, now)) {
            container.getBlobClient(backup.blobName()).deleteIfExists();
            container.getBlobClient(backup.blobName() + ".manifest.json").deleteIfExists();
            deleted.add(backup.blobName());
        }
        return deleted;
    }
}
