package io.backuprelay.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.notify.mail.MailSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NotifierSettingsTest {

    @Test
    void theEndOfDataIsAwaitedTenMinutesByDefaultAndEveryOtherAnswerFarLess() {
        MailSettings.Timeouts timeouts = MailSettings.from(new ConfigSource(Map.of())).timeouts();

        assertThat(timeouts.endOfData()).isEqualTo(Duration.ofMinutes(10));
        assertThat(timeouts.command()).isEqualTo(Duration.ofSeconds(30));
        assertThat(timeouts.connect()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void smtpDataTimeoutIsReadAndOutOfRangeValuesNameTheVariable() {
        assertThat(MailSettings.from(new ConfigSource(Map.of("SMTP_DATA_TIMEOUT", "PT15M"))).timeouts().endOfData())
                .isEqualTo(Duration.ofMinutes(15));
        for (String wrong : new String[] {"0", "PT0.5S", "PT2H", "ten minutes"}) {
            assertThatThrownBy(() -> MailSettings.from(new ConfigSource(Map.of("SMTP_DATA_TIMEOUT", wrong))))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("SMTP_DATA_TIMEOUT");
        }
    }

    @Test
    void theSentHorizonIsThirtyDaysByDefaultAndAtLeastADay() {
        assertThat(NotifierConfig.from(new ConfigSource(Map.of())).sentHorizon()).isEqualTo(Duration.ofDays(30));
        assertThat(NotifierConfig.from(new ConfigSource(Map.of("NOTIFY_SENT_HORIZON", "P90D"))).sentHorizon())
                .isEqualTo(Duration.ofDays(90));
        assertThatThrownBy(() -> NotifierConfig.from(new ConfigSource(Map.of("NOTIFY_SENT_HORIZON", "PT12H"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("NOTIFY_SENT_HORIZON");
    }
}
