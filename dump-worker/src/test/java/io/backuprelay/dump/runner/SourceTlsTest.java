package io.backuprelay.dump.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backuprelay.common.account.TlsMode;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.dump.DumpWorkerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CA bundle {@code VERIFY_FULL} trusts is read once into the dump worker's config and handed to
 * its runners: what the clients are given is the config's bundle, and nothing else is read.
 */
class SourceTlsTest {

    @TempDir
    Path dir;

    @Test
    void theWorkersConfigReadsTheBundleOnceFromItsSetting() {
        Path bundle = dir.resolve("Café CAs").resolve("tenant bundle.pem");

        DumpWorkerConfig configured = DumpWorkerConfig.from(new ConfigSource(
                Map.of(SourceTls.CA_FILE.name(), bundle.toString())));
        DumpWorkerConfig defaults = DumpWorkerConfig.from(new ConfigSource(Map.of()));

        assertThat(configured.sourceTls()).isEqualTo(new SourceTls(bundle));
        assertThat(defaults.sourceTls().caFile()).isEqualTo(Path.of("/etc/ssl/certs/ca-certificates.crt"));
        assertThat(defaults.sourceTls()).isEqualTo(SourceTls.SYSTEM_CAS);
    }

    @Test
    void verifyFullHandsEachClientTheConfiguredBundle() throws Exception {
        Path bundle = Files.writeString(dir.resolve("O'Brien CA.pem"), "-----BEGIN CERTIFICATE-----\n");
        SourceTls tls = new SourceTls(bundle);
        Properties pgjdbc = new Properties();
        Properties connectorJ = new Properties();

        tls.postgres(pgjdbc, TlsMode.VERIFY_FULL);
        tls.mariadb(connectorJ, TlsMode.VERIFY_FULL);

        assertThat(pgjdbc).containsEntry("sslmode", "verify-full").containsEntry("sslrootcert", bundle.toString());
        assertThat(tls.libpq(TlsMode.VERIFY_FULL)).containsEntry("PGSSLROOTCERT", bundle.toString());
        assertThat(connectorJ).containsEntry("sslMode", "verify-full").containsEntry("serverSslCert", bundle.toString());
        assertThat(tls.mariadbOptions(TlsMode.VERIFY_FULL)).contains("ssl-ca=" + bundle, "ssl-verify-server-cert");
        assertThat(tls.libpq(TlsMode.REQUIRE)).doesNotContainKey("PGSSLROOTCERT");
    }

    @Test
    void verifyFullWithABundleThatCannotBeReadFailsNamingTheFileAndTheSetting() {
        SourceTls missing = new SourceTls(dir.resolve("no-such-bundle.pem"));

        assertThatThrownBy(() -> missing.libpq(TlsMode.VERIFY_FULL)).isInstanceOf(DumpFailedException.class)
                .hasMessageContaining("no-such-bundle.pem").hasMessageContaining("SOURCE_TLS_CA_FILE");
        assertThatThrownBy(() -> missing.postgres(new Properties(), TlsMode.VERIFY_FULL))
                .hasMessageContaining("no-such-bundle.pem").hasMessageContaining("SOURCE_TLS_CA_FILE");
        assertThatThrownBy(() -> missing.mariadbOptions(TlsMode.VERIFY_FULL))
                .hasMessageContaining("no-such-bundle.pem").hasMessageContaining("SOURCE_TLS_CA_FILE");
    }
}
