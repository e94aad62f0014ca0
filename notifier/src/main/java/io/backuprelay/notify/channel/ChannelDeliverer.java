package io.backuprelay.notify.channel;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.Channel;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.ops.OpsStage;
import io.backuprelay.common.ops.OpsStatus;
import io.backuprelay.common.ops.ServiceOps;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.secret.SecretUnavailableException;
import io.backuprelay.hook.ChannelDelivery;
import io.backuprelay.hook.ChannelMessages;
import io.backuprelay.hook.HookAnswer;
import io.backuprelay.hook.HookRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One try of an event to a channel: reads the channel's record (a deleted channel is sent nothing), opens its URL
 * and secret, builds the message ({@link ChannelMessages}) and sends it. What comes of it is a {@link Result}: taken,
 * to be tried again (a {@link ChannelDelivery} for {@code backup.deliveries}), given up (its budget spent), or
 * dropped (nothing to send, or nothing that a later try could change). Neither the URL nor the secret is ever
 * logged or published: only the channel's id, kind and origin.
 */
public final class ChannelDeliverer {

    private static final Logger log = LoggerFactory.getLogger(ChannelDeliverer.class);

    /** What the deliverer reads of the compacted topics. */
    public record Lookups(Function<String, List<Channel>> channelsOf, Function<String, Optional<Channel>> channel,
                          Function<String, Optional<Account>> accounts) {
    }

    /** Sends one request to a channel's endpoint ({@code HookSender#send}). */
    @FunctionalInterface
    public interface Sender {
        HookAnswer send(String accountId, HookRequest request);
    }

    /** Who is told when a channel's delivery is given up: the people whose endpoint it is must act. */
    @FunctionalInterface
    public interface GivenUpNotice {
        void givenUp(Channel channel, ChannelDelivery delivery, String lastAnswer) throws Exception;
    }

    /** What came of a try. */
    public sealed interface Result {
    }

    /** The endpoint took it. */
    public record Delivered(HookAnswer answer) implements Result {
    }

    /** Not taken: try again as this record says. */
    public record Retry(ChannelDelivery next) implements Result {
    }

    /** Not taken, and the budget is spent: for the dead-letter topic. */
    public record GivenUp(String why) implements Result {
    }

    /** Not sent, and no later try would change that (deleted channel, filter, refused URL, unreadable secret). */
    public record Dropped(String why) implements Result {
    }

    private final Lookups lookups;
    private final SecretSealer sealer;
    private final Sender sender;
    private final ChannelConfig config;
    private final ServiceOps ops;
    private final GivenUpNotice notice;
    private final Clock clock;

    /** @param notice who is told when a delivery is given up (the account's super-administrators, by email) */
    public ChannelDeliverer(Lookups lookups, SecretSealer sealer, Sender sender, ChannelConfig config, ServiceOps ops,
                            GivenUpNotice notice, Clock clock) {
        this.lookups = lookups;
        this.sealer = sealer;
        this.sender = sender;
        this.config = config;
        this.ops = ops;
        this.notice = notice;
        this.clock = clock;
    }

    /**
     * The first try of an event to each channel of its account that is sent it; an event older than the retry
     * budget (a replay) is sent nothing.
     *
     * @return the deliveries to try again
     */
    public List<ChannelDelivery> first(BackupEvent event) {
        if (!ChannelMessages.isNews(event) || event.occurredAt().isBefore(clock.instant().minus(config.budget()))) {
            return List.of();
        }
        List<ChannelDelivery> again = new ArrayList<>();
        for (Channel channel : lookups.channelsOf().apply(event.accountId())) {
            if (!ChannelMessages.sends(channel, event)) {
                continue;
            }
            Instant now = clock.instant();
            ChannelDelivery first = new ChannelDelivery(ChannelDelivery.CURRENT_VERSION, channel.accountId(),
                    channel.channelId(), event, 1, now, now, "");
            if (tryOnce(channel, first) instanceof Retry retry) {
                again.add(retry.next());
            }
        }
        return again;
    }

    /** Another try of a delivery its endpoint did not take before. */
    public Result again(ChannelDelivery delivery) {
        Optional<Channel> channel = lookups.channel().apply(delivery.key());
        if (channel.isEmpty()) {
            String why = "channel " + delivery.channelId() + " was deleted; its pending delivery is dropped";
            log.info("Account {}: {}", delivery.accountId(), why);
            ops.publish(delivery.event().backupId(), delivery.accountId(), OpsStage.NOTIFY, OpsStatus.SKIPPED, why);
            return new Dropped(why);
        }
        return tryOnce(channel.get(), delivery);
    }

