package io.backuprelay.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The signature against the Standard Webhooks specification's test vector and its reference library (1.1.1). */
class WebhookSignerTest {

    @Test
    void signsTheSpecificationsTestVector() {
        // libraries/java TestScenario.validSigned and libraries/python test_sign_function of standard-webhooks.
        String signature = WebhookSigner.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330L, "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));

        assertThat(signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void theSecretWithoutItsPrefixSignsTheSame() {
        byte[] body = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
        assertThat(WebhookSigner.sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L, body))
                .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void aNewSecretIsWhsecAnd32RandomBytesAndTheReferenceLibraryVerifiesWhatItSigns() throws Exception {
        String secret = WebhookSigner.newSecret();
        assertThat(secret).startsWith("whsec_");
        assertThat(Base64.getDecoder().decode(secret.substring(6))).hasSize(32);
        assertThat(WebhookSigner.newSecret()).isNotEqualTo(secret);

        long now = Instant.now().getEpochSecond();
        String body = "{\"type\":\"backup.failed\",\"data\":{\"account\":\"Compañía \\\"Ñandú\\\" S.A.\"}}";
        String signature = WebhookSigner.sign(secret, "msg_1", now, body.getBytes(StandardCharsets.UTF_8));

        assertThatCode(() -> new Webhook(secret).verify(body, headers("msg_1", now, signature))).doesNotThrowAnyException();
    }

    @Test
    void theReferenceLibraryRefusesAnAlteredBodyAnotherSecretOrAnOldTimestamp() throws Exception {
        String secret = WebhookSigner.newSecret();
        long now = Instant.now().getEpochSecond();
        String body = "{\"n\":1}";
        String signature = WebhookSigner.sign(secret, "msg_1", now, body.getBytes(StandardCharsets.UTF_8));
        long old = now - 6 * 60;
        String oldSignature = WebhookSigner.sign(secret, "msg_1", old, body.getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> new Webhook(secret).verify("{\"n\":2}", headers("msg_1", now, signature)))
                .isInstanceOf(WebhookVerificationException.class);
        assertThatThrownBy(() -> new Webhook(WebhookSigner.newSecret()).verify(body, headers("msg_1", now, signature)))
                .isInstanceOf(WebhookVerificationException.class);
        // Outside the reference's 5 minutes of tolerance: why each try carries its own timestamp.
        assertThatThrownBy(() -> new Webhook(secret).verify(body, headers("msg_1", old, oldSignature)))
                .isInstanceOf(WebhookVerificationException.class).hasMessageContaining("too old");
    }

    @Test
    void aSignatureAmongSeveralIsFoundAsDuringASecretRotation() throws Exception {
        String secret = WebhookSigner.newSecret();
        long now = Instant.now().getEpochSecond();
        String body = "{\"n\":1}";
        String ours = WebhookSigner.sign(secret, "msg_1", now, body.getBytes(StandardCharsets.UTF_8));
        String others = WebhookSigner.sign(WebhookSigner.newSecret(), "msg_1", now, body.getBytes(StandardCharsets.UTF_8));

        assertThatCode(() -> new Webhook(secret).verify(body, headers("msg_1", now, others + " " + ours)))
                .doesNotThrowAnyException();
    }

    static Map<String, List<String>> headers(String id, long timestamp, String signature) {
        return Map.of(WebhookSigner.ID, List.of(id), WebhookSigner.TIMESTAMP, List.of(Long.toString(timestamp)),
                WebhookSigner.SIGNATURE, List.of(signature));
    }
}
