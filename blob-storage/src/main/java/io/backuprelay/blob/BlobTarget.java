package io.backuprelay.blob;

import io.backuprelay.common.account.Connection;

/**
 * One blob in a connection's container, and how to sign in to reach it: what every call that
 * writes, reads or deletes one blob needs.
 *
 * @param connection the account's connection: endpoint, storage account, container, access tier
 * @param credential the connection's key or SAS token, opened
 * @param blobName   the blob's full name in the container
 */
public record BlobTarget(Connection connection, BlobCredential credential, String blobName) {

    /** Another blob of the same container (the manifest beside an archive). */
    public BlobTarget named(String otherBlobName) {
        return new BlobTarget(connection, credential, otherBlobName);
    }

    /** {@code HOT}, {@code COOL}, {@code COLD}, or {@code null} for the storage account's default. */
    public String accessTier() {
        return connection.accessTier();
    }

    @Override
    public String toString() {
        return connection.containerName() + "/" + blobName;
    }
}
