package io.backuprelay.console;

import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.console.auth.TokenVerifier;
import java.nio.charset.StandardCharsets;

/**
 * @param host       the address the console listens on
 * @param port       its port; 0 picks a free one
 * @param jwtSecret  HS256 secret (at least 32 bytes), for tokens this platform mints
 * @param jwksUrl    RS256 keys of an identity provider, instead of the secret
 * @param jwtIssuer  the issuer tokens must name, if set
 * @param jwtAudience the audience tokens must name: required with a JWKS
 * @param jwtMaxLifetime the longest validity a token may have ({@code exp} after {@code iat})
 * @param limits     what one account may ask of the console
 * @param platformName the platform's name as the page says it ("…backups of your data in {name}."),
 *                   from {@code BACKUPRELAY_PLATFORM_NAME}
 */
public record ConsoleConfig(String host, int port, String jwtSecret, String jwksUrl, String jwtIssuer,
                            String jwtAudience, java.time.Duration jwtMaxLifetime,
                            io.backuprelay.console.api.Limits limits, String platformName) {

    /** The platform's name when {@code BACKUPRELAY_PLATFORM_NAME} is not set. */
    public static final String DEFAULT_PLATFORM_NAME = "your platform";

    public ConsoleConfig {
        platformName = platformName == null || platformName.isBlank() ? DEFAULT_PLATFORM_NAME : platformName.strip();
    }

    public ConsoleConfig(String host, int port, String jwtSecret, String jwksUrl, String jwtIssuer, String jwtAudience,
                         java.time.Duration jwtMaxLifetime, io.backuprelay.console.api.Limits limits) {
        this(host, port, jwtSecret, jwksUrl, jwtIssuer, jwtAudience, jwtMaxLifetime, limits, null);
    }

    public ConsoleConfig(String host, int port, String jwtSecret, String jwksUrl, String jwtIssuer) {
        this(host, port, jwtSecret, jwksUrl, jwtIssuer, io.backuprelay.console.api.Limits.defaults());
    }

    public ConsoleConfig(String host, int port, String jwtSecret, String jwksUrl, String jwtIssuer,
                         io.backuprelay.console.api.Limits limits) {
        this(host, port, jwtSecret, jwksUrl, jwtIssuer, null, TokenVerifier.DEFAULT_MAX_LIFETIME, limits);
    }

    public static ConsoleConfig from(ConfigSource config) {
        ConsoleConfig console = new ConsoleConfig(config.string("CONSOLE_HOST", "127.0.0.1"),
                config.integer("CONSOLE_PORT", 8080, 0, 65535), config.string("CONSOLE_JWT_SECRET", null),
                config.string("CONSOLE_JWKS_URL", null), config.string("CONSOLE_JWT_ISSUER", null),
                config.string("CONSOLE_JWT_AUDIENCE", null),
                config.duration("CONSOLE_JWT_MAX_LIFETIME", TokenVerifier.DEFAULT_MAX_LIFETIME),
                io.backuprelay.console.api.Limits.from(config),
                config.string("BACKUPRELAY_PLATFORM_NAME", DEFAULT_PLATFORM_NAME));
        console.verifier(); // fail fast, naming the variable
        return console;
    }

    public TokenVerifier verifier() {
        if (jwksUrl != null) {
            try {
                return TokenVerifier.jwks(jwksUrl, jwtIssuer, jwtAudience, jwtMaxLifetime);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("CONSOLE_JWKS_URL", "cannot be used: " + e.getMessage());
            }
        }
        if (jwtSecret == null || jwtSecret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new ConfigException("CONSOLE_JWT_SECRET", "must be set to at least 32 characters (or set CONSOLE_JWKS_URL)");
        }
        return TokenVerifier.hmac(jwtSecret.getBytes(StandardCharsets.UTF_8), jwtIssuer, jwtMaxLifetime);
    }

    @Override
    public String toString() {
        return "ConsoleConfig[host=" + host + ", port=" + port + ", jwtSecret=" + (jwtSecret == null ? "none" : "***")
                + ", jwksUrl=" + jwksUrl + ", jwtIssuer=" + jwtIssuer + ", jwtAudience=" + jwtAudience + "]";
    }
}