    private Result tryOnce(Channel channel, ChannelDelivery delivery) {
        BackupEvent event = delivery.event();
        String where = describe(channel);
        Optional<Account> account = lookups.accounts().apply(channel.accountId());
        if (account.isEmpty()) {
            return dropped(channel, event, where + ": its account is not registered");
        }
        Optional<HookRequest> request;
        try {
            request = request(channel, event, account.get());
        } catch (SecretUnavailableException e) {
            return dropped(channel, event, where + ": its URL or secret cannot be opened (" + e.getMessage() + ")");
        }
        if (request.isEmpty()) {
            return new Dropped(where + " is not sent " + ChannelMessages.type(event));
        }
        HookAnswer answer = sender.send(channel.accountId(), request.get());
        if (answer.delivered()) {
            log.info("Sent {} of backup {} to {} (try {}): HTTP {}", ChannelMessages.type(event), event.backupId(),
                    where, delivery.attempt(), answer.status());
            ops.publish(event.backupId(), event.accountId(), OpsStage.NOTIFY, OpsStatus.SENT,
                    where + " took " + ChannelMessages.type(event) + " (try " + delivery.attempt() + ")");
            return new Delivered(answer);
        }
        if (answer.refused()) {
            return dropped(channel, event, where + ": " + answer.error());
        }
        Instant now = clock.instant();
        Instant next = now.plus(config.delayAfter(delivery.attempt()));
        if (next.isAfter(delivery.firstTryAt().plus(config.budget()))) {
            String why = where + " did not take " + ChannelMessages.type(event) + " in " + delivery.attempt()
                    + " tries since " + delivery.firstTryAt() + " (HOOK_RETRY_BUDGET " + config.budget()
                    + "); last answer: " + answer.summary();
            log.warn("Backup {} of account {}: {}", event.backupId(), event.accountId(), why);
            ops.publish(event.backupId(), event.accountId(), OpsStage.NOTIFY, OpsStatus.DEAD_LETTERED, why);
            tell(channel, delivery, answer);
            return new GivenUp(why);
        }
        log.warn("{} did not take {} of backup {} (try {}): {}; trying again at {}", where, ChannelMessages.type(event),
                event.backupId(), delivery.attempt(), answer.summary(), next);
        ops.publish(event.backupId(), event.accountId(), OpsStage.NOTIFY, OpsStatus.RETRIED,
                where + ": " + answer.summary() + " (try " + delivery.attempt() + "), again at " + next);
        return new Retry(delivery.tried(next, answer.summary()));
    }

    /** The people whose endpoint it is must act: told, or, when they cannot be, ops hear of that too. */
    private void tell(Channel channel, ChannelDelivery delivery, HookAnswer answer) {
        BackupEvent event = delivery.event();
        try {
            notice.givenUp(channel, delivery, answer.summary());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            String why = "the account could not be told that " + describe(channel) + " was given up: " + e.getMessage();
            log.warn("Backup {} of account {}: {}", event.backupId(), event.accountId(), why);
            ops.publish(event.backupId(), event.accountId(), OpsStage.NOTIFY, OpsStatus.FAILED, why);
        }
    }

    private Optional<HookRequest> request(Channel channel, BackupEvent event, Account account) {
        if (!ChannelMessages.sends(channel, event)) {
            return Optional.empty();
        }
        String url = sealer.open(channel.url(), channel.urlContext());
        String secret = channel.signingSecret() == null ? null
                : sealer.open(channel.signingSecret(), channel.signingSecretContext());
        return ChannelMessages.forEvent(channel, url, secret, event, account,
                config.pageFor(channel.accountId()).orElse(null), clock.instant());
    }

    private Dropped dropped(Channel channel, BackupEvent event, String why) {
        log.warn("Backup {} of account {}: nothing sent to {}", event.backupId(), channel.accountId(), why);
        ops.publish(event.backupId(), event.accountId(), OpsStage.NOTIFY, OpsStatus.FAILED, why);
        return new Dropped(why);
    }

    /** The channel as logs and ops events name it: its id, kind and origin, never its URL. */
    static String describe(Channel channel) {
        return "channel " + channel.channelId() + " (" + channel.kind() + " " + channel.origin() + ")";
    }
}
