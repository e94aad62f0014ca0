package io.backuprelay.common.secret;

import io.backuprelay.format.archive.Engine;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where a sealed secret lives and what it opens: the logical topic (without the environment's
 * prefix), the record's key, the field, and the target the secret is sent to (the database server,
 * database and user of a password; the endpoint, storage account and container of a key or token).
 * It is the AES-GCM associated data of the seal, so a secret copied into another record, another
 * account or another field does not open, nor one whose record was re-aimed at another target by
 * someone who can write to the topic.
 *
 * @param target empty only to open what was sealed before secrets were bound to their target ({@code rekey})
 */
public record SecretContext(String topic, String recordKey, String field, String target) {

    public SecretContext {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(recordKey, "recordKey");
        Objects.requireNonNull(field, "field");
        target = target == null ? "" : target;
    }

    /** A place without a target: what was sealed before targets were bound. */
    public SecretContext(String topic, String recordKey, String field) {
        this(topic, recordKey, field, "");
    }

    /** A connection's storage access key ({@code backup.connections}, {@code accountId/connectionId}), for its container. */
    public static SecretContext accessKey(String accountId, String connectionId, String blobEndpoint,
                                          String storageAccount, String container) {
        return storageSecret("accessKey", accountId, connectionId, blobEndpoint, storageAccount, container);
    }

    /** A connection's SAS token, for its container. */
    public static SecretContext sasToken(String accountId, String connectionId, String blobEndpoint,
                                         String storageAccount, String container) {
        return storageSecret("sasToken", accountId, connectionId, blobEndpoint, storageAccount, container);
    }

    /** An account's database password ({@code backup.accounts}, {@code accountId}), for its server, database and user. */
    public static SecretContext databasePassword(String accountId, Engine engine,
                                                 String host, int port, String database, String username) {
        return new SecretContext("backup.accounts", accountId, "source.password",
                String.join("|", engine.name(), host, Integer.toString(port), database, username));
    }

    private static SecretContext storageSecret(String field, String accountId, String connectionId, String blobEndpoint,
                                               String storageAccount, String container) {
        return new SecretContext("backup.connections", accountId + "/" + connectionId, field,
                String.join("|", blobEndpoint, storageAccount, container));
    }

    /** Whether a secret sealed here is bound to its target. */
    boolean targeted() {
        return !target.isEmpty();
    }

    byte[] associatedData(String keyId, boolean withTarget) {
        return (withTarget ? String.join("|", keyId, topic, recordKey, field, target)
                : String.join("|", keyId, topic, recordKey, field)).getBytes(StandardCharsets.UTF_8);
    }
}
