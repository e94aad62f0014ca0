package io.backuprelay.notify;

import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.kafka.RetryPolicy;
import java.time.Duration;
import java.util.Objects;

/**
 * @param retry       how long an unreachable SMTP server is waited for before the outcome is dead-lettered
 * @param sentHorizon how old an event may be and still be mailed; the records of what was sent are
 *                    kept that long (and a day), so the notifier's memory holds one horizon of them
 */
public record NotifierConfig(RetryPolicy retry, Duration sentHorizon) {

    public static final String GROUP_ID = "backuprelay-notifier";
    public static final Duration DEFAULT_SENT_HORIZON = Duration.ofDays(30);
    /** Far longer than the retries of one outcome, so that nothing is dropped while it is still being tried. */
    static final Duration MIN_SENT_HORIZON = Duration.ofDays(1);

    public NotifierConfig {
        Objects.requireNonNull(retry, "retry");
        sentHorizon = sentHorizon == null ? DEFAULT_SENT_HORIZON : sentHorizon;
        if (sentHorizon.compareTo(MIN_SENT_HORIZON) < 0) {
            throw new IllegalArgumentException("the sent horizon must be at least " + MIN_SENT_HORIZON + ", is " + sentHorizon);
        }
    }

    public NotifierConfig(RetryPolicy retry) {
        this(retry, DEFAULT_SENT_HORIZON);
    }

    public static NotifierConfig from(ConfigSource config) {
        // By default about half an hour of tries: 5 s, 10 s, 20 s, … up to 10 minutes apart.
        RetryPolicy retry = new RetryPolicy(config.integer("NOTIFY_RETRY_ATTEMPTS", 8, 1, 100),
                config.duration("NOTIFY_RETRY_INITIAL", Duration.ofSeconds(5)),
                config.duration("NOTIFY_RETRY_MAX", Duration.ofMinutes(10)));
        Duration horizon = config.duration("NOTIFY_SENT_HORIZON", DEFAULT_SENT_HORIZON);
        if (horizon.compareTo(MIN_SENT_HORIZON) < 0) {
            throw new ConfigException("NOTIFY_SENT_HORIZON", "must be at least P1D, is " + horizon);
        }
        return new NotifierConfig(retry, horizon);
    }
}
