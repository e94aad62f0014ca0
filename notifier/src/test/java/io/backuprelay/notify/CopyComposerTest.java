package io.backuprelay.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.event.CopyFailed;
import io.backuprelay.notify.mail.Email;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CopyComposerTest {

    private static final Instant FAILED_AT = Instant.parse("2026-11-26T09:15:00Z");
    private final CopyComposer composer = new CopyComposer();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "en|A copy of a backup failed — Ñandú \"Backups\" Ltd|after 7 attempts|\"Test connection\"|November 26, 2026",
            "es|Ha fallado la réplica de una copia de seguridad — Ñandú \"Backups\" Ltd|tras 7 intentos|\"Probar conexión\"|26 de noviembre de 2026",
            "fr|La copie d'une sauvegarde a échoué — Ñandú \"Backups\" Ltd|après 7 tentatives|« Tester la connexion »|26 novembre 2026",
            "pt|A réplica de uma cópia de segurança falhou — Ñandú \"Backups\" Ltd|após 7 tentativas|\"Testar ligação\"|26 de novembro de 2026"})
    void aGivenUpCopySaysTheBackupIsSafeWhichCopyFailedWhyAndWhatToDoInTheAccountsLanguage(String locale, String subject,
            String attempts, String button, String date) {
        Email email = composer.givenUp(failed("Access Denied by the bucket policy"),
                EmailComposerTest.account("Ñandú \"Backups\" Ltd", locale), "Lisboa offsite", List.of("ana@acme.example"));

        assertThat(email.subject()).isEqualTo(subject);
        assertThat(email.text()).contains("'Lisboa offsite'").contains(attempts).contains(button)
                .contains("Access Denied by the bucket policy").contains("Lisboa offsite (offsite)").contains("b-1")
                .contains(date).contains("(Europe/Madrid)");
        assertThat(email.messageId()).isEqualTo("<b-1.copy-failed.offsite@backuprelay>");
    }

    @Test
    void aHostileConnectionDescriptionAndReasonStayTextInTheHtml() {
        Email email = composer.givenUp(failed("<script>alert(1)</script>"), EmailComposerTest.account("Acme", "en"),
                "<img src=x onerror=alert(2)>", List.of("ana@acme.example"));

        assertThat(email.html()).doesNotContain("<script>").doesNotContain("<img")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;").contains("&lt;img src=x onerror=alert(2)&gt;");
    }

    private static CopyFailed failed(String reason) {
        return new CopyFailed(1, "e1", "b-1", "acme", FAILED_AT, "offsite", 7, reason, false, null);
    }
}
