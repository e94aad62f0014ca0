package io.backuprelay.notify;

import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.kafka.RetryPolicy;
import java.time.Duration;

/** @param retry how long an unreachable SMTP server is waited for before the outcome is dead-lettered */
public record NotifierConfig(RetryPolicy retry) {

    public static final String GROUP_ID = "backuprelay-notifier";

    public static NotifierConfig from(ConfigSource config) {
        // By default about half an hour of tries: 5 s, 10 s, 20 s, … up to 10 minutes apart.
        return new NotifierConfig(new RetryPolicy(config.integer("NOTIFY_RETRY_ATTEMPTS", 8, 1, 100),
                config.duration("NOTIFY_RETRY_INITIAL", Duration.ofSeconds(5)),
                config.duration("NOTIFY_RETRY_MAX", Duration.ofMinutes(10))));
    }
}
