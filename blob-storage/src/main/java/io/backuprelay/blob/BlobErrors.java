package io.backuprelay.blob;

import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobStorageException;
import io.backuprelay.common.account.Connection;

/** Azure's errors in words a super-administrator can act on. They never contain the key. */
public final class BlobErrors {

    private BlobErrors() {
    }

    /**
     * Whether trying again may help: request timeouts, throttling and server errors (Azure's
     * {@code ServerBusy}, {@code OperationTimedOut}, {@code InternalError} among them). Everything
     * else Azure answers (a rejected key, a missing container, an immutability policy, a disabled
     * account) stays as it is until a person acts.
     */
    public static boolean isTransient(BlobStorageException e) {
        int status = e.getStatusCode();
        BlobErrorCode code = e.getErrorCode();
        return status == 408 || status == 429 || status >= 500
                || code == BlobErrorCode.SERVER_BUSY || code == BlobErrorCode.OPERATION_TIMED_OUT
                || code == BlobErrorCode.INTERNAL_ERROR;
    }

    public static String reason(Connection connection, BlobStorageException e) {
        String account = "Storage account '" + connection.storageAccountName() + "'";
        BlobErrorCode code = e.getErrorCode();
        if (connection.sasToken() != null && (code == BlobErrorCode.AUTHENTICATION_FAILED
                || code == BlobErrorCode.AUTHORIZATION_FAILURE || e.getStatusCode() == 403 && code == null)) {
            return account + " rejected the SAS token of the connection '" + connection.connectionId()
                    + "' (it may have expired, or lack a permission). Replace the token.";
        }
        if (code == BlobErrorCode.CONTAINER_NOT_FOUND) {
            return "The container '" + connection.containerName() + "' does not exist in storage account '"
                    + connection.storageAccountName() + "'. Create it, or correct the connection.";
        }
        if (code == BlobErrorCode.AUTHENTICATION_FAILED || e.getStatusCode() == 403 && code == null) {
            return account + " rejected the access key. Update the key of the connection '"
                    + connection.connectionId() + "'.";
        }
        if (code == BlobErrorCode.AUTHORIZATION_FAILURE) {
            // Azure's answer to a request it cannot admit: with an account key, a wrong key (as the
            // emulator reports it) or network rules that keep the backup service out.
            return account + " refused the access key: the key is wrong, or the account's network rules do not admit"
                    + " the backup service. Update the key of the connection '" + connection.connectionId()
                    + "' or the account's firewall settings.";
        }
        if (code == BlobErrorCode.AUTHORIZATION_PERMISSION_MISMATCH || code == BlobErrorCode.INSUFFICIENT_ACCOUNT_PERMISSIONS) {
            return account + " does not allow this key to write to the container '" + connection.containerName() + "'.";
        }
        if (code == BlobErrorCode.ACCOUNT_IS_DISABLED) {
            return account + " is disabled.";
        }
        if (code == BlobErrorCode.BLOB_IMMUTABLE_DUE_TO_POLICY) {
            return "The blob is kept by an immutability policy or a legal hold in container '"
                    + connection.containerName() + "' of storage account '" + connection.storageAccountName()
                    + "': it cannot be overwritten or deleted until the policy expires (or the hold is lifted).";
        }
        if (code == BlobErrorCode.CONTAINER_BEING_DELETED) {
            return account + " refused the write to container '" + connection.containerName() + "' (" + code + ").";
        }
        return account + " refused the request (HTTP " + e.getStatusCode() + (code == null ? "" : ", " + code) + ").";
    }

    /** A failure that never got an answer from Azure: the host is unknown or unreachable. */
    public static String unreachable(Connection connection, RuntimeException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return "Cannot reach the blob endpoint of storage account '" + connection.storageAccountName() + "' ("
                + connection.blobEndpoint() + "): " + root.getClass().getSimpleName()
                + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
