package io.backuprelay.common.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.format.archive.Compression;
import io.backuprelay.format.archive.DumpFormat;
import io.backuprelay.format.archive.Encryption;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.format.blob.BlobNames;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlobNamingTest {

    private static final String BACKUP_ID = "01936b4c-1a2b-7c3d-8e4f-5a6b7c8d9e0f";

    @Test
    void namesTheBlobByPathAccountMonthTimestampAndBackupId() {
        assertThat(BlobNaming.blobName("backups/companyX", dump(Compression.ZSTD, Encryption.NONE)))
                .isEqualTo("backups/companyX/acme/2026/11/acme-20261126T091500Z-" + BACKUP_ID + ".dump.zst");
    }

    @Test
    void leavesOutAnEmptyPathAndTrimsSlashes() {
        assertThat(BlobNaming.blobName("", dump(Compression.ZSTD, Encryption.NONE)))
                .isEqualTo("acme/2026/11/acme-20261126T091500Z-" + BACKUP_ID + ".dump.zst");
        assertThat(BlobNaming.blobName("/backups/", dump(Compression.ZSTD, Encryption.NONE)))
                .startsWith("backups/acme/2026/11/");
        assertThat(BlobNaming.blobName(null, dump(Compression.ZSTD, Encryption.NONE))).startsWith("acme/");
    }

    @Test
    void theNameDerivesFromTheSlotNeverFromWhenARequestWasEmitted() {
        Instant slot = Instant.parse("2026-11-26T09:15:00Z");
        DumpReady first = dumpOf(slot, slot.plusSeconds(3));
        DumpReady emittedAgainAnHourLater = dumpOf(slot, slot.plusSeconds(3600));

        assertThat(BlobNaming.blobName("b", emittedAgainAnHourLater)).isEqualTo(BlobNaming.blobName("b", first))
                .isEqualTo("b/acme/2026/11/acme-20261126T091500Z-" + BACKUP_ID + ".dump.zst");
    }

    @Test
    void theExtensionSaysHowToOpenTheArchive() {
        assertThat(BlobNaming.blobName("", dump(Compression.GZIP, Encryption.NONE))).endsWith(".dump.gz");
        assertThat(BlobNaming.blobName("", dump(Compression.ZSTD, Encryption.AGE_X25519))).endsWith(".dump.zst.age");
    }

    private static DumpReady dumpOf(Instant slot, Instant requestEmittedAt) {
        return new DumpReady(1, "e", BACKUP_ID, "acme", requestEmittedAt.plusSeconds(60), Trigger.SCHEDULED, "main",
                requestEmittedAt, BACKUP_ID + ".x.archive", 10, "abc", Engine.POSTGRESQL, "15.19", DumpFormat.PG_DUMP_CUSTOM,
                Compression.ZSTD, Encryption.NONE, requestEmittedAt, requestEmittedAt.plusSeconds(59), 1, null, slot, null, 0, List.of(), null);
    }

    private static DumpReady dump(Compression compression, Encryption encryption) {
        Instant requested = Instant.parse("2026-11-26T09:15:00.123Z");
        return new DumpReady(1, "e", BACKUP_ID, "acme", requested.plusSeconds(60), Trigger.MANUAL, "main", requested,
                BACKUP_ID + ".dump.zst", 10, "abc", Engine.POSTGRESQL, "15.19", DumpFormat.PG_DUMP_CUSTOM, compression, encryption,
                requested, requested.plusSeconds(59), 1, null, null, null, 0, List.of(), null);
    }

    @Test
    void aLinkIsSignedOnlyForTheBlobWhereThisAccountsBackupIsKept() {
        String account = "Sales Ops \"Ünïcode\"";
        Instant requested = Instant.parse("2026-11-26T09:15:00.123Z");
        String name = BlobNaming.blobName("/backups/", new DumpReady(1, "e", BACKUP_ID, account, requested.plusSeconds(60),
                Trigger.MANUAL, "main", requested, BACKUP_ID + ".dump.zst.age", 10, "abc", Engine.POSTGRESQL, "15.19",
                DumpFormat.PG_DUMP_CUSTOM, Compression.ZSTD, Encryption.AGE_X25519, requested, requested.plusSeconds(59), 1, null, null, null, 0, List.of(),
                null));

        assertThat(BlobNames.isBackupOf(name, "backups", account, BACKUP_ID)).isTrue();
        assertThat(BlobNames.isBackupOf(name, "backups", "acme", BACKUP_ID)).as("another account's").isFalse();
        assertThat(BlobNames.isBackupOf(name, "backups", account, "another-backup")).as("another backup").isFalse();
        assertThat(BlobNames.isBackupOf(name, "other", account, BACKUP_ID)).as("under another path").isFalse();
        assertThat(BlobNames.isBackupOf(name + ".manifest.json", "backups", account, BACKUP_ID)).isFalse();
        assertThat(BlobNames.isBackupOf("backups/" + account + "/../acme/2026/11/x", "backups", account, BACKUP_ID)).isFalse();
        assertThat(BlobNames.isBackupOf(null, "backups", account, BACKUP_ID)).isFalse();
    }
}
