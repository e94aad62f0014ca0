package io.backuprelay.common.account;

import com.fasterxml.jackson.annotation.JsonIgnore;
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
 * @param s3           for an {@link ConnectionType#S3} connection: region, key id and addressing; the
 *                     bucket is {@code containerName}, the prefix {@code path}, the secret access key
 *                     {@code accessKey}, and {@code storageAccountName} is absent (added later; null for Azure)
 * @param immutability how each backup stored here is kept from deletion for a while (added later; null: not at all)
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
        SealedSecret sasToken,
        S3Options s3,
        Immutability immutability) {

    public Connection {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(connectionId, "connectionId");
        type = type == null ? ConnectionType.AZURE_BLOB : type;
        if (type == ConnectionType.S3) {
            Objects.requireNonNull(s3, "s3");
            if (sasToken != null) {
                throw new IllegalArgumentException("an S3 connection has no SAS token");
            }
        } else {
            Objects.requireNonNull(storageAccountName, "storageAccountName");
            if (s3 != null) {
                throw new IllegalArgumentException("an Azure connection has no S3 options");
            }
        }
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

    @JsonIgnore // not a property: the type says it
    public boolean isS3() {
        return type == ConnectionType.S3;
    }

    /**
     * The service's address without a trailing slash: the endpoint given, or by default Azure's
     * {@code https://{storageAccountName}.blob.core.windows.net} or AWS's {@code https://s3.{region}.amazonaws.com}.
     */
    public String blobEndpoint() {
        if (endpoint != null && !endpoint.isBlank()) {
            return endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        }
        return isS3() ? "https://s3." + s3.region() + ".amazonaws.com"
                : "https://" + storageAccountName + ".blob.core.windows.net";
    }

    /** Who the stored key belongs to: the storage account (Azure) or the key id (S3). */
    public String keyOwner() {
        return isS3() ? s3.accessKeyId() : storageAccountName;
    }

    /** Where this connection's access key is sealed and the container it opens: the seal's associated data. */
    public SecretContext accessKeyContext() {
        return SecretContext.accessKey(accountId, connectionId, blobEndpoint(), keyOwner(), containerName);
    }

    /** Where this connection's SAS token is sealed and the container it opens. */
    public SecretContext sasTokenContext() {
        return SecretContext.sasToken(accountId, connectionId, blobEndpoint(), storageAccountName, containerName);
    }
}
