package io.backuprelay.console.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.Test;

class TokenVerifierTest {

    private static final byte[] SECRET = "a-console-secret-of-at-least-32-bytes!".getBytes(StandardCharsets.UTF_8);

    @Test
    void acceptsAnHs256TokenItMintedAndReadsItsClaims() {
        String token = new TokenMinter(SECRET, "backuprelay").mint("u-1", "ana@acme.example", "acme", Role.SUPERADMIN,
                Duration.ofMinutes(5));

        Principal principal = TokenVerifier.hmac(SECRET, "backuprelay").verify(token);

        assertThat(principal).isEqualTo(new Principal("u-1", "ana@acme.example", "acme", Role.SUPERADMIN));
    }

    @Test
    void refusesAWrongIssuerAnUnknownRoleAndASuperadminWithoutAccount() {
        TokenVerifier verifier = TokenVerifier.hmac(SECRET, "backuprelay");
        String otherIssuer = new TokenMinter(SECRET, "someone-else").mint("u", null, "acme", Role.SUPERADMIN, Duration.ofMinutes(5));
        assertThatThrownBy(() -> verifier.verify(otherIssuer)).isInstanceOf(InvalidTokenException.class);
        String noAccount = new TokenMinter(SECRET, "backuprelay").mint("u", null, null, Role.SUPERADMIN, Duration.ofMinutes(5));
        assertThatThrownBy(() -> verifier.verify(noAccount)).hasMessage("A superadmin token must name its account");
    }

    @Test
    void acceptsAnRs256TokenSignedByTheIdentityProviderOfTheJwksUrlAndNothingElse() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("idp-1").generate();
        HttpServer jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] keys = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        jwks.createContext("/jwks.json", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, keys.length);
            exchange.getResponseBody().write(keys);
            exchange.close();
        });
        jwks.start();
        try {
            TokenVerifier verifier = TokenVerifier.jwks("http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json", null);
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("idp-1").build(),
                    new JWTClaimsSet.Builder().subject("idp-user").claim("role", "operator").claim("email", "ops@p.example")
                            .expirationTime(Date.from(Instant.now().plusSeconds(300))).build());
            jwt.sign(new RSASSASigner(key));

            assertThat(verifier.verify(jwt.serialize()).role()).isEqualTo(Role.OPERATOR);

            String hmacToken = new TokenMinter(SECRET, null).mint("x", null, null, Role.OPERATOR, Duration.ofMinutes(5));
            assertThatThrownBy(() -> verifier.verify(hmacToken)).isInstanceOf(InvalidTokenException.class);
        } finally {
            jwks.stop(0);
        }
    }
}
