package io.backuprelay.upload.azure;

import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.azure.storage.blob.options.BlobUploadFromFileOptions;
import io.backuprelay.blob.BlobContainers;
import io.backuprelay.blob.BlobErrors;
import io.backuprelay.common.account.Connection;
import io.backuprelay.upload.UploadFailedException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Puts one staged archive into an Azure container as a block blob and reads it back to verify it.
 * Transient errors are retried by the SDK's pipeline; what is left is turned into a reason.
 */
public final class BlobUploader {

    /** Azure allows 50,000 blocks a blob; staying at 45,000 leaves room. */
    static final long MAX_BLOCKS = 45_000;
    static final long MIN_BLOCK_BYTES = 8L * 1024 * 1024;

    private final int concurrency;

    public BlobUploader(int concurrency) {
        this.concurrency = concurrency;
    }

    /** max(8 MiB, size / 45,000): no blob comes near Azure's block limit. */
    public static long blockSize(long archiveBytes) {
        return Math.max(MIN_BLOCK_BYTES, (archiveBytes + MAX_BLOCKS - 1) / MAX_BLOCKS);
    }

    public UploadedBlob upload(Connection connection, String accessKey, String blobName, Path file, long sizeBytes,
                               Map<String, String> metadata) throws UploadFailedException {
        BlobClient blob = container(connection, accessKey, blockSize(sizeBytes)).getBlobClient(blobName);
        try {
            long blockSize = blockSize(sizeBytes);
            ParallelTransferOptions transfer = new ParallelTransferOptions()
                    .setBlockSizeLong(blockSize)
                    .setMaxSingleUploadSizeLong(blockSize)
                    .setMaxConcurrency(concurrency);
            blob.uploadFromFileWithResponse(new BlobUploadFromFileOptions(file.toString())
                    .setParallelTransferOptions(transfer)
                    .setHeaders(new BlobHttpHeaders().setContentType("application/octet-stream"))
                    .setMetadata(metadata), null, Context.NONE);
            return new UploadedBlob(blob.getBlobUrl(), blob.getProperties());
        } catch (BlobStorageException e) {
            throw new UploadFailedException(BlobErrors.reason(connection, e));
        } catch (RuntimeException e) {
            throw new UploadFailedException(BlobErrors.unreachable(connection, e));
        }
    }

    /** A small file (a manifest) beside the archive, overwriting an earlier attempt's. */
    public void uploadSmall(Connection connection, String accessKey, String blobName, Path file) throws UploadFailedException {
        BlobClient blob = container(connection, accessKey, MIN_BLOCK_BYTES).getBlobClient(blobName);
        try {
            blob.uploadFromFile(file.toString(), true);
        } catch (BlobStorageException e) {
            throw new UploadFailedException(BlobErrors.reason(connection, e));
        } catch (RuntimeException e) {
            throw new UploadFailedException(BlobErrors.unreachable(connection, e));
        }
    }

    /** The blob's properties if it exists, to find a backup that an earlier attempt already stored. */
    public Optional<UploadedBlob> find(Connection connection, String accessKey, String blobName) throws UploadFailedException {
        BlobClient blob = container(connection, accessKey, MIN_BLOCK_BYTES).getBlobClient(blobName);
        try {
            return Optional.of(new UploadedBlob(blob.getBlobUrl(), blob.getProperties()));
        } catch (BlobStorageException e) {
            if (e.getErrorCode() == BlobErrorCode.BLOB_NOT_FOUND || e.getStatusCode() == 404 && e.getErrorCode() == null) {
                return Optional.empty();
            }
            throw new UploadFailedException(BlobErrors.reason(connection, e));
        } catch (RuntimeException e) {
            throw new UploadFailedException(BlobErrors.unreachable(connection, e));
        }
    }

    private BlobContainerClient container(Connection connection, String accessKey, long blockSize) {
        // Each try gets time to send one block at a slow 1 MiB/s, and never less than a minute.
        int tryTimeoutSeconds = (int) Math.max(60, blockSize / (1024 * 1024));
        return BlobContainers.client(connection, accessKey, tryTimeoutSeconds, 4);
    }

    /** A blob as Azure reports it after the commit. */
    public record UploadedBlob(String url, BlobProperties properties) {

        public long size() {
            return properties.getBlobSize();
        }

        public Map<String, String> metadata() {
            return properties.getMetadata() == null ? Map.of() : properties.getMetadata();
        }
    }
}
