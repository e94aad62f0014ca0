package io.backuprelay.common.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.secret.SealedSecret;
import java.time.Instant;
import java.time.LocalTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The compacted topics' records survive their JSON unchanged, with every new field, so every service reads them. */
class AccountRecordsJsonTest {

    private static final String ACCOUNT = "Ünïcode \"Acme\" Corp";

    @Test
    void anS3ConnectionWithImmutabilityReadsBackEqual() {
        Connection s3 = new Connection(ACCOUNT, "offsite", ConnectionType.S3, "Offsite (R2)", null, "acme-offsite",
                "Copies Ü", new SealedSecret("k1", "c2VhbGVk"), false, "https://abc.r2.cloudflarestorage.com", null, null,
                new S3Options("auto", "AKIAEXAMPLE", true), new Immutability(30, Immutability.Mode.LOCKED, true));

        String json = new String(Json.encode(s3));

        assertThat(Json.decode(json.getBytes(), Connection.class)).isEqualTo(s3);
        assertThat(json).doesNotContain("\"s3\":false").contains("\"pathStyle\":true");
    }

    @Test
    void anAzureConnectionOfEarlierVersionsReadsBackWithoutTheNewFields() {
        String earlier = "{\"accountId\":\"acme\",\"connectionId\":\"main\",\"type\":\"AZURE_BLOB\",\"storageAccountName\":"
                + "\"acmeblobs\",\"containerName\":\"backups\",\"accessKey\":{\"keyId\":\"k1\",\"ciphertext\":\"eA==\"},"
                + "\"enabledForAutomaticBackup\":true}";

        Connection read = Json.decode(earlier.getBytes(), Connection.class);

        assertThat(read.isS3()).isFalse();
        assertThat(read.s3()).isNull();
        assertThat(read.immutability()).isNull();
        assertThat(Json.decode(Json.encode(read), Connection.class)).isEqualTo(read);
    }

    @Test
    void settingsWithCopyDestinationsAndAStatusWithCopiesReadBackEqual() {
        BackupSettings settings = new BackupSettings(ACCOUNT, BackupType.EVERY_7_DAYS, "main", List.of(), List.of(),
                new Retention(7, null), RestoreDrill.WEEKLY, List.of(new CopyDestination("offsite", new Retention(30, null))), null);
        BackupStatus.OutcomeSummary summary = BackupStatus.OutcomeSummary.success("b1", null,
                Instant.parse("2026-12-06T10:00:00Z"), 10L, "x", "main")
                .withImmutableUntil(Instant.parse("2027-01-05T10:00:00Z"))
                .withCopy(new BackupStatus.CopyState("offsite", BackupStatus.CopyState.State.RETRYING,
                        Instant.parse("2026-12-06T10:01:00Z"), 2, "Cannot reach the bucket", null, null, null));

        assertThat(Json.decode(Json.encode(settings), BackupSettings.class)).isEqualTo(settings);
        assertThat(Json.decode(Json.encode(summary), BackupStatus.OutcomeSummary.class)).isEqualTo(summary);
    }

    @Test
    void aBackupWindowIsWrittenAsLocalTimeAndSettingsWrittenBeforeWindowsHaveNone() {
        BackupSettings settings = new BackupSettings("Café \"Crème\" SA", BackupType.EVERY_7_DAYS, "main", null, null,
                null).withWindow(new BackupWindow(LocalTime.of(1, 0), 180, "Europe/Madrid"));

        String json = Json.encodeToString(settings);

        assertThat(json).contains("\"window\":{\"start\":\"01:00\",\"lengthMinutes\":180,\"timeZone\":\"Europe/Madrid\"}");
        assertThat(Json.decode(json, BackupSettings.class)).isEqualTo(settings);
        String before = "{\"accountId\":\"acme\",\"backupType\":\"EVERY_7_DAYS\",\"destinationConnectionId\":\"main\"}";
        assertThat(Json.decode(before, BackupSettings.class).window()).isNull();
    }
}
