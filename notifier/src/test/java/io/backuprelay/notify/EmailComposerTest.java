package io.backuprelay.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.DatabaseEngine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.BlobLocation;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.secret.SealedSecret;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EmailComposerTest {

    private static final Instant START = Instant.parse("2026-11-26T09:15:00Z");
    private final Account account = new Account("acme", "Acme Ltd", "en", "Europe/Madrid", List.of("ana@acme.example"),
            new SourceDatabase(DatabaseEngine.POSTGRESQL, "db.acme", 5432, "acme", "backup",
                    new SealedSecret("k1", "c2VjcmV0")));
    private final EmailComposer composer = new EmailComposer();

    @Test
    void aSuccessEmailSaysWhatWhenHowBigWhereAndHowLong() {
        BackupCompleted completed = new BackupCompleted(1, "e1", "b-1", "acme", START.plusSeconds(100), Trigger.MANUAL,
                new BlobLocation("acmeblobs", "db-backups", "backups/acme/2026/11/acme-x.dump.zst", "https://x"),
                12_345_678L, "f00d", "POSTGRESQL", START, START.plusSeconds(100));

        Email email = composer.compose(completed, account, account.superadminEmails());

        assertThat(email.subject()).isEqualTo("Database backup completed — Acme Ltd");
        assertThat(email.to()).containsExactly("ana@acme.example");
        assertThat(email.text())
                .contains("26 Nov 2026, 10:16:40 (Europe/Madrid)")
                .contains("Manual")
                .contains("11.8 MB (12,345,678 bytes)")
                .contains("1 min 40 s")
                .contains("acmeblobs").contains("db-backups").contains("backups/acme/2026/11/acme-x.dump.zst")
                .contains("f00d");
        assertThat(email.messageId()).isEqualTo("<b-1.completed@backuprelay>");
    }

    @Test
    void aSuccessEmailCarriesTheWarningsOfTheBackup() {
        BackupCompleted completed = new BackupCompleted(1, "e1", "b-3", "acme", START, Trigger.SCHEDULED,
                new BlobLocation("acmeblobs", "db-backups", "x.dump.zst", "https://x"), 10L, "f00d", "POSTGRESQL", START,
                START, List.of("The SAS token of the connection 'main' expires on 2026-12-01T00:00:00Z."));

        assertThat(composer.compose(completed, account, account.superadminEmails()).text())
                .contains("Warning: The SAS token of the connection 'main' expires on 2026-12-01T00:00:00Z.");
    }

    @Test
    void aFailureEmailSaysWhichStepFailedWhyAndWhatToDo() {
        BackupRequested request = new BackupRequested(1, "e", "b-2", "acme", START, Trigger.SCHEDULED, 1, "scheduler", "main");
        BackupFailed failed = BackupFailed.of(request, FailureStage.UPLOAD,
                "Storage account 'acmeblobs' rejected the access key.", START.plus(Duration.ofMinutes(3)));

        Email email = composer.compose(failed, account, account.superadminEmails());

        assertThat(email.subject()).isEqualTo("Database backup failed — Acme Ltd");
        assertThat(email.text())
                .contains("Upload to Azure Blob Storage")
                .contains("Storage account 'acmeblobs' rejected the access key.")
                .contains("Automatic")
                .contains("26 Nov 2026, 10:18:00 (Europe/Madrid)")
                .contains("What you can do");
        assertThat(email.text()).doesNotContain("c2VjcmV0");
    }

    @Test
    void sizesAndDurationsReadNaturally() {
        assertThat(EmailComposer.size(512)).isEqualTo("512 bytes");
        assertThat(EmailComposer.size(3L * 1024 * 1024 * 1024)).isEqualTo("3.0 GB (3,221,225,472 bytes)");
        assertThat(EmailComposer.duration(Duration.ofSeconds(42))).isEqualTo("42 s");
        assertThat(EmailComposer.duration(Duration.ofMinutes(135))).isEqualTo("2 h 15 min");
    }
}
