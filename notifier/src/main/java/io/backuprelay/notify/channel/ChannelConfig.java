package io.backuprelay.notify.channel;

import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.hook.HookSettings;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * How channels are sent to, read once.
 *
 * @param initial the first wait after a failed try ({@code HOOK_RETRY_INITIAL}), doubling up to {@code max}
 * @param max     the longest wait between tries ({@code HOOK_RETRY_MAX})
 * @param budget  no try starts after this long since the first ({@code HOOK_RETRY_BUDGET}); then the dead-letter topic
 * @param timeout to connect, and then for the answer ({@code HOOK_TIMEOUT})
 * @param pageUrl the page linked from the messages ({@code BACKUPRELAY_PAGE_URL}), {@code {accountId}} in it replaced;
 *                null for no link
 */
public record ChannelConfig(Duration initial, Duration max, Duration budget, Duration timeout, String pageUrl) {

    public static final String GROUP_ID = "backuprelay-notifier-channels";
    public static final String RETRY_GROUP_ID = "backuprelay-notifier-deliveries";

    public ChannelConfig {
        if (initial.isZero() || initial.isNegative() || max.compareTo(initial) < 0) {
            throw new ConfigException(HookSettings.RETRY_INITIAL.name(), "must be positive and at most "
                    + HookSettings.RETRY_MAX.name());
        }
        if (budget.compareTo(initial) < 0) {
            throw new ConfigException(HookSettings.RETRY_BUDGET.name(), "must be at least "
                    + HookSettings.RETRY_INITIAL.name());
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new ConfigException(HookSettings.TIMEOUT.name(), "must be positive, is " + timeout);
        }
        if (pageUrl != null && !pageUrl.isBlank()) {
            URI uri = URI.create(pageUrl.replace("{accountId}", "x"));
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
                throw new ConfigException(HookSettings.PAGE_URL.name(), "must be an http(s) URL, is " + pageUrl);
            }
        } else {
            pageUrl = null;
        }
    }

    /** The defaults, for tests: 5 s doubling to 5 min, for 24 h; 10 s to answer; no page link. */
    public static ChannelConfig defaults() {
        return new ChannelConfig(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofHours(24),
                Duration.ofSeconds(10), null);
    }

    public static ChannelConfig from(ConfigSource config) {
        return new ChannelConfig(HookSettings.RETRY_INITIAL.read(config), HookSettings.RETRY_MAX.read(config),
                HookSettings.RETRY_BUDGET.read(config), HookSettings.TIMEOUT.read(config),
                HookSettings.PAGE_URL.read(config));
    }

    /** The wait after failed try {@code attempt} (1 or more). */
    public Duration delayAfter(int attempt) {
        Duration delay = initial.multipliedBy(1L << Math.min(attempt - 1, 20));
        return delay.compareTo(max) > 0 ? max : delay;
    }

    /** The account's page, or empty when no page is configured. */
    public Optional<String> pageFor(String accountId) {
        return HookSettings.pageFor(pageUrl, accountId);
    }
}
