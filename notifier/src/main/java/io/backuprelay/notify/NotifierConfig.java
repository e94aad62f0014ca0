package io.backuprelay.notify;

import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.kafka.RetryPolicy;
import io.backuprelay.notify.channel.ChannelConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * @param retry       how long an unreachable SMTP server is waited for before the outcome is dead-lettered
 * @param sentHorizon how old an event may be and still be mailed; the records of what was sent are
 *                    kept that long (and a day), so the notifier's memory holds one horizon of them
 * @param linkValidity how long the download link in a super-administrators' email works ({@code NOTIFY_LINK_VALIDITY}, at most PT24H)
 * @param endpoints   where the links it signs may point ({@code BACKUPRELAY_ALLOWED_ENDPOINTS}), before the
 *                    accounts' grants are bound; Azure's hosts only when not given; the channels' URLs go where
 *                    it allows too
 * @param channels    how the channels (webhooks, Slack, Teams, heartbeat) are sent to ({@code HOOK_*})
 */
public record NotifierConfig(RetryPolicy retry, Duration sentHorizon, Duration linkValidity, EndpointPolicy endpoints,
                             ChannelConfig channels) {

    public static final String GROUP_ID = "backuprelay-notifier";
    public static final Duration DEFAULT_SENT_HORIZON = Duration.ofDays(30);
    /** Far longer than the retries of one outcome, so that nothing is dropped while it is still being tried. */
    static final Duration MIN_SENT_HORIZON = Duration.ofDays(1);
    /** How long the download link in an email works, at most: after that, the page's button. */
    public static final Duration MAX_LINK_VALIDITY = Duration.ofHours(24);
    static final Duration MIN_LINK_VALIDITY = Duration.ofMinutes(5);

    public NotifierConfig {
        Objects.requireNonNull(retry, "retry");
        sentHorizon = sentHorizon == null ? DEFAULT_SENT_HORIZON : sentHorizon;
        if (sentHorizon.compareTo(MIN_SENT_HORIZON) < 0) {
            throw new IllegalArgumentException("the sent horizon must be at least " + MIN_SENT_HORIZON + ", is " + sentHorizon);
        }
        endpoints = endpoints == null ? EndpointPolicy.allowing() : endpoints;
        channels = channels == null ? ChannelConfig.defaults() : channels;
        linkValidity = linkValidity == null ? MAX_LINK_VALIDITY : linkValidity;
        if (!allowedLinkValidity(linkValidity)) {
            throw new IllegalArgumentException("an email's link must work between " + MIN_LINK_VALIDITY + " and "
                    + MAX_LINK_VALIDITY + ", not " + linkValidity);
        }
    }

    private static boolean allowedLinkValidity(Duration validity) {
        return validity.compareTo(MIN_LINK_VALIDITY) >= 0 && validity.compareTo(MAX_LINK_VALIDITY) <= 0;
    }

    public NotifierConfig(RetryPolicy retry, Duration sentHorizon, Duration linkValidity, EndpointPolicy endpoints) {
        this(retry, sentHorizon, linkValidity, endpoints, null);
    }

    public NotifierConfig(RetryPolicy retry, Duration sentHorizon, Duration linkValidity) {
        this(retry, sentHorizon, linkValidity, null);
    }

    public NotifierConfig(RetryPolicy retry, Duration sentHorizon) {
        this(retry, sentHorizon, MAX_LINK_VALIDITY);
    }

    /** The same, signing links where {@code endpoints} allows. */
    public NotifierConfig withEndpoints(EndpointPolicy endpoints) {
        return new NotifierConfig(retry, sentHorizon, linkValidity, endpoints, channels);
    }

    /** The same, sending to channels as {@code channels} says. */
    public NotifierConfig withChannels(ChannelConfig channels) {
        return new NotifierConfig(retry, sentHorizon, linkValidity, endpoints, channels);
    }

    public NotifierConfig(RetryPolicy retry) {
        this(retry, DEFAULT_SENT_HORIZON);
    }

    public static NotifierConfig from(ConfigSource config) {
        // By default about half an hour of tries: 5 s, 10 s, 20 s, … up to 10 minutes apart.
        RetryPolicy retry = new RetryPolicy(NotifierSettings.RETRY_ATTEMPTS.read(config),
                NotifierSettings.RETRY_INITIAL.read(config), NotifierSettings.RETRY_MAX.read(config));
        Duration horizon = NotifierSettings.SENT_HORIZON.read(config);
        if (horizon.compareTo(MIN_SENT_HORIZON) < 0) {
            throw new ConfigException(NotifierSettings.SENT_HORIZON.name(), "must be at least P1D, is " + horizon);
        }
        Duration links = NotifierSettings.LINK_VALIDITY.read(config);
        if (!allowedLinkValidity(links)) {
            throw new ConfigException(NotifierSettings.LINK_VALIDITY.name(), "must be between PT5M and PT24H, is " + links);
        }
        return new NotifierConfig(retry, horizon, links, EndpointPolicy.from(config), ChannelConfig.from(config));
    }
}
