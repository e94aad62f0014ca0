package io.backuprelay.console.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.util.HashSet;
import java.util.Set;

/**
 * Checks bearer tokens with Nimbus JOSE+JWT: HS256 with the console's secret, or RS256 against an
 * identity provider's JWKS. A token must be signed, unexpired, and carry {@code sub}, {@code role}
 * and, for a super-administrator, {@code account}.
 */
public final class TokenVerifier {

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    private TokenVerifier(JWKSource<SecurityContext> keys, JWSAlgorithm algorithm, String issuer) {
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithm, keys));
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        if (issuer != null) {
            exact.issuer(issuer);
        }
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(exact.build(),
                new HashSet<>(Set.of("sub", "role", "exp"))));
    }

    /** HS256 with a shared secret of at least 32 bytes. */
    public static TokenVerifier hmac(byte[] secret, String issuer) {
        return new TokenVerifier(new ImmutableSecret<>(secret), JWSAlgorithm.HS256, issuer);
    }

    /** RS256 against the keys an identity provider publishes. */
    public static TokenVerifier jwks(String jwksUrl, String issuer) {
        try {
            JWKSource<SecurityContext> keys = JWKSourceBuilder.create(URI.create(jwksUrl).toURL()).build();
            return new TokenVerifier(keys, JWSAlgorithm.RS256, issuer);
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("CONSOLE_JWKS_URL is not a URL: " + jwksUrl, e);
        }
    }

    /** @throws InvalidTokenException saying what is wrong, never echoing the token */
    public Principal verify(String token) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            throw new InvalidTokenException("The bearer token is not a JWT");
        } catch (BadJOSEException e) {
            throw new InvalidTokenException("The bearer token was rejected: " + e.getMessage());
        } catch (JOSEException e) {
            throw new InvalidTokenException("The bearer token could not be checked");
        }
        Role role = Role.parse(stringClaim(claims, "role"))
                .orElseThrow(() -> new InvalidTokenException("The token's role must be superadmin or operator"));
        String account = stringClaim(claims, "account");
        if (role == Role.SUPERADMIN && (account == null || account.isBlank())) {
            throw new InvalidTokenException("A superadmin token must name its account");
        }
        return new Principal(claims.getSubject(), stringClaim(claims, "email"), account, role);
    }

    private static String stringClaim(JWTClaimsSet claims, String name) {
        try {
            return claims.getStringClaim(name);
        } catch (ParseException e) {
            throw new InvalidTokenException("The token's claim '" + name + "' must be a string");
        }
    }
}
