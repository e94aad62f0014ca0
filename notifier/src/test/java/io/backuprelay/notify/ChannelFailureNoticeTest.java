package io.backuprelay.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.account.Channel;
import io.backuprelay.common.account.ChannelFilter;
import io.backuprelay.common.account.ChannelKind;
import io.backuprelay.common.event.CopyFailed;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.hook.ChannelDelivery;
import io.backuprelay.notify.mail.Email;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChannelFailureNoticeTest {

    private static final Instant FIRST_TRY = Instant.parse("2026-11-26T09:15:00Z");
    private static final SealedSecret SEALED = new SealedSecret("k1", "c2VhbGVk", SealedSecret.TARGETED);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "en|Backup notifications are not getting through — Ñandú \"Backups\" Ltd|after 9 tries|\"Send test\"",
            "es|Las notificaciones de copias de seguridad no llegan — Ñandú \"Backups\" Ltd|tras 9 intentos|«Enviar prueba»",
            "fr|Les notifications de sauvegarde n’arrivent pas — Ñandú \"Backups\" Ltd|après 9 essais|« Envoyer un test »",
            "pt|As notificações de backup não estão chegando — Ñandú \"Backups\" Ltd|após 9 tentativas|\"Enviar teste\""})
    void aGivenUpChannelSaysWhichOneSinceWhenWhatItAnsweredAndWhatToDoInTheAccountsLanguage(String locale, String subject,
            String tries, String button) {
        Email email = ChannelFailureNotice.compose(channel("Alertas \"prod\" Zürich"), delivery(), "HTTP 503",
                EmailComposerTest.account("Ñandú \"Backups\" Ltd", locale), List.of("ana@acme.example"),
                ChannelFailureNotice.messageId(channel("x"), FIRST_TRY));

        assertThat(email.subject()).isEqualTo(subject);
        assertThat(email.text()).contains("'Alertas \"prod\" Zürich'").contains(tries).contains(button)
                .contains("SLACK, https://hooks.slack.com").contains("HTTP 503").contains("backup.copy.failed")
                .contains("b-1").contains("(Europe/Madrid)").contains("24 h 0 min");
        assertThat(email.to()).containsExactly("ana@acme.example");
    }

    @Test
    void oneEmailPerChannelAndDay() {
        Channel channel = channel("Ops");
        String morning = ChannelFailureNotice.messageId(channel, Instant.parse("2026-11-27T00:10:00Z"));
        assertThat(ChannelFailureNotice.messageId(channel, Instant.parse("2026-11-27T23:50:00Z"))).isEqualTo(morning);
        assertThat(ChannelFailureNotice.messageId(channel, Instant.parse("2026-11-28T00:10:00Z"))).isNotEqualTo(morning);
        assertThat(morning).isEqualTo("<Compa__a_7.n-1.channel-failed.20261127@backuprelay>");
    }

    @Test
    void aHostileDescriptionStaysTextInTheHtml() {
        Email email = ChannelFailureNotice.compose(channel("<img src=x onerror=alert(2)>"), delivery(), "<b>500</b>",
                EmailComposerTest.account("Acme", "en"), List.of("ana@acme.example"), "<id@backuprelay>");
        assertThat(email.html()).doesNotContain("<img").doesNotContain("<b>500")
                .contains("&lt;img src=x onerror=alert(2)&gt;");
    }

    private static Channel channel(String description) {
        return new Channel("Compañía 7", "n-1", ChannelKind.SLACK, description, "https://hooks.slack.com", SEALED, null,
                ChannelFilter.FAILURES);
    }

    private static ChannelDelivery delivery() {
        CopyFailed failed = new CopyFailed(1, "e1", "b-1", "Compañía 7", FIRST_TRY, "offsite", 7, "Access Denied", false, null);
        return new ChannelDelivery(1, "Compañía 7", "n-1", failed, 9, FIRST_TRY, FIRST_TRY.plus(Duration.ofDays(1)),
                "HTTP 503");
    }
}
