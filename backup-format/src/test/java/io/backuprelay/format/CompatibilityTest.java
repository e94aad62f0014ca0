package io.backuprelay.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.format.reader.ArchiveStream;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.format.archive.DumpFormat;
import io.backuprelay.format.archive.Encryption;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.format.inventory.Inventory;
import io.backuprelay.format.manifest.BackupManifest;
import io.backuprelay.format.manifest.ManifestNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Backups written by the version before this module existed read with it. The files under
 * {@code compat/} were produced at commit 5fc515a by a throwaway test in dump-worker
 * ({@code compat/HOW.md} keeps its source): a scratch PostgreSQL database ({@code "Sales Ops"."Orders"}
 * with 50 rows, {@code public.invoice} with 7, a view and a function) dumped by {@code pg_dump -Fc -Z0}
 * and a scratch MariaDB database ({@code `Kunden Liste`} with 3 rows) by {@code mariadb-dump}, each
 * streamed through that version's {@code ArchiveSink} (zstd; zstd encrypted with age to the
 * recipient of {@code pg-age/identity.txt}, made by {@code age-keygen}; gzip), the inventory read by
 * its {@code InventoryReader}, the manifest its {@code ArchiveManifest} encoded by {@code Json.encode},
 * the staging file name its {@code ArchiveManifest.fileName}. {@code plain.sha256} holds the SHA-256
 * and length of the plain dump as the tool wrote it.
 */
class CompatibilityTest {

    @Test
    void readsAPostgresManifestAndArchiveWrittenByTheVersionBefore() throws IOException {
        Path dir = fixture("pg");
        BackupManifest manifest = manifest(dir);

        assertThat(manifest.backupId()).isEqualTo("b-pg");
        assertThat(manifest.accountId()).isEqualTo("Acme Café");
        assertThat(manifest.engine()).isEqualTo(Engine.POSTGRESQL);
        assertThat(manifest.postgres()).isTrue();
        assertThat(manifest.format()).isEqualTo(DumpFormat.PG_DUMP_CUSTOM);
        assertThat(manifest.compression()).isEqualTo(Compression.ZSTD);
        assertThat(manifest.encryption()).isEqualTo(Encryption.NONE);
        assertThat(manifest.tableCount()).isEqualTo(2);
        assertThat(manifest.inventory()).isEqualTo(new Inventory(List.of("Sales Ops"),
                Map.of("Sales Ops.Orders", 50L, "public.invoice", 7L), List.of("public.v"), List.of(),
                List.of("public.f"), List.of(), List.of(), List.of()));
        assertDecodes(dir, manifest, null);
    }

    @Test
    void readsAnArchiveEncryptedWithAgeByTheVersionBefore() throws IOException {
        Path dir = fixture("pg-age");
        BackupManifest manifest = manifest(dir);

        assertThat(manifest.encryption()).isEqualTo(Encryption.AGE_X25519);
        assertThat(manifest.encrypted()).isTrue();
        assertThat(manifest.encryptionRecipients()).containsExactly(
                "age1zrjsl82qptx55j29nvmhv0vrnpcvapv752vxxv5cgepyqy3huaaqtmjx97");
        assertDecodes(dir, manifest, dir.resolve("identity.txt"));
    }

    @Test
    void readsAMariaDbGzipArchiveWrittenByTheVersionBefore() throws IOException {
        Path dir = fixture("maria");
        BackupManifest manifest = manifest(dir);

        assertThat(manifest.engine()).isEqualTo(Engine.MARIADB);
        assertThat(manifest.format()).isEqualTo(DumpFormat.MARIADB_SQL);
        assertThat(manifest.compression()).isEqualTo(Compression.GZIP);
        assertThat(manifest.inventory().tables()).isEqualTo(Map.of("Kunden Liste", 3L));
        assertDecodes(dir, manifest, null);
    }

    @Test
    void writesTheManifestWithTheSameFieldsAndValuesAsTheVersionBefore() throws IOException {
        for (String name : List.of("pg", "pg-age", "maria")) {
            Path stored = manifestFile(fixture(name));
            String before = Files.readString(stored, StandardCharsets.UTF_8);

            assertThat(new String(BackupManifest.parse(before.getBytes(StandardCharsets.UTF_8)).toJson(),
                    StandardCharsets.UTF_8)).as(name).isEqualTo(before);
        }
    }

    private static void assertDecodes(Path dir, BackupManifest manifest, Path identity) throws IOException {
        Path archive = only(dir, ManifestNames.STAGING_ARCHIVE_SUFFIX);
        assertThat(manifest.sizeBytes()).isEqualTo(Files.size(archive));
        String[] plain = Files.readString(dir.resolve("plain.sha256")).strip().split(" ");
        try (InputStream blob = Files.newInputStream(archive)) {
            ArchiveStream stream = ArchiveStream.open(blob, manifest, identity);
            byte[] dump = stream.plain().readAllBytes();
            assertThat(dump).hasSize(Integer.parseInt(plain[1]));
            assertThat(sha256(dump)).isEqualTo(plain[0]);
            assertThat(stream.finishAndHash()).as("the SHA-256 of the bytes as stored").isEqualTo(manifest.sha256());
            assertThat(stream.bytesRead()).isPositive().isLessThanOrEqualTo(manifest.sizeBytes());
        }
    }

    private static BackupManifest manifest(Path dir) throws IOException {
        Path file = manifestFile(dir);
        assertThat(file.getFileName().toString())
                .isEqualTo(ManifestNames.ofStagingArchive(only(dir, ManifestNames.STAGING_ARCHIVE_SUFFIX)
                        .getFileName().toString()));
        return BackupManifest.parse(Files.readAllBytes(file));
    }

    private static Path manifestFile(Path dir) throws IOException {
        return only(dir, ManifestNames.SUFFIX);
    }

    private static Path only(Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> found = files.filter(f -> f.getFileName().toString().endsWith(suffix)).toList();
            assertThat(found).hasSize(1);
            return found.getFirst();
        }
    }

    private static Path fixture(String name) {
        try {
            return Path.of(CompatibilityTest.class.getResource("/compat/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
