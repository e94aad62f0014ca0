package io.backuprelay.console.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/** Mints HS256 tokens with the console's secret, for local use and tests. */
public final class TokenMinter {

    private final byte[] secret;
    private final String issuer;

    public TokenMinter(byte[] secret, String issuer) {
        this.secret = secret.clone();
        this.issuer = issuer;
    }

    public String mint(String subject, String email, String accountId, Role role, Duration validity) {
        return mint(subject, email, accountId, role, null, validity);
    }

    /** @param locale the claim {@code locale}, the caller's language; {@code null}: none */
    public String mint(String subject, String email, String accountId, Role role, String locale, Duration validity) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(subject)
                .claim("role", role.claim())
                .issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plus(validity)));
        if (email != null) {
            claims.claim("email", email);
        }
        if (accountId != null) {
            claims.claim("account", accountId);
        }
        if (locale != null) {
            claims.claim("locale", locale);
        }
        if (issuer != null) {
            claims.issuer(issuer);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        try {
            jwt.sign(new MACSigner(secret));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("The console secret must be at least 32 bytes", e);
        }
        return jwt.serialize();
    }
}
