package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.hook.HookSettings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On one machine, channel messages link to the console's own page unless the operator says where it is. */
class PageLinkDefaultTest {

    @TempDir
    Path dataDir;

    @Test
    void theStandaloneLinksToItsOwnConsoleByDefault() throws Exception {
        ConfigSource config = Standalone.withLocalDefaults(new ConfigSource(Map.of("CONSOLE_PORT", "9090")), dataDir);
        assertThat(HookSettings.PAGE_URL.read(config)).isEqualTo("http://127.0.0.1:9090/");
        ConfigSource everywhere = Standalone.withLocalDefaults(new ConfigSource(Map.of("CONSOLE_HOST", "0.0.0.0")), dataDir);
        assertThat(HookSettings.PAGE_URL.read(everywhere)).isEqualTo("http://127.0.0.1:8080/");
    }

    @Test
    void anOperatorsPageAddressIsKeptAndAPortPickedAtRandomLinksNowhere() throws Exception {
        ConfigSource given = Standalone.withLocalDefaults(new ConfigSource(Map.of("BACKUPRELAY_PAGE_URL",
                "https://backups.example.com/accounts/{accountId}")), dataDir);
        assertThat(HookSettings.PAGE_URL.read(given)).isEqualTo("https://backups.example.com/accounts/{accountId}");
        ConfigSource random = Standalone.withLocalDefaults(new ConfigSource(Map.of("CONSOLE_PORT", "0")), dataDir);
        assertThat(HookSettings.PAGE_URL.read(random)).isNull();
    }
}
