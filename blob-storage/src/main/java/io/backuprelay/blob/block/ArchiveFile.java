package io.backuprelay.blob.block;

import io.backuprelay.blob.BlobStore;
import java.nio.file.Path;
import java.util.Map;

/**
 * A local file to store as a block blob, as its writer announced it: the blob is committed only if
 * the bytes read for sending, in order, have this size and SHA-256.
 *
 * @param backupId   the backup it holds: with the file's name, it names the blocks of this attempt
 * @param metadata   what the committed blob carries
 * @param protection the immutability policy and legal hold the blob is committed under; null for none
 */
public record ArchiveFile(String backupId, Path file, long sizeBytes, String sha256, Map<String, String> metadata,
                          BlobStore.Protection protection) {

    public ArchiveFile {
        metadata = Map.copyOf(metadata);
    }

    /** An archive committed with no protection. */
    public ArchiveFile(String backupId, Path file, long sizeBytes, String sha256, Map<String, String> metadata) {
        this(backupId, file, sizeBytes, sha256, metadata, null);
    }
}
