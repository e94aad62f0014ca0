package io.backuprelay.blob;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobStorageException;
import io.backuprelay.common.account.Connection;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;

/**
 * "Test connection": writes a small blob where backups would go, reads it back and deletes it.
 * Answers ok, or the reason in plain words. Run through {@link BlobAccess#probe}, under its policy.
 */
public final class ConnectionProbe {

    private ConnectionProbe() {
    }

    static Result test(BlobContainers containers, Connection connection, BlobCredential credential) {
        String folder = connection.path().isBlank() ? "" : connection.path().replaceAll("^/+|/+$", "") + "/";
        BlobContainerClient container;
        BlobClient blob;
        try {
            // Time-boxed: one try of at most 10 s per request, so a probe never holds a thread for long.
            container = containers.client(connection, credential, 10, 1);
            blob = container.getBlobClient(folder + ".backuprelay-probe-" + UUID.randomUUID());
        } catch (EndpointPolicy.EndpointRefusedException e) {
            return Result.failed("The endpoint " + connection.blobEndpoint() + " is not allowed: " + e.getMessage());
        }
        byte[] content = ("backuprelay connection test " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        try {
            blob.upload(BinaryData.fromBytes(content));
            try {
                byte[] read = blob.downloadContent().toBytes();
                if (!Arrays.equals(read, content)) {
                    return Result.failed("The probe blob read back from storage account '"
                            + connection.storageAccountName() + "' differs from what was written.");
                }
            } finally {
                deleteProbe(blob);
            }
            return connection.immutability() == null ? Result.success()
                    : Result.success().withImmutability(immutability(container, connection));
        } catch (BlobStorageException e) {
            return Result.failed(BlobErrors.reason(connection, e));
        } catch (RuntimeException e) {
            return Result.failed(BlobErrors.unreachable(connection, e));
        }
    }

    /** A container with a default immutability policy keeps even the probe blob: it stays until the policy ends. */
    private static void deleteProbe(BlobClient blob) {
        try {
            blob.deleteIfExists();
        } catch (BlobStorageException e) {
            if (e.getErrorCode() != BlobErrorCode.BLOB_IMMUTABLE_DUE_TO_POLICY) {
                throw e;
            }
        }
    }

    /**
     * Whether the container has version-level immutability enabled ({@code x-ms-immutable-storage-with-versioning-
     * enabled} on its properties), which each backup's own policy needs. A SAS token that may not read the
     * container's properties leaves it unknown.
     */
    private static String immutability(BlobContainerClient container, Connection connection) {
        try {
            if (Boolean.TRUE.equals(container.getProperties().isImmutableStorageWithVersioningEnabled())) {
                return "yes: the container '" + connection.containerName() + "' supports version-level"
                        + " immutability; each backup is kept " + connection.immutability().mode().name()
                        .toLowerCase(Locale.ROOT) + " for " + connection.immutability().days() + " days"
                        + (connection.immutability().legalHold() ? ", under a legal hold" : "") + ".";
            }
            return "no: the container '" + connection.containerName() + "' does not have version-level immutability"
                    + " enabled (it needs versioning on the storage account and immutable storage with versioning on"
                    + " the container); backups stored there would be refused their policy.";
        } catch (BlobStorageException e) {
            return "unknown: the container's properties could not be read (HTTP " + e.getStatusCode() + ").";
        }
    }

    /**
     * @param reason       why it failed, in detail, for the log; {@code null} when ok
     * @param immutability for a connection that asks for immutable backups, whether the container (bucket) can keep
     *                     them so, in plain words; {@code null} when it does not ask
     */
    public record Result(boolean ok, String reason, String immutability) {

        /** This result, saying whether the container can keep backups immutable. */
        public Result withImmutability(String note) {
            return new Result(ok, reason, note);
        }

        /**
         * What a tenant is told of a failure: the same words whatever happened, so that the answers
         * cannot map what lies behind an endpoint (refused, closed, timed out, an HTTP error).
         */
        public String tenantReason() {
            return ok ? null : "The storage account did not accept the request. Check the storage account name, the"
                    + " container, the access key or SAS token, and the endpoint.";
        }

        static Result success() {
            return new Result(true, null, null);
        }

        static Result failed(String reason) {
            return new Result(false, reason, null);
        }
    }
}
