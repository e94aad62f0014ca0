package io.backuprelay.console.activity;

import io.backuprelay.common.health.ComponentHealth;
import io.backuprelay.common.health.HealthCheck;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicFollower;
import io.backuprelay.common.kafka.ViewUnavailableException;
import java.io.Closeable;

/**
 * The activity log as this console reads it: {@code backup.activity} from its beginning, the newest
 * entries of each account kept in memory ({@link ActivityStore}). Ready once it has caught up with
 * the topic, like the views.
 */
public final class ActivityReader implements Closeable, HealthCheck {

    private final ActivityStore store;
    private final TopicFollower follower;

    /** @param kept how many entries of each account to keep in memory, the newest */
    public ActivityReader(KafkaSettings kafka, String clientId, int kept) {
        this.store = new ActivityStore(kept);
        this.follower = new TopicFollower(kafka, clientId, "log-" + clientId, kafka.topics().activity(), store);
    }

    public ActivityReader start() {
        follower.start();
        return this;
    }

    /**
     * Waits until every entry written before this call has been read, so that a read after a write,
     * by any console instance, sees it.
     *
     * @throws ViewUnavailableException when the broker cannot be reached in time
     */
    void catchUp() {
        follower.sync();
    }

    ActivityPage page(String accountId, String before, int limit) {
        return store.page(accountId, before, limit);
    }

    ActivityPage all(String before, int limit) {
        return store.all(before, limit);
    }

    @Override
    public ComponentHealth health() {
        return follower.health();
    }

    @Override
    public void close() {
        follower.close();
    }
}
