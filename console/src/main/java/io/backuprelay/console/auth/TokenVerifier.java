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
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.Set;

/**
 * Checks bearer tokens with Nimbus JOSE+JWT: HS256 with the console's secret, or RS256 against an
 * identity provider's JWKS (with its issuer and audience). A token must be signed with that one
 * algorithm, be valid now ({@code exp}, and {@code nbf} when set), be valid for no longer than the
 * maximum lifetime, and carry {@code sub}, {@code role} and, for a super-administrator, {@code account}.
 */
public final class TokenVerifier {

    /** How long a token may be valid at most, unless configured otherwise ({@code CONSOLE_JWT_MAX_LIFETIME}). */
    public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofHours(12);

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final Duration maxLifetime;

    private TokenVerifier(JWKSource<SecurityContext> keys, JWSAlgorithm algorithm, String issuer, String audience,
                          Duration maxLifetime) {
        this.maxLifetime = maxLifetime;
        // Only this one algorithm: "none", and an HS256 token signed with an RSA public key, never verify.
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithm, keys));
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        if (issuer != null) {
            exact.issuer(issuer);
        }
        Set<String> required = new HashSet<>(Set.of("sub", "role", "exp"));
        if (audience != null) {
            required.add("aud");
        }
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(audience == null ? null : Set.of(audience),
                exact.build(), required, null));
    }

    /** HS256 with a shared secret of at least 32 bytes (tokens this platform mints). */
    public static TokenVerifier hmac(byte[] secret, String issuer) {
        return hmac(secret, issuer, DEFAULT_MAX_LIFETIME);
    }

    public static TokenVerifier hmac(byte[] secret, String issuer, Duration maxLifetime) {
        return new TokenVerifier(new ImmutableSecret<>(secret), JWSAlgorithm.HS256, issuer, null, maxLifetime);
    }

    /**
     * RS256 against the keys an identity provider publishes over HTTPS. The issuer and the audience
     * are required: a key set is often shared by every customer of the provider, and without them any
     * of its users could present a token with {@code role=operator}.
     */
    public static TokenVerifier jwks(String jwksUrl, String issuer, String audience, Duration maxLifetime) {
        URI uri;
        try {
            uri = URI.create(jwksUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("CONSOLE_JWKS_URL is not a URL: " + jwksUrl, e);
        }
        if (!"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("CONSOLE_JWKS_URL must use HTTPS, is " + jwksUrl);
        }
        try {
            return jwks(JWKSourceBuilder.create(uri.toURL()).build(), issuer, audience, maxLifetime);
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("CONSOLE_JWKS_URL is not a URL: " + jwksUrl, e);
        }
    }

    /** The same, with the key source given (tests). */
    static TokenVerifier jwks(JWKSource<SecurityContext> keys, String issuer, String audience, Duration maxLifetime) {
        if (issuer == null || issuer.isBlank()) {
            throw new IllegalArgumentException("CONSOLE_JWT_ISSUER is required with CONSOLE_JWKS_URL");
        }
        if (audience == null || audience.isBlank()) {
            throw new IllegalArgumentException("CONSOLE_JWT_AUDIENCE is required with CONSOLE_JWKS_URL");
        }
        return new TokenVerifier(keys, JWSAlgorithm.RS256, issuer, audience, maxLifetime);
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
        // The lifetime counts from when the token was issued, or from now if that is earlier: an
        // issue time in the future would otherwise stretch the cap. One minute of clock skew is allowed.
        Instant now = Instant.now();
        Date issued = claims.getIssueTime();
        if (issued != null && issued.toInstant().isAfter(now.plusSeconds(60))) {
            throw new InvalidTokenException("The token claims to be issued in the future (iat " + issued.toInstant() + ")");
        }
        Instant from = issued != null && issued.toInstant().isBefore(now) ? issued.toInstant() : now;
        if (claims.getExpirationTime().toInstant().isAfter(from.plus(maxLifetime).plusSeconds(60))) {
            throw new InvalidTokenException("The token is valid for longer than " + maxLifetime.toHours()
                    + " h, the most this console accepts");
        }
        Role role = Role.parse(stringClaim(claims, "role"))
                .orElseThrow(() -> new InvalidTokenException("The token's role must be superadmin or operator"));
        String account = stringClaim(claims, "account");
        if (role == Role.SUPERADMIN && (account == null || account.isBlank())) {
            throw new InvalidTokenException("A superadmin token must name its account");
        }
        String locale = stringClaim(claims, "locale");
        if (locale != null && !locale.matches("[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8}){0,2}")) {
            throw new InvalidTokenException("The token's claim 'locale' is not a language tag: it must look like 'es' or 'pt-BR'");
        }
        return new Principal(claims.getSubject(), stringClaim(claims, "email"), account, role, locale);
    }

    private static String stringClaim(JWTClaimsSet claims, String name) {
        try {
            return claims.getStringClaim(name);
        } catch (ParseException e) {
            throw new InvalidTokenException("The token's claim '" + name + "' must be a string");
        }
    }
}
