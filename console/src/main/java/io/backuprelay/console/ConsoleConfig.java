package io.backuprelay.console;

import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.hook.HookSettings;
import io.backuprelay.console.auth.TokenVerifier;
import io.backuprelay.console.api.Limits;
import java.time.Clock;
import java.util.Map;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * @param host         the address the console listens on
 * @param port         its port; 0 picks a free one
 * @param auth         how tokens are verified
 * @param limits       what one account may ask of the console
 * @param platformName the platform's name as the page says it ("…backups of your data in {name}."),
 *                     from {@code BACKUPRELAY_PLATFORM_NAME}; null when not given, and the page's subtitle
 *                     then names no platform (an English default would stand in a Spanish sentence)
 * @param endpoints    where connections may send requests and what an operator may grant
 *                     ({@code BACKUPRELAY_ALLOWED_ENDPOINTS}); Azure's hosts only when not given
 * @param pageUrl      the backup page's address ({@code BACKUPRELAY_PAGE_URL}, {@code {accountId}} replaced by
 *                     the account's), which channel messages link to; none when not given
 * @param hookTimeout  how long "send test" waits for a channel's endpoint ({@code HOOK_TIMEOUT})
 */
public record ConsoleConfig(String host, int port, Auth auth, Limits limits, String platformName,
                            EndpointPolicy endpoints, String pageUrl, Duration hookTimeout) {

    /**
     * @param jwtSecret      HS256 secret (at least 32 bytes), for tokens this platform mints
     * @param jwksUrl        RS256 keys of an identity provider, instead of the secret
     * @param jwtIssuer      the issuer tokens must name, if set
     * @param jwtAudience    the audience tokens must name: required with a JWKS
     * @param jwtMaxLifetime the longest validity a token may have ({@code exp} after {@code iat})
     */
    public record Auth(String jwtSecret, String jwksUrl, String jwtIssuer, String jwtAudience, Duration jwtMaxLifetime) {

        @Override
        public String toString() {
            return "Auth[jwtSecret=" + (jwtSecret == null ? "none" : "***") + ", jwksUrl=" + jwksUrl + ", jwtIssuer="
                    + jwtIssuer + ", jwtAudience=" + jwtAudience + "]";
        }
    }

    public ConsoleConfig {
        platformName = platformName == null || platformName.isBlank() ? null : platformName.strip();
        endpoints = endpoints == null ? EndpointPolicy.allowing() : endpoints;
        hookTimeout = hookTimeout == null ? HookSettings.TIMEOUT.fallback() : hookTimeout;
    }

    public ConsoleConfig(String host, int port, String jwtSecret, String jwksUrl, String jwtIssuer) {
        this(host, port, jwtSecret, jwksUrl, jwtIssuer, limits(new ConfigSource(Map.of())));
    }

    public ConsoleConfig(String host, int port, String jwtSecret, String jwksUrl, String jwtIssuer, Limits limits) {
        this(host, port, new Auth(jwtSecret, jwksUrl, jwtIssuer, null, TokenVerifier.DEFAULT_MAX_LIFETIME), limits, null,
                null, null, null);
    }

    /** The same, checking storage endpoints against {@code endpoints}. */
    public ConsoleConfig withEndpoints(EndpointPolicy endpoints) {
        return new ConsoleConfig(host, port, auth, limits, platformName, endpoints, pageUrl, hookTimeout);
    }

    /** What one account may ask of this console instance, from the declared settings and their defaults. */
    static Limits limits(ConfigSource config) {
        return new Limits(ConsoleSettings.MAX_CONNECTIONS.read(config), ConsoleSettings.PROBES_PER_MINUTE.read(config),
                ConsoleSettings.MANUAL_BACKUPS_PER_DAY.read(config), ConsoleSettings.MAX_NOTIFY_EMAILS.read(config),
                ConsoleSettings.MAX_ENCRYPTION_RECIPIENTS.read(config), ConsoleSettings.DOWNLOADS_PER_HOUR.read(config),
                Clock.systemUTC());
    }

    public static ConsoleConfig from(ConfigSource config) {
        Auth auth = new Auth(ConsoleSettings.JWT_SECRET.read(config), ConsoleSettings.JWKS_URL.read(config),
                ConsoleSettings.JWT_ISSUER.read(config), ConsoleSettings.JWT_AUDIENCE.read(config),
                ConsoleSettings.JWT_MAX_LIFETIME.read(config));
        ConsoleConfig console = new ConsoleConfig(ConsoleSettings.HOST.read(config), ConsoleSettings.PORT.read(config),
                auth, limits(config), ConsoleSettings.PLATFORM_NAME.read(config), EndpointPolicy.from(config),
                HookSettings.PAGE_URL.read(config), HookSettings.TIMEOUT.read(config));
        console.verifier(); // fail fast, naming the variable
        return console;
    }

    public String jwtSecret() {
        return auth.jwtSecret();
    }

    public String jwksUrl() {
        return auth.jwksUrl();
    }

    public String jwtIssuer() {
        return auth.jwtIssuer();
    }

    public String jwtAudience() {
        return auth.jwtAudience();
    }

    public Duration jwtMaxLifetime() {
        return auth.jwtMaxLifetime();
    }

    public TokenVerifier verifier() {
        String jwksUrl = jwksUrl();
        String jwtSecret = jwtSecret();
        if (jwksUrl != null) {
            try {
                return TokenVerifier.jwks(jwksUrl, jwtIssuer(), jwtAudience(), jwtMaxLifetime());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(ConsoleSettings.JWKS_URL.name(), "cannot be used: " + e.getMessage());
            }
        }
        if (jwtSecret == null || jwtSecret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new ConfigException(ConsoleSettings.JWT_SECRET.name(), "must be set to at least 32 characters (or set CONSOLE_JWKS_URL)");
        }
        return TokenVerifier.hmac(jwtSecret.getBytes(StandardCharsets.UTF_8), jwtIssuer(), jwtMaxLifetime());
    }

    @Override
    public String toString() {
        return "ConsoleConfig[host=" + host + ", port=" + port + ", jwtSecret=" + (jwtSecret() == null ? "none" : "***")
                + ", jwksUrl=" + jwksUrl() + ", jwtIssuer=" + jwtIssuer() + ", jwtAudience=" + jwtAudience() + "]";
    }
}
