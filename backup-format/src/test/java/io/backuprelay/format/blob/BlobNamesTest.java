package io.backuprelay.format.blob;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.format.archive.ArchiveFormat;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.format.archive.DumpFormat;
import io.backuprelay.format.archive.Encryption;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.format.manifest.ManifestNames;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class BlobNamesTest {

    private static final String BACKUP_ID = "01936b4c-1a2b-7c3d-8e4f-5a6b7c8d9e0f";
    private static final Instant SLOT = Instant.parse("2026-11-26T09:15:00Z");
    private static final ArchiveFormat ZSTD = new ArchiveFormat(DumpFormat.PG_DUMP_CUSTOM, Compression.ZSTD, Encryption.NONE);

    /**
     * The paths where the upload's name and the restore command's lookup used to part: the restore
     * trimmed only slashes, the upload also spaces and backslashes.
     */
    static Stream<Arguments> pathsAsPeopleTypeThem() {
        return Stream.of(
                Arguments.of("backups\\daily", "Acme", "backups/daily/Acme/"),
                Arguments.of(" backups/daily ", "Acme", "backups/daily/Acme/"),
                Arguments.of("/backups/daily/", "Acme", "backups/daily/Acme/"),
                Arguments.of("\\\\backups\\daily\\", "Acme", "backups/daily/Acme/"),
                Arguments.of("Sicherungen/Zürich Büro", "Café \"Ünïcode\" GmbH", "Sicherungen/Zürich Büro/Café \"Ünïcode\" GmbH/"),
                Arguments.of("", "acme", "acme/"),
                Arguments.of(null, "acme", "acme/"),
                Arguments.of("  /  ", "acme", "acme/"));
    }

    @ParameterizedTest
    @MethodSource("pathsAsPeopleTypeThem")
    void theRestoreLooksInTheFolderTheUploadWroteTo(String path, String account, String folder) {
        String uploaded = BlobNames.blobName(path, account, SLOT, BACKUP_ID, ZSTD);

        assertThat(BlobNames.accountFolder(path, account)).isEqualTo(folder);
        assertThat(uploaded).startsWith(folder)
                .isEqualTo(folder + "2026/11/" + account + "-20261126T091500Z-" + BACKUP_ID + ".dump.zst");
        assertThat(BlobNames.isBackupOf(uploaded, path, account, BACKUP_ID)).isTrue();
    }

    @Test
    void aLinkIsSignedOnlyForTheBlobWhereThisAccountsBackupIsKept() {
        String account = "Sales Ops \"Ünïcode\"";
        String name = BlobNames.blobName("/backups/", account, SLOT, BACKUP_ID,
                new ArchiveFormat(DumpFormat.PG_DUMP_CUSTOM, Compression.ZSTD, Encryption.AGE_X25519));

        assertThat(BlobNames.isBackupOf(name, "backups", account, BACKUP_ID)).isTrue();
        assertThat(BlobNames.isBackupOf(name, "backups", "acme", BACKUP_ID)).as("another account's").isFalse();
        assertThat(BlobNames.isBackupOf(name, "backups", account, "another-backup")).as("another backup").isFalse();
        assertThat(BlobNames.isBackupOf(name, "other", account, BACKUP_ID)).as("under another path").isFalse();
        assertThat(BlobNames.isBackupOf(ManifestNames.ofBlob(name), "backups", account, BACKUP_ID)).isFalse();
        assertThat(BlobNames.isBackupOf("backups/" + account + "/../acme/2026/11/x", "backups", account, BACKUP_ID)).isFalse();
        assertThat(BlobNames.isBackupOf(null, "backups", account, BACKUP_ID)).isFalse();
    }

    @Test
    void theNewestBackupComesFirst() {
        String older = BlobNames.blobName("p", "acme", SLOT, "b1", ZSTD);
        String newer = BlobNames.blobName("p", "acme", SLOT.plusSeconds(86_400 * 40), "b0", ZSTD);
        String newest = BlobNames.blobName("p", "acme", SLOT.plusSeconds(86_400 * 400), "a", ZSTD);

        assertThat(Stream.of(older, newest, newer).sorted(BlobNames.NEWEST_FIRST).toList())
                .containsExactly(newest, newer, older);
    }

    @Test
    void theMetadataRoundTripsAndTellsOurBlobsFromOthers() {
        BlobMetadata written = new BlobMetadata(BACKUP_ID, "acme", "abc", Engine.MARIADB,
                new ArchiveFormat(DumpFormat.MARIADB_SQL, Compression.GZIP, Encryption.AGE_X25519), SLOT);
        Map<String, String> stored = written.toMap();

        assertThat(stored).containsEntry("backupid", BACKUP_ID).containsEntry("accountid", "acme")
                .containsEntry("sha256", "abc").containsEntry("engine", "MARIADB").containsEntry("format", "mariadb-sql")
                .containsEntry("compression", "gzip").containsEntry("encryption", "age-x25519")
                .containsEntry("requestedat", "2026-11-26T09:15:00Z").containsEntry("writtenby", "backuprelay");
        assertThat(BlobMetadata.read(stored)).contains(written);
        assertThat(BlobMetadata.isBackupOfAccount(stored, "acme")).isTrue();
        assertThat(BlobMetadata.isBackupOfAccount(stored, "other")).isFalse();
        assertThat(BlobMetadata.read(Map.of("sha256", "abc"))).as("not written by backuprelay").isEmpty();
        assertThat(BlobMetadata.requestedAt(stored)).contains(SLOT);
        assertThat(BlobMetadata.requestedAt(Map.of())).isEmpty();
        assertThat(List.of(BlobMetadata.WRITER)).containsExactly("backuprelay");
    }
}
