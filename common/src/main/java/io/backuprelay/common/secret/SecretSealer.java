package io.backuprelay.common.secret;

import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals and opens secrets with AES-256-GCM, bound to where they live ({@link SecretContext} is the
 * associated data, with the key id): a secret moved to another record or field does not open. New
 * secrets are sealed with the current key; any key still in the ring opens what it sealed, so a
 * master key can be rotated ({@code ./backuprelay rekey} re-seals everything with the current one).
 */
public final class SecretSealer {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String currentKeyId;
    private final Map<String, SecretKeySpec> keys;
    private final boolean acceptUnbound;

    /**
     * @param currentKeyId the key that seals new secrets
     * @param keys         every key id with its 32-byte key
     */
    public SecretSealer(String currentKeyId, Map<String, byte[]> keys) {
        this(currentKeyId, keys, false);
    }

    /** @param acceptUnbound whether secrets sealed before they were bound to their record still open (rekey) */
    public SecretSealer(String currentKeyId, Map<String, byte[]> keys, boolean acceptUnbound) {
        this.acceptUnbound = acceptUnbound;
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
                .collect(Collectors.toMap(Map.Entry::getKey, e -> new SecretKeySpec(e.getValue(), "AES"))));
    }

    /** A sealer with one key, given as base64 of 32 bytes. */
    public static SecretSealer ofBase64(String keyId, String base64Key) {
        return new SecretSealer(keyId, Map.of(keyId, Base64.getDecoder().decode(base64Key.trim())));
    }

    /**
     * The sealer of a service: the keys of {@code BACKUPRELAY_MASTER_KEYS} ({@code id:base64,id:base64},
     * for a rotation) or the one {@code BACKUPRELAY_MASTER_KEY} (base64 of 32 bytes); new secrets are
     * sealed with {@code BACKUPRELAY_MASTER_KEY_ID} (default {@code k1}, or the last of the list).
     */
    public static SecretSealer from(ConfigSource config) {
        return from(config, false);
    }

    /** The same; {@code acceptUnbound} for the rekey command, which re-seals secrets of before the binding. */
    public static SecretSealer from(ConfigSource config, boolean acceptUnbound) {
        Optional<String> ring = CommonSettings.MASTER_KEYS.find(config);
        String variable = (ring.isPresent() ? CommonSettings.MASTER_KEYS : CommonSettings.MASTER_KEY).name();
        try {
            Map<String, byte[]> keys = new LinkedHashMap<>();
            String last = null;
            if (ring.isPresent()) {
                for (String entry : ring.get().split(",")) {
                    int colon = entry.indexOf(':');
                    if (colon <= 0) {
                        throw new IllegalArgumentException("each entry is id:base64");
                    }
                    last = entry.substring(0, colon).strip();
                    keys.put(last, Base64.getDecoder().decode(entry.substring(colon + 1).strip()));
                }
            } else {
                keys.put(CommonSettings.MASTER_KEY_ID.read(config),
                        Base64.getDecoder().decode(CommonSettings.MASTER_KEY.read(config).trim()));
            }
            String current = last != null ? CommonSettings.MASTER_KEY_ID.read(config, last) : CommonSettings.MASTER_KEY_ID.read(config);
            return new SecretSealer(current, keys, acceptUnbound);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(variable,
                    "must hold base64 keys of 32 random bytes (" + e.getMessage().replaceAll("[A-Za-z0-9+/=]{20,}", "***") + ")");
        }
    }

    public String currentKeyId() {
        return currentKeyId;
    }

    /** A new random 256-bit key, base64-encoded, for a first start. */
    public static String newBase64Key() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /** Seals {@code plaintext} with the current key, to live at {@code where} and nowhere else. */
    public SealedSecret seal(String plaintext, SecretContext where) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentKeyId), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(where.associatedData(currentKeyId, where.targeted()));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
            return new SealedSecret(currentKeyId, Base64.getEncoder().encodeToString(out),
                    where.targeted() ? SealedSecret.TARGETED : SealedSecret.BOUND);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    /**
     * Opens it and seals it again with the current key at the same place, bound to the target of
     * {@code where}: what {@code rekey} does.
     */
    public SealedSecret reseal(SealedSecret secret, SecretContext where) {
        return seal(open(secret, where), where);
    }

    /** Whether it is sealed with the current key and bound to its place: nothing for {@code rekey} to do. */
    public boolean isCurrent(SealedSecret secret) {
        return secret.keyId().equals(currentKeyId) && secret.version() == SealedSecret.TARGETED;
    }

    /**
     * @throws SecretUnavailableException when the key is unknown, the ciphertext was altered, or the
     *                                    secret was sealed for another place (moved between records)
     */
    public String open(SealedSecret secret, SecretContext where) {
        if (secret.version() < SealedSecret.TARGETED && !acceptUnbound) {
            throw new SecretUnavailableException("The secret was sealed before secrets were bound to their record and"
                    + " target; the operators must run ./backuprelay rekey");
        }
        if (secret.version() == SealedSecret.TARGETED && !where.targeted()) {
            throw new SecretUnavailableException("The secret is bound to a target, and none was given to open it");
        }
        SecretKeySpec key = keys.get(secret.keyId());
        if (key == null) {
            throw new SecretUnavailableException("The secret was sealed with master key '" + secret.keyId()
                    + "', which this service does not have");
        }
        try {
            byte[] in = Base64.getDecoder().decode(secret.ciphertext());
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            cipher.updateAAD(secret.version() < SealedSecret.BOUND ? secret.keyId().getBytes(StandardCharsets.UTF_8)
                    : where.associatedData(secret.keyId(), secret.version() == SealedSecret.TARGETED));
            return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new SecretUnavailableException("The secret sealed with master key '" + secret.keyId()
                    + "' cannot be opened here: the key is wrong, the ciphertext was altered, or it was sealed for"
                    + " another record, field or target (a record re-aimed at another server or container)");
        }
    }
}
