package io.backuprelay.common.view;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.kafka.CompactedTopicView;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.SharedClients;
import io.backuprelay.common.health.HealthCheck;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;

/**
 * The compacted views one service keeps of the account topics, each named after the service
 * ({@code view-<service>-accounts}, … in health), started in the order they were made, and closed
 * together. In a process that shares its clients ({@link SharedClients}), each presents the one copy
 * of its topic that every service of the process reads.
 */
public final class AccountViews implements Closeable {

    private final KafkaSettings kafka;
    private final String service;
    private final List<CompactedTopicView<?>> views = new ArrayList<>();

    public AccountViews(KafkaSettings kafka, String service) {
        this.kafka = kafka;
        this.service = service;
    }

    /** {@code backup.accounts}: each account's record, with the storage origins it was granted. */
    public CompactedTopicView<Account> accounts() {
        return view("accounts", kafka.topics().accounts(), Account.class);
    }

    /** {@code backup.settings}: each account's backup settings. */
    public CompactedTopicView<BackupSettings> settings() {
        return view("settings", kafka.topics().settings(), BackupSettings.class);
    }

    /** {@code backup.connections}: the storage connections. */
    public CompactedTopicView<Connection> connections() {
        return view("connections", kafka.topics().connections(), Connection.class);
    }

    /** {@code backup.status}: each account's backup status. */
    public CompactedTopicView<BackupStatus> statuses() {
        return view("status", kafka.topics().status(), BackupStatus.class);
    }

    /** A view of another compacted topic, its JSON records read as {@code type}. */
    public <T> CompactedTopicView<T> view(String name, String topic, Class<T> type) {
        CompactedTopicView<T> view = SharedClients.view(kafka, service + "-" + name, topic, type);
        views.add(view);
        return view;
    }

    /** The views, for the health endpoints, in the order they were made. */
    public List<HealthCheck> components() {
        return List.copyOf(views);
    }

    public void start() {
        views.forEach(CompactedTopicView::start);
    }

    @Override
    public void close() {
        views.forEach(CompactedTopicView::close);
    }
}
