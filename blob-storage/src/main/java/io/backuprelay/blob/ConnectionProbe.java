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
 * Answers ok, or the reason in plain words.
 */
public final class ConnectionProbe {

    private ConnectionProbe() {
    }

    public static Result test(Connection connection, BlobCredential credential) {
        String folder = connection.path().isBlank() ? "" : connection.path().replaceAll("^/+|/+$", "") + "/";
        BlobClient blob = BlobContainers.client(connection, credential, 20, 2)
                .getBlobClient(folder + ".backuprelay-probe-" + UUID.randomUUID());
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

    /** @param reason why it failed; {@code null} when ok */
    public record Result(boolean ok, String reason) {

        static Result success() {
            return new Result(true, null);
        }

        static Result failed(String reason) {
            return new Result(false, reason);
        }
    }
}
