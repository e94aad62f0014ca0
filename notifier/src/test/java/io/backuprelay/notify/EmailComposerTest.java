package io.backuprelay.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.account.Account;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.BlobLocation;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.notify.mail.Email;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class EmailComposerTest {

    private static final Instant START = Instant.parse("2026-11-26T09:15:00Z");
    private final EmailComposer composer = new EmailComposer();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "en|Database backup completed — Acme Ltd|November 26, 2026|Manual|Next automatic backup|December 3, 2026|Download (valid until November 27, 2026",
            "es|Copia de seguridad completada — Acme Ltd|26 de noviembre de 2026|Manual|Próxima copia automática|3 de diciembre de 2026|Descarga (válida hasta 27 de noviembre de 2026",
            "fr|Sauvegarde terminée — Acme Ltd|26 novembre 2026|Manuelle|Prochaine sauvegarde automatique|3 décembre 2026|Téléchargement (valable jusqu’au 27 novembre 2026",
            "pt|Cópia de segurança concluída — Acme Ltd|26 de novembro de 2026|Manual|Próxima cópia automática|3 de dezembro de 2026|Transferência (válida até 27 de novembro de 2026"})
    void aSuccessEmailSaysWhatWhenHowBigWhereAndHowLongInTheAccountsLanguage(String locale, String subject, String date,
                                                                             String manual, String nextLabel, String nextDate,
                                                                             String linkUntil) {
        Email email = composer.compose(completed(List.of()), account("Acme Ltd", locale), List.of("ana@acme.example"),
                new EmailComposer.Extras(Optional.of(START.plus(Duration.ofDays(7))),
                        Optional.of(new EmailComposer.Download("https://x/blob?sig=abc", START.plus(Duration.ofHours(24))))));

        assertThat(email.subject()).isEqualTo(subject);
        assertThat(email.text()).contains(date).contains("10:16:40").contains("(Europe/Madrid)").contains(manual)
                .contains("11.8 MB (12,345,678 bytes)").contains("1 min 40 s").contains("acmeblobs")
                .contains("db-backups").contains("backups/acme/2026/11/acme-x.dump.zst").contains("f00d")
                .contains(nextLabel).contains(nextDate).contains("https://x/blob?sig=abc").contains(linkUntil);
        assertThat(email.html()).contains(date).contains("<a href=\"https://x/blob?sig=abc\">");
        assertThat(email.messageId()).isEqualTo("<b-1.completed@backuprelay>");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "en|Database backup failed — Acme Ltd|Upload to Azure Blob Storage|Automatic|Next try|What you can do",
            "es|La copia de seguridad ha fallado — Acme Ltd|Subida a Azure Blob Storage|Automática|Próximo intento|Qué puede hacer",
            "fr|Échec de la sauvegarde — Acme Ltd|Envoi vers Azure Blob Storage|Automatique|Prochain essai|Que faire",
            "pt|A cópia de segurança falhou — Acme Ltd|Envio para o Azure Blob Storage|Automática|Próxima tentativa|O que pode fazer"})
    void aFailureEmailSaysWhichStepFailedWhyWhatToDoAndWhenTheNextTryIs(String locale, String subject, String step,
                                                                        String automatic, String nextTry, String advice) {
        BackupRequested request = new BackupRequested(1, "e", "b-2", "acme", START, Trigger.SCHEDULED, 1, "scheduler", "main",
                null, 0, null);
        BackupFailed failed = BackupFailed.of(request, FailureStage.UPLOAD,
                "Storage account 'acmeblobs' rejected the access key.", START.plus(Duration.ofMinutes(3)));

        Email email = composer.compose(failed, account("Acme Ltd", locale), List.of("ana@acme.example"),
                new EmailComposer.Extras(Optional.of(START.plus(Duration.ofMinutes(18))), Optional.empty()));

        assertThat(email.subject()).isEqualTo(subject);
        assertThat(email.text()).contains(step).contains("Storage account 'acmeblobs' rejected the access key.")
                .contains(automatic).contains(nextTry).contains("10:33:00").contains(advice);
        assertThat(email.html()).contains("Storage account &#39;acmeblobs&#39; rejected the access key.");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "en|Checks passed|the SHA-256 of the bytes sent equals the dump's|the stored blob was read back",
            "es|Comprobaciones superadas|el SHA-256 de los bytes enviados|se volvió a leer",
            "fr|Vérifications réussies|le SHA-256 des octets envoyés|a été relu",
            "pt|Verificações aprovadas|o SHA-256 dos bytes enviados|foi lido de novo"})
    void aSuccessEmailSaysWhichChecksTheBackupPassed(String locale, String label, String sent, String readBack) {
        BackupCompleted checked = new BackupCompleted(1, "e1", "b-1", "acme", START.plusSeconds(100), Trigger.MANUAL,
                new BlobLocation("acmeblobs", "db-backups", "backups/acme/2026/11/acme-x.dump.zst", "https://x"),
                12_345_678L, "f00d", Engine.POSTGRESQL, START, START.plusSeconds(100), List.of(), "main",
                List.of("SHA256_OF_BYTES_SENT", "MD5_PER_BLOCK", "READ_BACK_SHA256"), null, null, null);

        Email email = composer.compose(checked, account("Acme Ltd", locale), List.of("ana@acme.example"));

        assertThat(email.text()).contains(label).contains(sent).contains(readBack).contains("MD5");
    }

    @Test
    void aSuccessEmailClaimsNoCheckItWasNotTold() {
        Email email = composer.compose(completed(List.of()), account("Acme Ltd", "en"), List.of("ana@acme.example"));

        assertThat(email.text()).doesNotContain("Checks passed").doesNotContain("read back");
    }

    @Test
    void everyValueIsEscapedInTheHtmlSoAHostileNameStaysText() {
        Email email = composer.compose(completed(List.of("<b>bold</b>")),
                account("<script>alert('x')</script> & Co", "en"), List.of("ana@acme.example"));

        assertThat(email.html()).doesNotContain("<script>").doesNotContain("<b>bold</b>")
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co").contains("&lt;b&gt;bold&lt;/b&gt;");
        assertThat(email.subject()).isEqualTo("Database backup completed — <script>alert('x')</script> & Co");
    }

    @Test
    void sizesAndDurationsReadNaturally() {
        assertThat(EmailComposer.size(512)).isEqualTo("512 bytes");
        assertThat(EmailComposer.size(3L * 1024 * 1024 * 1024)).isEqualTo("3.0 GB (3,221,225,472 bytes)");
        assertThat(EmailComposer.duration(Duration.ofSeconds(42))).isEqualTo("42 s");
        assertThat(EmailComposer.duration(Duration.ofMinutes(135))).isEqualTo("2 h 15 min");
    }

    private static BackupCompleted completed(List<String> warnings) {
        return new BackupCompleted(1, "e1", "b-1", "acme", START.plusSeconds(100), Trigger.MANUAL,
                new BlobLocation("acmeblobs", "db-backups", "backups/acme/2026/11/acme-x.dump.zst", "https://x"),
                12_345_678L, "f00d", Engine.POSTGRESQL, START, START.plusSeconds(100), warnings, "main",
                List.of(), null, null, null);
    }

    static Account account(String name, String locale) {
        return new Account("acme", name, locale, "Europe/Madrid", List.of("ana@acme.example"),
                new SourceDatabase(Engine.POSTGRESQL, "db.acme", 5432, "acme", "backup",
                        new SealedSecret("k1", "c2VjcmV0")));
    }
}
