package io.backuprelay.blob;

import io.backuprelay.common.account.Connection;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * "Test connection" of an S3 connection: writes a small object under the prefix, reads it back and deletes it;
 * for a connection that asks for immutable backups, says whether the bucket has Object Lock enabled. Answers
 * ok, or the reason in plain words. Run through {@link BlobAccess#probe}, under its policy.
 */
final class S3Probe {

    private S3Probe() {
    }

    static ConnectionProbe.Result test(BlobAccess access, Connection connection, BlobCredential credential) {
        S3Store store;
        try {
            store = access.s3Store(connection, credential, true);
        } catch (EndpointPolicy.EndpointRefusedException e) {
            return ConnectionProbe.Result.failed("The endpoint " + connection.blobEndpoint() + " is not allowed: "
                    + e.getMessage());
        }
        String folder = connection.path().isBlank() ? "" : connection.path().replaceAll("^/+|/+$", "") + "/";
        String name = folder + ".backuprelay-probe-" + UUID.randomUUID();
        byte[] content = ("backuprelay connection test " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        ConnectionProbe.Result result;
        try {
            store.putSmall(name, content, Map.of());
            try {
                Optional<byte[]> read = store.readSmall(name);
                result = read.isPresent() && Arrays.equals(read.get(), content) ? ConnectionProbe.Result.success()
                        : ConnectionProbe.Result.failed("The probe object read back from bucket '"
                        + connection.containerName() + "' differs from what was written.");
            } finally {
                store.delete(name);
            }
        } catch (EndpointPolicy.EndpointRefusedException e) {
            return ConnectionProbe.Result.failed("The endpoint " + connection.blobEndpoint() + " is not allowed: "
                    + e.getMessage());
        } catch (SdkException e) {
            return ConnectionProbe.Result.failed(S3Errors.reason(connection.containerName(),
                    "the test write to bucket '" + connection.containerName() + "' at " + connection.blobEndpoint(), e));
        }
        if (connection.immutability() == null) {
            return result;
        }
        return result.withImmutability(store.objectLockEnabled()
                .map(enabled -> enabled
                        ? "Object Lock is enabled on bucket '" + connection.containerName() + "': each backup is kept "
                        + connection.immutability().days() + " days as asked."
                        : "Object Lock is not enabled on bucket '" + connection.containerName() + "': backups cannot be"
                        + " kept immutable there. Object Lock can only be chosen when a bucket is created.")
                .orElse("Whether bucket '" + connection.containerName() + "' has Object Lock enabled could not be"
                        + " read (the key may not ask): backups may not be kept immutable."));
    }
}
