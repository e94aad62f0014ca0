package io.backuprelay.common.secret;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals and opens secrets with AES-256-GCM. New secrets are sealed with the current key; any key
 * still in the ring opens what it sealed, so a master key can be rotated without a big-bang rewrite.
 */
public final class SecretSealer {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String currentKeyId;
    private final Map<String, SecretKeySpec> keys;

    /**
     * @param currentKeyId the key that seals new secrets
     * @param keys         every key id with its 32-byte key
     */
    public SecretSealer(String currentKeyId, Map<String, byte[]> keys) {
        if (!keys.containsKey(currentKeyId)) {
            throw new IllegalArgumentException("No master key with id '" + currentKeyId + "'");
        }
        keys.forEach((id, key) -> {
            if (key.length != 32) {
                throw new IllegalArgumentException("Master key '" + id + "' must be 32 bytes (256 bits), is " + key.length);
            }
        });
        this.currentKeyId = currentKeyId;
        this.keys = Map.copyOf(keys.entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> new SecretKeySpec(e.getValue(), "AES"))));
    }

    /** A sealer with one key, given as base64 of 32 bytes. */
    public static SecretSealer ofBase64(String keyId, String base64Key) {
        return new SecretSealer(keyId, Map.of(keyId, Base64.getDecoder().decode(base64Key.trim())));
    }

    /**
     * The sealer of a service: {@code BACKUPRELAY_MASTER_KEY} (base64 of 32 bytes) under the id
     * {@code BACKUPRELAY_MASTER_KEY_ID} (default {@code k1}).
     */
    public static SecretSealer from(io.backuprelay.common.config.ConfigSource config) {
        String keyId = config.string("BACKUPRELAY_MASTER_KEY_ID", "k1");
        String key = config.required("BACKUPRELAY_MASTER_KEY");
        try {
            return ofBase64(keyId, key);
        } catch (IllegalArgumentException e) {
            throw new io.backuprelay.common.config.ConfigException("BACKUPRELAY_MASTER_KEY",
                    "must be the base64 of 32 random bytes (" + e.getMessage().replaceAll("[A-Za-z0-9+/=]{20,}", "***") + ")");
        }
    }

    /** A new random 256-bit key, base64-encoded, for a first start. */
    public static String newBase64Key() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    public SealedSecret seal(String plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentKeyId), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(currentKeyId.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
            return new SealedSecret(currentKeyId, Base64.getEncoder().encodeToString(out));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    /**
     * @throws SecretUnavailableException when the key is unknown or the ciphertext was altered
     */
    public String open(SealedSecret secret) {
        SecretKeySpec key = keys.get(secret.keyId());
        if (key == null) {
            throw new SecretUnavailableException("The secret was sealed with master key '" + secret.keyId()
                    + "', which this service does not have");
        }
        try {
            byte[] in = Base64.getDecoder().decode(secret.ciphertext());
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            cipher.updateAAD(secret.keyId().getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new SecretUnavailableException("The secret sealed with master key '" + secret.keyId()
                    + "' cannot be opened: the key is wrong or the ciphertext was altered");
        }
    }
}
