package io.backuprelay.standalone;

import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.common.config.Setting;
import java.util.List;

/** What the command line reads beyond the services' settings: the data directory, the embedded broker, the demo. */
public final class StandaloneSettings {

    public static final Setting<Integer> KAFKA_PORT = Setting.integer("BACKUPRELAY_KAFKA_PORT", 9092, 1, 65535,
            "the embedded broker's port");
    public static final Setting<Integer> KAFKA_CONTROLLER_PORT = Setting.integer("BACKUPRELAY_KAFKA_CONTROLLER_PORT",
            9093, 1, 65535, "the embedded broker's controller port");
    public static final Setting<Integer> DEMO_AZURITE_PORT = Setting.integer("DEMO_AZURITE_PORT", 10000, 1, 65535,
            "the demo's Azurite");
    public static final Setting<String> DEMO_PG_HOST = Setting.text("DEMO_PG_HOST", "127.0.0.1",
            "the server the demo creates its sample database on");
    public static final Setting<Integer> DEMO_PG_PORT = Setting.integer("DEMO_PG_PORT", 5432, 1, 65535, "its port");
    public static final Setting<String> DEMO_PG_USER = Setting.text("DEMO_PG_USER", "postgres", "its user");
    public static final List<Setting<?>> ALL = List.of(CommonSettings.DATA_DIR, KAFKA_PORT, KAFKA_CONTROLLER_PORT,
            DEMO_AZURITE_PORT, DEMO_PG_HOST, DEMO_PG_PORT, DEMO_PG_USER);

    private StandaloneSettings() {
    }
}
