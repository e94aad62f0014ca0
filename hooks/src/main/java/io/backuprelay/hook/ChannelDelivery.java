package io.backuprelay.hook;

import io.backuprelay.common.account.Channel;
import io.backuprelay.common.event.BackupEvent;
import java.time.Instant;
import java.util.Objects;

/**
 * A delivery to a channel that its endpoint did not take, waiting for another try (topic {@code backup.deliveries},
 * key {@code accountId/channelId}, so one channel's deliveries stay in order). It names the channel, never its URL
 * nor its secret: each try reads the channel's record again, so a channel deleted meanwhile is sent nothing more.
 *
 * @param event      what is delivered, as it was on {@code backup.outcomes}
 * @param attempt    the number of the try this record is for (2 for the first try again)
 * @param firstTryAt when the first try was made: the retry budget counts from it
 * @param nextTryAt  when the next try is due
 * @param lastAnswer what the endpoint answered to the last try, in a few words ({@link HookAnswer#summary})
 */
public record ChannelDelivery(
        int version,
        String accountId,
        String channelId,
        BackupEvent event,
        int attempt,
        Instant firstTryAt,
        Instant nextTryAt,
        String lastAnswer) {

    public static final int CURRENT_VERSION = 1;

    public ChannelDelivery {
        version = version == 0 ? CURRENT_VERSION : version;
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(channelId, "channelId");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(firstTryAt, "firstTryAt");
        Objects.requireNonNull(nextTryAt, "nextTryAt");
        attempt = Math.max(attempt, 1);
        lastAnswer = lastAnswer == null ? "" : lastAnswer;
    }

    /** The record key, the channel's. */
    public String key() {
        return Channel.key(accountId, channelId);
    }

    /** The next wait's record: one try more, the next due at {@code next}. */
    public ChannelDelivery tried(Instant next, String answer) {
        return new ChannelDelivery(version, accountId, channelId, event, attempt + 1, firstTryAt, next, answer);
    }
}
