package io.backuprelay.common.account;

import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.common.secret.SecretContext;
import java.util.Objects;

/**
 * A place the account's backups can go (topic {@code backup.connections}, key
 * {@code accountId/connectionId}; a tombstone deletes it).
 *
 * @param path     optional folder inside the container, e.g. {@code backups/companyX}
 * @param endpoint   optional blob endpoint for sovereign clouds and emulators; by default
 *                   {@code https://{storageAccountName}.blob.core.windows.net}
 * @param accessTier optional tier of the backups' blobs: {@code HOT}, {@code COOL} or {@code COLD}; the account's default when absent
 * @param sasToken   a container-scoped SAS token, instead of the access key
 */
public record Connection(
        String accountId,
        String connectionId,
        ConnectionType type,
        String description,
        String storageAccountName,
        String containerName,
        String path,
        SealedSecret accessKey,
        boolean enabledForAutomaticBackup,
        String endpoint,
        String accessTier,
        SealedSecret sasToken) {

    public Connection {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(connectionId, "connectionId");
        type = type == null ? ConnectionType.AZURE_BLOB : type;
        Objects.requireNonNull(storageAccountName, "storageAccountName");
        Objects.requireNonNull(containerName, "containerName");
        path = path == null ? "" : path;
        if (accessKey == null && sasToken == null) {
            throw new NullPointerException("accessKey or sasToken");
        }
        accessTier = accessTier == null || accessTier.isBlank() ? null : accessTier;
    }

    /** The record key of a connection on {@code backup.connections}. */
    public static String key(String accountId, String connectionId) {
        return accountId + "/" + connectionId;
    }

    public String key() {
        return key(accountId, connectionId);
    }

    public String blobEndpoint() {
        if (endpoint != null && !endpoint.isBlank()) {
            return endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        }
        return "https://" + storageAccountName + ".blob.core.windows.net";
    }

    /** Where this connection's access key is sealed and the container it opens: the seal's associated data. */
    public SecretContext accessKeyContext() {
        return SecretContext.accessKey(accountId, connectionId, blobEndpoint(), storageAccountName, containerName);
    }

    /** Where this connection's SAS token is sealed and the container it opens. */
    public SecretContext sasTokenContext() {
        return SecretContext.sasToken(accountId, connectionId, blobEndpoint(), storageAccountName, containerName);
    }
}
