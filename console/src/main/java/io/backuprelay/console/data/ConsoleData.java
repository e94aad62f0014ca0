package io.backuprelay.console.data;

import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.Channel;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.health.HealthCheck;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.CompactedTopicView;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.PlainProducer;
import io.backuprelay.common.kafka.SharedClients;
import io.backuprelay.common.kafka.ViewUnavailableException;
import io.backuprelay.common.kafka.WaitingReads;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.common.view.AccountViews;
import io.backuprelay.console.activity.ActivityReader;
import java.io.Closeable;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * What the console reads and writes: the compacted topics of accounts, settings, connections,
 * status and channels, kept in memory ({@link AccountViews}, shared with the other services of a
 * process that shares its clients), and a producer that waits for each write to be acknowledged.
 *
 * <p>Reads answer from memory, without a broker round trip. A writer still reads its own writes:
 * each write answers with its {@link ViewPosition}, and a read that presents it first waits until
 * the views have read that far ({@link #readAfter}). A write that decides from what it reads
 * (is a backup running? does the connection exist?) first catches up with the broker ({@link #catchUp}).
 */
public final class ConsoleData implements Closeable {

    private final Topics topics;
    private final AccountViews views;
    private final CompactedTopicView<Account> accounts;
    private final CompactedTopicView<BackupSettings> settings;
    private final CompactedTopicView<Connection> connections;
    private final CompactedTopicView<BackupStatus> statuses;
    private final CompactedTopicView<Channel> channels;
    private final PlainProducer producer;
    /** Reads that wait hold a request thread each: a few at a time, and no account may take them all. */
    private final WaitingReads waitingReads = new WaitingReads(WAITING_READS_PER_ACCOUNT, 16,
            "Too many reads of this account are waiting for recent changes",
            "Too many reads are waiting for recent changes");
    private final ActivityReader activity;

    /** How many activity entries of each account are kept in memory by default, the newest. */
    public static final int DEFAULT_ACTIVITY_KEPT = 1000;

    public ConsoleData(KafkaSettings kafka) {
        this(kafka, DEFAULT_ACTIVITY_KEPT);
    }

    /** @param activityKept how many activity entries of each account to keep in memory, the newest */
    public ConsoleData(KafkaSettings kafka, int activityKept) {
        this.topics = kafka.topics();
        this.activity = new ActivityReader(kafka, "console-activity", activityKept);
        this.views = new AccountViews(kafka, "console");
        this.accounts = views.accounts();
        this.settings = views.settings();
        this.connections = views.connections();
        this.statuses = views.statuses();
        this.channels = views.view("channels", topics.channels(), Channel.class);
        this.producer = SharedClients.producer(kafka, "console");
    }

    public ConsoleData start() {
        views.start();
        activity.start();
        return this;
    }

    /** The views, for the health endpoints: each is ready once it has read its topic to the end. */
    public List<HealthCheck> components() {
        return List.of(accounts, settings, connections, statuses, channels, activity);
    }

    /** The activity log as this console reads it ({@code backup.activity}). */
    public ActivityReader activity() {
        return activity;
    }

    public Topics topics() {
        return topics;
    }

    /** The account; a miss first catches up with the broker, as an account registered a moment ago is no miss. */
    /** {@code policy}, reading each account's grants from this view of the accounts. */
    public EndpointPolicy withGrants(EndpointPolicy policy) {
        return policy.withGrantsFrom(accounts);
    }

    public Optional<Account> account(String accountId) {
        Optional<Account> known = accounts.current(accountId);
        return known.isPresent() ? known : accounts.get(accountId);
    }

    public Optional<BackupSettings> settings(String accountId) {
        return settings.current(accountId);
    }

    public Optional<BackupStatus> status(String accountId) {
        return statuses.current(accountId);
    }

    /** The connection; a miss first catches up with the broker, as one added a moment ago is no miss. */
    public Optional<Connection> connection(String accountId, String connectionId) {
        Optional<Connection> known = connections.current(Connection.key(accountId, connectionId));
        return known.isPresent() ? known : connections.get(Connection.key(accountId, connectionId));
    }

    /** Waits until every view has read what was written to its topic before this call (for writes). */
    public void catchUp() {
        accounts.sync();
        settings.sync();
        connections.sync();
        statuses.sync();
        channels.sync();
    }

    /** Reads of one account that may wait for the views at once: a client has one or two in flight. */
    static final int WAITING_READS_PER_ACCOUNT = 2;

    /**
     * Waits until the views have read as far as the reader has seen ({@code null}: not at all): each
     * view the position names catches up with its topic's end (one round trip to the broker). A
     * position the views still have not reached then is one no write made (made up, or from another
     * topic): it is refused at once rather than waited for.
     *
     * @param accountId whose read it is: an account's reads wait at most {@link #WAITING_READS_PER_ACCOUNT} at a time
     * @throws PositionUnknownException when the position is past what the topics hold, or names a missing partition
     * @throws io.backuprelay.common.kafka.ViewUnavailableException when the views cannot catch up (the broker is away)
     */
    public void readAfter(ViewPosition seen, String accountId) {
        if (seen == null || reached(seen, Duration.ZERO)) {
            return;
        }
        waitingReads.await(accountId, () -> {
            for (ViewPosition.View view : seen.views()) {
                view(view).sync();
            }
            if (!reached(seen, Duration.ZERO)) {
                throw new PositionUnknownException();
            }
        });
    }

    /** How many reads of the account are waiting for the views now. */
    int waitingReads(String accountId) {
        return waitingReads.waiting(accountId);
    }

    /** A presented position past the end of the topics it names: no write of this cluster made it. */
    public static final class PositionUnknownException extends RuntimeException {
        PositionUnknownException() {
            super("names a position past what the topics hold (a made-up position, or one from another environment)");
        }
    }

    private CompactedTopicView<?> view(ViewPosition.View view) {
        return switch (view) {
            case ACCOUNTS -> accounts;
            case SETTINGS -> settings;
            case CONNECTIONS -> connections;
            case CHANNELS -> channels;
        };
    }

    private boolean reached(ViewPosition seen, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (var entry : seen.offsets().entrySet()) {
            CompactedTopicView<?> view = view(entry.getKey().view());
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            if (!view.awaitPosition(entry.getKey().partition(), entry.getValue(), left)) {
                return false;
            }
        }
        return true;
    }

    /** The account's connections, by id. */
    public List<Connection> connections(String accountId) {
        return connections.currentWithPrefix(accountId + "/");
    }

    /** The account's notification channels besides email, by id. */
    public List<Channel> channels(String accountId) {
        return channels.currentWithPrefix(accountId + "/");
    }

    /** The channel; a miss first catches up with the broker, as one added a moment ago is no miss. */
    public Optional<Channel> channel(String accountId, String channelId) {
        Optional<Channel> known = channels.current(Channel.key(accountId, channelId));
        return known.isPresent() ? known : channels.get(Channel.key(accountId, channelId));
    }

    /** Writes to a view's topic (a null value deletes the key), waits until the cluster has it, and says where it is. */
    public ViewPosition write(ViewPosition.View view, String key, Object value) {
        String topic = switch (view) {
            case ACCOUNTS -> topics.accounts();
            case SETTINGS -> topics.settings();
            case CONNECTIONS -> topics.connections();
            case CHANNELS -> topics.channels();
        };
        var written = send(topic, key, value);
        return ViewPosition.of(view, written.partition(), written.offset());
    }

    /** Writes a record (a null value deletes the key) and waits until the cluster has it. */
    public void publish(String topic, String key, Object value) {
        send(topic, key, value);
    }

    private RecordMetadata send(String topic, String key, Object value) {
        try {
            return producer.send(new ProducerRecord<>(topic, key, value == null ? null : Json.encode(value)))
                    .get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while writing to " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Could not write to " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close();
        views.close();
        activity.close();
    }
}
