package io.backuprelay.console;

import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.common.config.Setting;
import java.util.List;

/** What {@link SampleSetup} (the compose file's {@code init}) reads, declared once. */
public final class SampleSettings {

    public static final Setting<String> CONSOLE_URL = Setting.required("CONSOLE_URL", "the console to register with");
    public static final Setting<String> ACCOUNT = Setting.text("SAMPLE_ACCOUNT", "sample", "the sample account's id");
    public static final Setting<String> ADMIN_EMAIL = Setting.text("SAMPLE_ADMIN_EMAIL", "admin@sample.example",
            "its super-administrator");
    public static final Setting<String> LOCALE = Setting.text("SAMPLE_LOCALE", "en", "its locale");
    public static final Setting<String> DB_ENGINE = Setting.text("SAMPLE_DB_ENGINE", Engine.POSTGRESQL.label(), "its database engine");
    public static final Setting<String> DB_HOST = Setting.text("SAMPLE_DB_HOST", "postgres", "its database host");
    public static final Setting<Integer> DB_PORT = Setting.integer("SAMPLE_DB_PORT", 5432, 1, 65535, "its database port");
    public static final Setting<String> DB_NAME = Setting.text("SAMPLE_DB_NAME", "sample", "its database");
    public static final Setting<String> DB_USER = Setting.text("SAMPLE_DB_USER", "postgres", "its database user");
    public static final Setting<String> DB_PASSWORD = Setting.text("SAMPLE_DB_PASSWORD", null, "that user's password")
            .masked();
    public static final Setting<String> STORAGE_ENDPOINT = Setting.required("SAMPLE_STORAGE_ENDPOINT",
            "the sample storage's blob endpoint");
    public static final Setting<String> STORAGE_ACCOUNT = Setting.text("SAMPLE_STORAGE_ACCOUNT", "devstoreaccount1",
            "its storage account");
    public static final Setting<String> STORAGE_KEY = Setting.required("SAMPLE_STORAGE_KEY", "its access key").masked();
    public static final Setting<String> CONTAINER = Setting.text("SAMPLE_CONTAINER", "backups", "its container");

    public static final List<Setting<?>> ALL = List.of(CONSOLE_URL, ConsoleSettings.JWT_SECRET, ConsoleSettings.JWT_ISSUER, ACCOUNT,
            ADMIN_EMAIL, LOCALE, DB_ENGINE, DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD, STORAGE_ENDPOINT,
            STORAGE_ACCOUNT, STORAGE_KEY, CONTAINER, CommonSettings.ALLOWED_ENDPOINTS);

    private SampleSettings() {
    }
}
