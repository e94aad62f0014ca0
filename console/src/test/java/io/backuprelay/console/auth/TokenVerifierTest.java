package io.backuprelay.console.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
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

    /**
     * The identity provider's tokens (RS256 from its key set), with the issuer and audience this
     * console requires. Before: the issuer was optional and the audience never checked, so a key set
     * shared by a provider's customers let anyone mint role=operator.
     */
    @Test
    void anIdentityProvidersTokenMustNameThisIssuerAndAudienceAndNothingElseIsAccepted() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("idp-1").generate();
        TokenVerifier verifier = TokenVerifier.jwks(new ImmutableJWKSet<>(
                new JWKSet(key.toPublicJWK())), "https://idp.example", "backuprelay-console", Duration.ofHours(12));
        Instant now = Instant.now();

        assertThat(verifier.verify(rs256(key, claims(now).build())).role()).isEqualTo(Role.OPERATOR);

        assertRefused(verifier, rs256(key, claims(now).audience("another-app").build()), "wrong aud");
        assertRefused(verifier, rs256(key, claims(now).audience((String) null).build()), "no aud");
        assertRefused(verifier, rs256(key, claims(now).issuer("https://evil.example").build()), "wrong iss");
        assertRefused(verifier, rs256(key, claims(now).expirationTime(null).build()), "no exp");
        assertRefused(verifier, rs256(key, claims(now).notBeforeTime(Date.from(now.plusSeconds(3600))).build()), "future nbf");
        assertRefused(verifier, rs256(key, claims(now).expirationTime(Date.from(now.plus(Duration.ofDays(30)))).build()),
                "a 30-day token");
        // alg=none: an unsecured JWT with the right claims
        String none = new PlainJWT(claims(now).build()).serialize();
        assertRefused(verifier, none, "alg=none");
        // HS256 signed with the RSA public key as the HMAC secret (the algorithm-confusion attack)
        SignedJWT confused = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("idp-1").build(), claims(now).build());
        confused.sign(new MACSigner(key.toPublicJWK().toRSAPublicKey().getEncoded()));
        assertRefused(verifier, confused.serialize(), "HS256 with the public key");
        // signed by another key with the same kid
        RSAKey other = new RSAKeyGenerator(2048).keyID("idp-1").generate();
        assertRefused(verifier, rs256(other, claims(now).build()), "another key");
    }

    @Test
    void aJwksConsoleNeedsAnHttpsKeySetAnIssuerAndAnAudience() {
        assertThatThrownBy(() -> TokenVerifier.jwks("http://idp.example/jwks.json", "https://idp.example", "app",
                Duration.ofHours(12))).hasMessageContaining("HTTPS");
        assertThatThrownBy(() -> TokenVerifier.jwks("https://idp.example/jwks.json", null, "app", Duration.ofHours(12)))
                .hasMessageContaining("CONSOLE_JWT_ISSUER");
        assertThatThrownBy(() -> TokenVerifier.jwks("https://idp.example/jwks.json", "https://idp.example", null,
                Duration.ofHours(12))).hasMessageContaining("CONSOLE_JWT_AUDIENCE");
    }

    @Test
    void aMintedTokenLongerThanTheMaximumLifetimeIsRefused() {
        String week = new TokenMinter(SECRET, null).mint("u", null, null, Role.OPERATOR, Duration.ofDays(7));
        assertRefused(TokenVerifier.hmac(SECRET, null), week, "a week-long token");
        String hours = new TokenMinter(SECRET, null).mint("u", null, null, Role.OPERATOR, Duration.ofHours(12));
        assertThat(TokenVerifier.hmac(SECRET, null).verify(hours).role()).isEqualTo(Role.OPERATOR);
    }

    /** Before: the cap counted from iat, so an iat a year ahead gave a token valid for a year and 12 hours. */
    @Test
    void anIssueTimeInTheFutureNeitherStretchesTheLifetimeNorPasses() throws Exception {
        Instant now = Instant.now();
        Instant ahead = now.plus(Duration.ofDays(365));
        String stretched = hs256(new JWTClaimsSet.Builder().subject("u").claim("role", "operator")
                .issueTime(Date.from(ahead)).expirationTime(Date.from(ahead.plus(Duration.ofHours(11)))).build());
        assertThatThrownBy(() -> TokenVerifier.hmac(SECRET, null).verify(stretched))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("issued in the future");
        String skewed = hs256(new JWTClaimsSet.Builder().subject("u").claim("role", "operator")
                .issueTime(Date.from(now.plusSeconds(30))).expirationTime(Date.from(now.plus(Duration.ofHours(12))))
                .build());
        assertThat(TokenVerifier.hmac(SECRET, null).verify(skewed).role()).as("30 s of clock skew").isEqualTo(Role.OPERATOR);
    }

    private static String hs256(JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(SECRET));
        return jwt.serialize();
    }

    private static JWTClaimsSet.Builder claims(Instant now) {
        return new JWTClaimsSet.Builder().subject("idp-user").claim("role", "operator").issuer("https://idp.example")
                .audience("backuprelay-console").issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300)));
    }

    private static String rs256(RSAKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private static void assertRefused(TokenVerifier verifier, String token, String what) {
        assertThatThrownBy(() -> verifier.verify(token)).as(what).isInstanceOf(InvalidTokenException.class);
    }
}
