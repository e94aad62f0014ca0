package io.backuprelay.common.account;

import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.common.secret.SecretContext;
import java.util.Objects;

/**
 * A place, besides email, where an account is told of its backups (topic {@code backup.channels},
 * key {@code accountId/channelId}; a tombstone deletes it).
 *
 * <p>The whole URL is a secret (a Slack or Teams URL, or a heartbeat's, is all it takes to post
 * there), sealed to this record and its origin; only the origin is kept in the clear, for the page.
 *
 * @param origin        {@code scheme://host[:port]} of the URL, what the page shows of it
 * @param url           the URL, sealed ({@link #urlContext})
 * @param signingSecret a webhook's Standard Webhooks secret ({@code whsec_…}), sealed; null for other kinds
 * @param sends         what the channel is sent; ignored for a heartbeat
 */
public record Channel(
        String accountId,
        String channelId,
        ChannelKind kind,
        String description,
        String origin,
        SealedSecret url,
        SealedSecret signingSecret,
        ChannelFilter sends) {

    /** The topic's logical name, in a seal's associated data. */
    public static final String TOPIC = "backup.channels";

    public Channel {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(channelId, "channelId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(url, "url");
        if (kind == ChannelKind.WEBHOOK) {
            Objects.requireNonNull(signingSecret, "signingSecret");
        } else if (signingSecret != null) {
            throw new IllegalArgumentException("only a webhook has a signing secret");
        }
        description = description == null ? "" : description;
        sends = sends == null ? ChannelFilter.ALL : sends;
    }

    /** The record key of a channel on {@code backup.channels}. */
    public static String key(String accountId, String channelId) {
        return accountId + "/" + channelId;
    }

    public String key() {
        return key(accountId, channelId);
    }

    /** Where the URL is sealed: bound to this record, its kind and its origin. */
    public SecretContext urlContext() {
        return new SecretContext(TOPIC, key(), "url", kind.name() + "|" + origin);
    }

    /** Where a webhook's signing secret is sealed. */
    public SecretContext signingSecretContext() {
        return new SecretContext(TOPIC, key(), "signingSecret", kind.name() + "|" + origin);
    }
}
