package io.backuprelay.blob;

import com.azure.storage.blob.models.BlobStorageException;
import io.backuprelay.common.account.Connection;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

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
        return switch (e) {
            case BlobStorageException azure -> BlobTransferException.of(BlobErrors.reason(connection, azure),
                    BlobErrors.isTransient(azure));
            case AwsServiceException s3 -> BlobTransferException.of(s3Reason(connection, s3), s3Transient(s3));
            case BlobStore.ProtectedBlobException kept -> BlobTransferException.of(kept.getMessage(), false);
            case EndpointPolicy.EndpointRefusedException refused -> BlobTransferException.of("The endpoint "
                    + connection.blobEndpoint() + " is not allowed: " + refused.getMessage(), false);
            default -> BlobTransferException.of(connection.isS3() ? unreachableBucket(connection, e)
                    : BlobErrors.unreachable(connection, e), true);
        };
    }

    private static String unreachableBucket(Connection connection, RuntimeException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return "Cannot reach the bucket '" + connection.containerName() + "' at " + connection.blobEndpoint() + ": "
                + root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    private static boolean s3Transient(AwsServiceException e) {
        int status = e.statusCode();
        return status == 408 || status == 429 || status >= 500 || e.isThrottlingException();
    }

    private static String s3Reason(Connection connection, AwsServiceException e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        String bucket = "The bucket '" + connection.containerName() + "' at " + connection.blobEndpoint();
        if ("NoSuchBucket".equals(code)) {
            return bucket + " does not exist. Create it, or correct the connection '" + connection.connectionId() + "'.";
        }
        if ("InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code)) {
            return bucket + " rejected the access key of the connection '" + connection.connectionId()
                    + "'. Update its key id and secret.";
        }
        if ("AccessDenied".equals(code) || e.statusCode() == 403) {
            return bucket + " does not allow this key to do what a backup needs (write, read, list, delete).";
        }
        return bucket + " refused the request (HTTP " + e.statusCode() + (code == null ? "" : ", " + code) + ").";
    }
}
