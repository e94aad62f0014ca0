package io.backuprelay.standalone.restore;

import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.common.config.Setting;
import java.util.List;

/** What the restore command reads from the environment, declared once; everything else is on its command line. */
public final class RestoreSettings {

    public static final Setting<String> DB_PASSWORD = Setting.text("RESTORE_DB_PASSWORD", "",
            "the password of the --to database's user").masked();
    public static final Setting<String> AZURE_STORAGE_KEY = Setting.text("AZURE_STORAGE_KEY", null,
            "with --account: the storage account's access key").masked();
    public static final Setting<String> AZURE_STORAGE_SAS_TOKEN = Setting.text("AZURE_STORAGE_SAS_TOKEN", null,
            "with --account, instead of the key: a container SAS token that can read and list").masked();

    public static final Setting<String> AWS_ACCESS_KEY_ID = Setting.text("AWS_ACCESS_KEY_ID", null,
            "with --bucket: the S3 key id");
    public static final Setting<String> AWS_SECRET_ACCESS_KEY = Setting.text("AWS_SECRET_ACCESS_KEY", null,
            "with --bucket: the S3 secret access key").masked();

    public static final List<Setting<?>> ALL = List.of(DB_PASSWORD, AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN,
            AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, CommonSettings.ALLOWED_ENDPOINTS);

    private RestoreSettings() {
    }
}
