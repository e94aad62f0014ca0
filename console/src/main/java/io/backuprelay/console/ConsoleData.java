package io.backuprelay.console;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.CompactedTopicView;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.topic.Topics;
import java.io.Closeable;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What the console reads and writes: the compacted topics of accounts, settings, connections and
 * status (kept in memory, read-your-writes), and a producer that waits for each write to be acknowledged.
 */
public final class ConsoleData implements Closeable {

    private final Topics topics;
    private final CompactedTopicView<Account> accounts;
    private final CompactedTopicView<BackupSettings> settings;
    private final CompactedTopicView<Connection> connections;
    private final CompactedTopicView<BackupStatus> statuses;
    private final Producer<String, byte[]> producer;

    public ConsoleData(KafkaSettings kafka) {
        this.topics = kafka.topics();
        this.accounts = new CompactedTopicView<>(kafka, "console-accounts", topics.accounts(),
                bytes -> Json.decode(bytes, Account.class));
        this.settings = new CompactedTopicView<>(kafka, "console-settings", topics.settings(),
                bytes -> Json.decode(bytes, BackupSettings.class));
        this.connections = new CompactedTopicView<>(kafka, "console-connections", topics.connections(),
                bytes -> Json.decode(bytes, Connection.class));
        this.statuses = new CompactedTopicView<>(kafka, "console-status", topics.status(),
                bytes -> Json.decode(bytes, BackupStatus.class));
        this.producer = new KafkaProducer<>(kafka.producer("console", null));
    }

    public ConsoleData start() {
        accounts.start();
        settings.start();
        connections.start();
        statuses.start();
        return this;
    }

    /** The views, for the health endpoints: each is ready once it has read its topic to the end. */
    public List<io.backuprelay.common.service.HealthCheck> components() {
        return List.of(accounts, settings, connections, statuses);
    }

    public Topics topics() {
        return topics;
    }

    public Optional<Account> account(String accountId) {
        return accounts.get(accountId);
    }

    public Optional<BackupSettings> settings(String accountId) {
        return settings.get(accountId);
    }

    public Optional<BackupStatus> status(String accountId) {
        return statuses.get(accountId);
    }

    public Optional<Connection> connection(String accountId, String connectionId) {
        return connections.get(Connection.key(accountId, connectionId));
    }

    public List<Connection> connections(String accountId) {
        String prefix = accountId + "/";
        return connections.snapshot().entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix))
                .map(java.util.Map.Entry::getValue)
                .sorted(Comparator.comparing(Connection::connectionId))
                .toList();
    }

    /** Writes a record (a null value deletes the key) and waits until the cluster has it. */
    public void publish(String topic, String key, Object value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value == null ? null : Json.encode(value)))
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
        accounts.close();
        settings.close();
        connections.close();
        statuses.close();
    }
}
