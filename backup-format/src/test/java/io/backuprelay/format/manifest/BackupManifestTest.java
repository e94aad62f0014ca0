package io.backuprelay.format.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backuprelay.format.BackupFormatException;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.format.archive.Encryption;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BackupManifestTest {

    @Test
    void readsTheFirstManifestsWithoutTheFieldsAddedSince() {
        BackupManifest manifest = BackupManifest.parse("""
                {"backupId":"b1","accountId":"acme","engine":"POSTGRESQL","format":"pg_dump-custom",
                 "compression":"zstd","sizeBytes":10,"sha256":"abc","tableCount":3,"somethingNewer":true}
                """.getBytes(StandardCharsets.UTF_8));

        assertThat(manifest.compression()).isEqualTo(Compression.ZSTD);
        assertThat(manifest.encryption()).isEqualTo(Encryption.NONE);
        assertThat(manifest.encrypted()).isFalse();
        assertThat(manifest.encryptionRecipients()).isEmpty();
        assertThat(manifest.inventory()).isNull();
        assertThat(manifest.tableCount()).isEqualTo(3);
    }

    @Test
    void anUnknownWordIsNamedInTheError() {
        assertThatThrownBy(() -> BackupManifest.parse("""
                {"backupId":"b1","engine":"POSTGRESQL","compression":"lz4"}
                """.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(BackupFormatException.class)
                .hasMessageContaining("compression 'lz4'")
                .hasMessageContaining("zstd, gzip, none");
    }

    @Test
    void theManifestNameSitsBesideTheBlobAndBesideTheStagingArchive() {
        assertThat(ManifestNames.ofBlob("p/acme/2026/11/acme-20261126T091500Z-b1.dump.zst"))
                .isEqualTo("p/acme/2026/11/acme-20261126T091500Z-b1.dump.zst.manifest.json");
        assertThat(ManifestNames.ofBlobUrl("https://a.blob.core.windows.net/c/x.dump.zst?sv=1&sig=2"))
                .isEqualTo("https://a.blob.core.windows.net/c/x.dump.zst.manifest.json?sv=1&sig=2");
        assertThat(ManifestNames.ofStagingArchive("b1.1a2b3c4d.archive")).isEqualTo("b1.1a2b3c4d.manifest.json");
        assertThat(ManifestNames.stagingArchiveOf("b1.1a2b3c4d.manifest.json")).isEqualTo("b1.1a2b3c4d.archive");
        assertThat(ManifestNames.isManifest("x.dump.zst.manifest.json")).isTrue();
        assertThat(ManifestNames.isManifest("x.dump.zst")).isFalse();
    }
}
