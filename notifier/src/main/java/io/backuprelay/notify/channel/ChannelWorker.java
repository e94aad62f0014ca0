package io.backuprelay.notify.channel;

import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.Channel;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.health.HealthCheck;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.CompactedTopicView;
import io.backuprelay.common.kafka.JobWorker;
import io.backuprelay.common.kafka.JobWorkerConfig;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.RetryPolicy;
import io.backuprelay.common.kafka.RetryingHandler;
import io.backuprelay.common.ops.OpsPublisher;
import io.backuprelay.common.ops.ServiceOps;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.view.AccountViews;
import io.backuprelay.hook.ChannelDelivery;
import io.backuprelay.hook.HookSender;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The channels' side of the notifier, in consumer groups of its own so that an endpoint that is down never holds
 * emails back: {@code backup.outcomes} → the first try to each channel ({@link ChannelHandler}), and
 * {@code backup.deliveries} → the later tries ({@link DeliveryHandler}). Reads {@code backup.channels} and the
 * accounts through the notifier's views.
 */
public final class ChannelWorker implements Closeable {

    /** What is retried by the job runtime itself: only an unexpected error (a view that is away), not an endpoint. */
    private static final RetryPolicy UNEXPECTED = new RetryPolicy(3, Duration.ofSeconds(5), Duration.ofMinutes(1));

    private final HookSender sender;
    private final JobWorker<BackupEvent> outcomes;
    private final JobWorker<ChannelDelivery> retries;

    /**
     * @param views     the notifier's views, not started yet: the channels' view is added to them
     * @param accounts  the notifier's view of the accounts (languages, and the origins each was granted)
     * @param endpoints where channels may send, before the accounts' grants are bound
     */
    public ChannelWorker(KafkaSettings kafka, AccountViews views, CompactedTopicView<Account> accounts,
                         EndpointPolicy endpoints, Services services) {
        CompactedTopicView<Channel> channels = views.view("channels", kafka.topics().channels(), Channel.class);
        ChannelConfig config = services.config();
        this.sender = new HookSender(endpoints.withGrantsFrom(accounts), config.timeout());
        ChannelDeliverer deliverer = new ChannelDeliverer(
                new ChannelDeliverer.Lookups(accountId -> channelsOf(channels, accountId), channels::get,
                        accounts::get),
                services.sealer(), sender::send, config, new ServiceOps(services.ops(), "notifier", services.clock()),
                services.notice(), services.clock());
        String prefix = kafka.topics().prefix();
        String deliveries = kafka.topics().deliveries();
        this.outcomes = new JobWorker<>(new JobWorkerConfig("notifier-channels", prefix + ChannelConfig.GROUP_ID,
                kafka.topics().outcomes(), kafka.topics().deadLetters(), 4, Duration.ofSeconds(10), UNEXPECTED),
                kafka, bytes -> Json.decode(bytes, BackupEvent.class), new ChannelHandler(deliverer, deliveries));
        this.retries = new JobWorker<>(new JobWorkerConfig("notifier-deliveries", prefix + ChannelConfig.RETRY_GROUP_ID,
                deliveries, kafka.topics().deadLetters(), 8, Duration.ofSeconds(10), UNEXPECTED),
                kafka, bytes -> Json.decode(bytes, ChannelDelivery.class),
                new DeliveryHandler(deliverer, config, deliveries, RetryingHandler.Sleeper.REAL, services.clock()));
    }

    /**
     * What the channels' worker shares with the notifier: its settings, sealer, ops, clock, and how the account is
     * told (by email) that a channel's delivery was given up.
     */
    public record Services(ChannelConfig config, SecretSealer sealer, OpsPublisher ops, Clock clock,
                           ChannelDeliverer.GivenUpNotice notice) {
    }

    /**
     * The channels of one account, by id, after catching up: the records under its keys whose own account is it (a
     * record written under another account's key is not that account's channel).
     */
    static List<Channel> channelsOf(CompactedTopicView<Channel> channels, String accountId) {
        return channels.withPrefix(accountId + "/").stream().filter(channel -> channel.accountId().equals(accountId))
                .toList();
    }

    public ChannelWorker start() {
        outcomes.start();
        retries.start();
        return this;
    }

    /** The two loops, for the health endpoints. */
    public List<HealthCheck> components() {
        return List.of(outcomes, retries);
    }

    @Override
    public void close() {
        outcomes.close();
        retries.close();
        try {
            sender.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
