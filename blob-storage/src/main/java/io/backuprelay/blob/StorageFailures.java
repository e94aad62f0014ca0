package io.backuprelay.blob;

import com.azure.storage.blob.models.BlobStorageException;
import io.backuprelay.common.account.Connection;

/**
 * Any storage service's failure, Azure's or an S3-compatible one's, as a {@link BlobTransferException}: transient
 * (no answer, timeouts, throttling, server errors) or permanent (what a person must fix), with a reason in words a
 * super-administrator can act on and never a secret. For callers that reach storage through {@link BlobStore} and
 * must not know which SDK answered.
 */
public final class StorageFailures {

    private StorageFailures() {
    }

    public static BlobTransferException of(Connection connection, RuntimeException e) {
        if (connection.isS3() && !(e instanceof BlobStore.ProtectedBlobException)) {
            return S3Errors.transfer(connection.containerName(), "a request to the bucket '" + connection.containerName()
                    + "' at " + connection.blobEndpoint(), e);
        }
        return switch (e) {
            case BlobStorageException azure -> BlobTransferException.of(BlobErrors.reason(connection, azure),
                    BlobErrors.isTransient(azure));
            case BlobStore.ProtectedBlobException kept -> BlobTransferException.of(kept.getMessage(), false);
            case EndpointPolicy.EndpointRefusedException refused -> BlobTransferException.of("The endpoint "
                    + connection.blobEndpoint() + " is not allowed: " + refused.getMessage(), false);
            default -> BlobTransferException.of(BlobErrors.unreachable(connection, e), true);
        };
    }
}
