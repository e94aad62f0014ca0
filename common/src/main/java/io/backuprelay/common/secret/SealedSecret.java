package io.backuprelay.common.secret;

import java.util.Objects;

/**
 * A secret encrypted with one of the services' master keys (AES-256-GCM). It may travel in
 * compacted topics; only a holder of the master key named by {@code keyId} can open it.
 *
 * @param keyId      which master key sealed it, so keys can rotate
 * @param ciphertext base64 of the 12-byte nonce followed by the ciphertext and its tag
 * @param version    {@link #TARGETED}: sealed to the record, field and target; {@link #BOUND} and
 *                   {@link #UNBOUND}: older, opened only by {@code rekey}
 */
public record SealedSecret(String keyId, String ciphertext, int version) {

    /** Sealed with the key id alone as associated data, before secrets were bound to their record. */
    public static final int UNBOUND = 1;
    /** Sealed with {@link SecretContext}'s record and field as associated data, before targets were bound. */
    public static final int BOUND = 2;
    /** Sealed with {@link SecretContext}'s record, field and target as associated data. */
    public static final int TARGETED = 3;

    public SealedSecret {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(ciphertext, "ciphertext");
        version = version == 0 ? UNBOUND : version; // records written before the field existed
    }

    public SealedSecret(String keyId, String ciphertext) {
        this(keyId, ciphertext, UNBOUND);
    }

    @Override
    public String toString() {
        return "SealedSecret[keyId=" + keyId + ", ciphertext=***, version=" + version + "]";
    }
}
