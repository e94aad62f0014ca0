package io.backuprelay.common.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backuprelay.common.json.Json;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretSealerTest {

    private final SecretSealer sealer = SecretSealer.ofBase64("k1", SecretSealer.newBase64Key());

    @Test
    void opensWhatItSealed() {
        SealedSecret sealed = sealer.seal("s3cr3t-ácces-kéy==");
        assertThat(sealer.open(sealed)).isEqualTo("s3cr3t-ácces-kéy==");
    }

    @Test
    void neverShowsThePlaintextInTheSealedFormOrItsJson() {
        SealedSecret sealed = sealer.seal("hunter2-very-secret");
        assertThat(sealed.toString()).doesNotContain("hunter2").doesNotContain(sealed.ciphertext());
        assertThat(Json.encodeToString(sealed)).doesNotContain("hunter2");
        assertThat(sealer.seal("hunter2-very-secret").ciphertext()).isNotEqualTo(sealed.ciphertext());
    }

    @Test
    void refusesAnAlteredCiphertext() {
        SealedSecret sealed = sealer.seal("password");
        byte[] bytes = Base64.getDecoder().decode(sealed.ciphertext());
        bytes[bytes.length - 1] ^= 1;
        SealedSecret altered = new SealedSecret("k1", Base64.getEncoder().encodeToString(bytes));
        assertThatThrownBy(() -> sealer.open(altered)).isInstanceOf(SecretUnavailableException.class)
                .hasMessageContaining("altered");
    }

    @Test
    void opensSecretsOfAnOlderKeyAfterRotation() {
        byte[] oldKey = new byte[32];
        byte[] newKey = new byte[32];
        newKey[0] = 1;
        SecretSealer before = new SecretSealer("k1", Map.of("k1", oldKey));
        SecretSealer after = new SecretSealer("k2", Map.of("k1", oldKey, "k2", newKey));
        SealedSecret old = before.seal("old password");
        assertThat(after.open(old)).isEqualTo("old password");
        assertThat(after.seal("new").keyId()).isEqualTo("k2");
    }

    @Test
    void namesTheMissingKey() {
        SealedSecret sealed = sealer.seal("x");
        SecretSealer other = SecretSealer.ofBase64("k9", SecretSealer.newBase64Key());
        assertThatThrownBy(() -> other.open(sealed)).hasMessageContaining("'k1'");
    }
}
