package io.backuprelay.common.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.json.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SecretSealerTest {

    private static final String AZURE = "https://acmebackups.blob.core.windows.net";
    private static final SecretContext ACME_MAIN = SecretContext.accessKey("acme", "main", AZURE, "acmebackups", "db-backups");

    private static final String KEY = SecretSealer.newBase64Key();
    private final SecretSealer sealer = SecretSealer.ofBase64("k1", KEY);

    @Test
    void opensWhatItSealedWhereItWasSealed() {
        SealedSecret sealed = sealer.seal("s3cr3t-ácces-kéy==", ACME_MAIN);
        assertThat(sealed.version()).isEqualTo(SealedSecret.TARGETED);
        assertThat(sealer.open(sealed, ACME_MAIN)).isEqualTo("s3cr3t-ácces-kéy==");
    }

    /**
     * Before: the associated data was the key id alone, so anyone who could write to the topics could
     * copy a sealed password into an account whose host is theirs, and a worker would open and use it.
     */
    @Test
    void aSecretMovedToAnotherRecordAccountOrFieldDoesNotOpen() {
        SealedSecret sealed = sealer.seal("the key of acme", ACME_MAIN);
        for (SecretContext elsewhere : List.of(
                SecretContext.accessKey("evil", "main", AZURE, "acmebackups", "db-backups"),
                SecretContext.accessKey("acme", "other", AZURE, "acmebackups", "db-backups"),
                SecretContext.sasToken("acme", "main", AZURE, "acmebackups", "db-backups"),
                SecretContext.databasePassword("acme", Engine.POSTGRESQL,
                        "db.acme.internal", 5432, "app", "backup"))) {
            assertThatThrownBy(() -> sealer.open(sealed, elsewhere)).as(elsewhere.toString())
                    .isInstanceOf(SecretUnavailableException.class).hasMessageContaining("another record, field or target");
        }
    }

    /**
     * Before: the associated data named the record and field but not where the secret goes, so a
     * writer to backup.accounts could point an account at a host of theirs, keep the sealed password,
     * and the dump worker would open it and send it there; the same for a connection's key.
     */
    @Test
    void aSecretWhoseRecordIsReAimedAtAnotherTargetDoesNotOpen() {
        var engine = Engine.POSTGRESQL;
        SealedSecret password = sealer.seal("db password", SecretContext.databasePassword("Acme Ñandú", engine,
                "db.acme.internal", 5432, "app", "backup"));
        assertThat(sealer.open(password, SecretContext.databasePassword("Acme Ñandú", engine, "db.acme.internal", 5432,
                "app", "backup"))).isEqualTo("db password");
        for (SecretContext reAimed : List.of(
                SecretContext.databasePassword("Acme Ñandú", engine, "attacker.example", 5432, "app", "backup"),
                SecretContext.databasePassword("Acme Ñandú", engine, "db.acme.internal", 6432, "app", "backup"),
                SecretContext.databasePassword("Acme Ñandú", engine, "db.acme.internal", 5432, "other", "backup"),
                SecretContext.databasePassword("Acme Ñandú", engine, "db.acme.internal", 5432, "app", "postgres"),
                SecretContext.databasePassword("Acme Ñandú", Engine.MARIADB,
                        "db.acme.internal", 5432, "app", "backup"))) {
            assertThatThrownBy(() -> sealer.open(password, reAimed)).as(reAimed.target())
                    .isInstanceOf(SecretUnavailableException.class).hasMessageContaining("re-aimed");
        }
        SealedSecret key = sealer.seal("storage key", ACME_MAIN);
        for (SecretContext reAimed : List.of(
                SecretContext.accessKey("acme", "main", "https://evil.blob.core.windows.net", "acmebackups", "db-backups"),
                SecretContext.accessKey("acme", "main", AZURE, "evilaccount", "db-backups"),
                SecretContext.accessKey("acme", "main", AZURE, "acmebackups", "other-container"))) {
            assertThatThrownBy(() -> sealer.open(key, reAimed)).as(reAimed.target())
                    .isInstanceOf(SecretUnavailableException.class);
        }
        assertThatThrownBy(() -> sealer.open(key, new SecretContext("backup.connections", "acme/main", "accessKey")))
                .as("no target given").hasMessageContaining("none was given");
    }

    @Test
    void aSecretSealedBeforeTargetsWereBoundOpensOnlyForRekeyWhichBindsIt() {
        SecretContext untargeted = new SecretContext("backup.connections", "acme/main", "accessKey");
        SealedSecret bound = sealer.seal("older key", untargeted);
        assertThat(bound.version()).isEqualTo(SealedSecret.BOUND);
        assertThatThrownBy(() -> sealer.open(bound, ACME_MAIN)).hasMessageContaining("./backuprelay rekey");
        assertThat(sealer.isCurrent(bound)).isFalse();
        // rekey: a sealer that accepts secrets of before, re-sealing each for its record's current target
        SecretSealer rekey = new SecretSealer(sealer.currentKeyId(), Map.of(sealer.currentKeyId(),
                Base64.getDecoder().decode(KEY)), true);
        SealedSecret targeted = rekey.reseal(new SealedSecret(bound.keyId(), bound.ciphertext(), bound.version()), ACME_MAIN);
        assertThat(targeted.version()).isEqualTo(SealedSecret.TARGETED);
        assertThat(sealer.open(targeted, ACME_MAIN)).isEqualTo("older key");
    }

    @Test
    void neverShowsThePlaintextInTheSealedFormOrItsJson() {
        SealedSecret sealed = sealer.seal("hunter2-very-secret", ACME_MAIN);
        assertThat(sealed.toString()).doesNotContain("hunter2").doesNotContain(sealed.ciphertext());
        assertThat(Json.encodeToString(sealed)).doesNotContain("hunter2");
        assertThat(sealer.seal("hunter2-very-secret", ACME_MAIN).ciphertext()).isNotEqualTo(sealed.ciphertext());
    }

    @Test
    void refusesAnAlteredCiphertext() {
        SealedSecret sealed = sealer.seal("password", ACME_MAIN);
        byte[] bytes = Base64.getDecoder().decode(sealed.ciphertext());
        bytes[bytes.length - 1] ^= 1;
        SealedSecret altered = new SealedSecret("k1", Base64.getEncoder().encodeToString(bytes), SealedSecret.TARGETED);
        assertThatThrownBy(() -> sealer.open(altered, ACME_MAIN)).isInstanceOf(SecretUnavailableException.class)
                .hasMessageContaining("altered");
    }

    /** Before: only one key was ever loaded, so the documented rotation could not work. */
    @Test
    void aRingOfKeysOpensWhatAnyOfThemSealedAndSealsWithTheCurrentOne() {
        String k1 = SecretSealer.newBase64Key();
        String k2 = SecretSealer.newBase64Key();
        SecretSealer before = SecretSealer.from(new ConfigSource(Map.of("BACKUPRELAY_MASTER_KEY", k1)));
        SealedSecret old = before.seal("old password", ACME_MAIN);

        SecretSealer after = SecretSealer.from(new ConfigSource(Map.of("BACKUPRELAY_MASTER_KEYS", "k1:" + k1 + ",k2:" + k2)));

        assertThat(after.currentKeyId()).isEqualTo("k2");
        assertThat(after.open(old, ACME_MAIN)).isEqualTo("old password");
        assertThat(after.isCurrent(old)).isFalse();
        SealedSecret resealed = after.reseal(old, ACME_MAIN);
        assertThat(resealed.keyId()).isEqualTo("k2");
        assertThat(after.isCurrent(resealed)).isTrue();
        assertThat(SecretSealer.from(new ConfigSource(Map.of("BACKUPRELAY_MASTER_KEY", k2, "BACKUPRELAY_MASTER_KEY_ID", "k2")))
                .open(resealed, ACME_MAIN)).as("once re-sealed, the old key can go").isEqualTo("old password");
    }

    @Test
    void aSecretSealedBeforeTheBindingOpensOnlyForRekey() throws Exception {
        byte[] key = Base64.getDecoder().decode(SecretSealer.newBase64Key());
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        byte[] nonce = new byte[12];
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"),
                new GCMParameterSpec(128, nonce));
        cipher.updateAAD("k1".getBytes(StandardCharsets.UTF_8)); // as the first version sealed
        byte[] sealedBytes = cipher.doFinal("legacy".getBytes(StandardCharsets.UTF_8));
        SealedSecret legacy = Json.decode(("{\"keyId\":\"k1\",\"ciphertext\":\"" + Base64.getEncoder().encodeToString(
                ByteBuffer.allocate(12 + sealedBytes.length).put(nonce).put(sealedBytes).array()) + "\"}")
                .getBytes(StandardCharsets.UTF_8), SealedSecret.class);

        assertThat(legacy.version()).isEqualTo(SealedSecret.UNBOUND);
        assertThatThrownBy(() -> new SecretSealer("k1", Map.of("k1", key)).open(legacy, ACME_MAIN))
                .hasMessageContaining("./backuprelay rekey");
        SecretSealer rekey = new SecretSealer("k1", Map.of("k1", key), true);
        SealedSecret bound = rekey.reseal(legacy, ACME_MAIN);
        assertThat(new SecretSealer("k1", Map.of("k1", key)).open(bound, ACME_MAIN)).isEqualTo("legacy");
    }

    @Test
    void namesTheMissingKey() {
        SealedSecret sealed = sealer.seal("x", ACME_MAIN);
        SecretSealer other = SecretSealer.ofBase64("k9", SecretSealer.newBase64Key());
        assertThatThrownBy(() -> other.open(sealed, ACME_MAIN)).hasMessageContaining("'k1'");
    }
}
