package io.backuprelay.common.secret;

import java.util.Objects;

/**
 * A secret encrypted with one of the services' master keys (AES-256-GCM). It may travel in
 * compacted topics; only a holder of the master key named by {@code keyId} can open it.
 *
 * @param keyId      which master key sealed it, so keys can rotate
 * @param ciphertext base64 of the 12-byte nonce followed by the ciphertext and its tag
 */
public record SealedSecret(String keyId, String ciphertext) {

    public SealedSecret {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(ciphertext, "ciphertext");
    }

    @Override
    public String toString() {
        return "SealedSecret[keyId=" + keyId + ", ciphertext=***]";
    }
}
