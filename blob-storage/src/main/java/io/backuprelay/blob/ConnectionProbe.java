package io.backuprelay.blob;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.models.BlobStorageException;
import io.backuprelay.common.account.Connection;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
        BlobClient blob;
        try {
            // Time-boxed: one try of at most 10 s per request, so a probe never holds a thread for long.
            blob = containers.client(connection, credential, 10, 1)
                    .getBlobClient(folder + ".backuprelay-probe-" + UUID.randomUUID());
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
                blob.deleteIfExists();
            }
            return Result.success();
        } catch (BlobStorageException e) {
            return Result.failed(BlobErrors.reason(connection, e));
        } catch (RuntimeException e) {
            return Result.failed(BlobErrors.unreachable(connection, e));
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
