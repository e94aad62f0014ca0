package io.backuprelay.console;

import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.common.config.Setting;
import io.backuprelay.hook.HookSettings;
import io.backuprelay.console.auth.TokenVerifier;
import java.time.Duration;
import java.util.List;

/** What the console reads, declared once (with its limits, the allowlist and the master key). */
public final class ConsoleSettings {

    public static final Setting<String> HOST = Setting.text("CONSOLE_HOST", "127.0.0.1",
            "where the API, the page, health and metrics listen");
    public static final Setting<Integer> PORT = Setting.integer("CONSOLE_PORT", 8080, 0, 65535, "their port");
    public static final Setting<String> JWT_SECRET = Setting.text("CONSOLE_JWT_SECRET", null,
            "HS256 secret, 32 characters or more").masked().documentedDefault("required unless CONSOLE_JWKS_URL");
    public static final Setting<String> JWKS_URL = Setting.text("CONSOLE_JWKS_URL", null,
            "RS256 keys of an identity provider");
    public static final Setting<String> JWT_ISSUER = Setting.text("CONSOLE_JWT_ISSUER", null, "the iss tokens must carry");
    public static final Setting<String> JWT_AUDIENCE = Setting.text("CONSOLE_JWT_AUDIENCE", null,
            "the aud tokens must carry");
    public static final Setting<Duration> JWT_MAX_LIFETIME = Setting.duration("CONSOLE_JWT_MAX_LIFETIME",
            TokenVerifier.DEFAULT_MAX_LIFETIME, "the longest a token may be valid");
    public static final Setting<String> PLATFORM_NAME = Setting.text("BACKUPRELAY_PLATFORM_NAME", null,
            "the platform's name in the page's subtitle; none: the subtitle names no platform");
    public static final Setting<Integer> MAX_CONNECTIONS = Setting.integer("CONSOLE_MAX_CONNECTIONS", 20, 1, 1000,
            "connections per account");
    public static final Setting<Integer> PROBES_PER_MINUTE = Setting.integer("CONSOLE_PROBES_PER_MINUTE", 10, 1, 1000,
            "Test connection calls per account and minute");
    public static final Setting<Integer> MANUAL_BACKUPS_PER_DAY = Setting.integer("CONSOLE_MANUAL_BACKUPS_PER_DAY", 12,
            1, 1000, "manual backups per account in any 24 h");
    public static final Setting<Integer> MAX_NOTIFY_EMAILS = Setting.integer("CONSOLE_MAX_NOTIFY_EMAILS", 10, 0, 50,
            "extra email recipients per account");
    public static final Setting<Integer> MAX_ENCRYPTION_RECIPIENTS = Setting.integer("CONSOLE_MAX_ENCRYPTION_RECIPIENTS",
            10, 1, 50, "age recipients per account");
    public static final Setting<Integer> DOWNLOADS_PER_HOUR = Setting.integer("CONSOLE_DOWNLOADS_PER_HOUR", 20, 1, 1000,
            "download links per account in any hour");
    public static final Setting<Integer> ACTIVITY_KEPT_PER_ACCOUNT = Setting.integer("CONSOLE_ACTIVITY_KEPT_PER_ACCOUNT",
            1000, 10, 100_000, "activity entries of each account the console keeps in memory, the newest; older ones"
                    + " stay on the topic but are no longer listed");

    public static final List<Setting<?>> ALL = List.of(HOST, PORT, JWT_SECRET, JWKS_URL, JWT_ISSUER, JWT_AUDIENCE,
            JWT_MAX_LIFETIME, PLATFORM_NAME, MAX_CONNECTIONS, PROBES_PER_MINUTE, MANUAL_BACKUPS_PER_DAY,
            MAX_NOTIFY_EMAILS, MAX_ENCRYPTION_RECIPIENTS, DOWNLOADS_PER_HOUR, ACTIVITY_KEPT_PER_ACCOUNT,
            CommonSettings.ALLOWED_ENDPOINTS, HookSettings.PAGE_URL, HookSettings.TIMEOUT, CommonSettings.MASTER_KEY, CommonSettings.MASTER_KEY_ID,
            CommonSettings.MASTER_KEYS);

    private ConsoleSettings() {
    }
}
