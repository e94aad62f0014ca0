package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.common.config.ConfigSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone's master key and console secret live in files only their owner may read, checked at every start. */
class LocalSecretFilesTest {

    @TempDir
    Path dataDir;

    @Test
    void theSecretsAreMadeOwnerOnlyAndAStartRefusesAFileOthersCanRead() throws Exception {
        ConfigSource first = Standalone.withLocalDefaults(new ConfigSource(Map.of()), dataDir);
        Path key = dataDir.resolve("master.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(CommonSettings.MASTER_KEY.read(Standalone.withLocalDefaults(new ConfigSource(Map.of()), dataDir)))
                .as("the same key at the next start").isEqualTo(CommonSettings.MASTER_KEY.read(first));

        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> Standalone.withLocalDefaults(new ConfigSource(Map.of()), dataDir))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(key.toString()).hasMessageContaining("rw-r--r--").hasMessageEndingWith("chmod 600 " + key);
    }
}
