package io.backuprelay.blob.block;

import io.backuprelay.blob.AzureBlobStore;
import io.backuprelay.blob.BlobStore;
import java.util.List;
import java.util.Map;

/**
 * A blob as Azure reports it after the commit.
 *
 * @param bytesSent   what this attempt sent (less than the size when it resumed an earlier one)
 * @param blockChecks the checksum each block carried for Azure to check, CRC64 before MD5
 */
public record UploadedBlob(String url, BlobStore.StoredBlob stored, long bytesSent,
                           List<AzureBlobStore.BlockChecksum> blockChecks) {

    public long size() {
        return stored.sizeBytes();
    }

    public Map<String, String> metadata() {
        return stored.metadata();
    }
}
