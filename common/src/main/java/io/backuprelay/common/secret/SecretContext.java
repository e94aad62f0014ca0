package io.backuprelay.common.secret;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where a sealed secret lives: the logical topic (without the environment's prefix), the record's
 * key and the field. It is the AES-GCM associated data of the seal, so a secret copied into another
 * record, another account or another field does not open.
 */
public record SecretContext(String topic, String recordKey, String field) {

    public SecretContext {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(recordKey, "recordKey");
        Objects.requireNonNull(field, "field");
    }

    /** A connection's storage access key ({@code backup.connections}, {@code accountId/connectionId}). */
    public static SecretContext accessKey(String accountId, String connectionId) {
        return new SecretContext("backup.connections", accountId + "/" + connectionId, "accessKey");
    }

    /** A connection's SAS token. */
    public static SecretContext sasToken(String accountId, String connectionId) {
        return new SecretContext("backup.connections", accountId + "/" + connectionId, "sasToken");
    }

    /** An account's database password ({@code backup.accounts}, {@code accountId}). */
    public static SecretContext databasePassword(String accountId) {
        return new SecretContext("backup.accounts", accountId, "source.password");
    }

    byte[] associatedData(String keyId) {
        return String.join("|", keyId, topic, recordKey, field).getBytes(StandardCharsets.UTF_8);
    }
}
