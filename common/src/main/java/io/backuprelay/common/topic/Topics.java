package io.backuprelay.common.topic;

import java.util.List;
import java.util.Objects;

/**
 * The names of the backup topics, under an optional prefix (e.g. {@code staging.}) so several
 * environments, or several tests, can share one cluster.
 */
public record Topics(String prefix) {

    public Topics {
        prefix = prefix == null ? "" : prefix;
    }

    public static Topics unprefixed() {
        return new Topics("");
    }

    public String accounts() {
        return prefix + "backup.accounts";
    }

    public String settings() {
        return prefix + "backup.settings";
    }

    public String connections() {
        return prefix + "backup.connections";
    }

    public String requests() {
        return prefix + "backup.requests";
    }

    public String dumps() {
        return prefix + "backup.dumps";
    }

    public String outcomes() {
        return prefix + "backup.outcomes";
    }

    public String status() {
        return prefix + "backup.status";
    }

    public String notifications() {
        return prefix + "backup.notifications";
    }

    public String ops() {
        return prefix + "backup.ops";
    }

    /** An account's notification channels besides email (webhooks, Slack, Teams, heartbeat), compacted. */
    public String channels() {
        return prefix + "backup.channels";
    }

    /** Channel deliveries waiting for another try after the endpoint did not take them. */
    public String deliveries() {
        return prefix + "backup.deliveries";
    }

    /** Who did what to an account and when: the activity log, kept for a year. */
    public String activity() {
        return prefix + "backup.activity";
    }

    public String deadLetters() {
        return prefix + "backup.dlq";
    }

    /** How long the activity log is kept: a year and a month, so a yearly audit finds the whole year. */
    public static final long ACTIVITY_RETENTION_MS = 400L * 24 * 3600 * 1000;

    /** Every topic with how it is cleaned up, for whoever creates them. */
    public List<TopicSpec> all() {
        return List.of(
                TopicSpec.compacted(accounts()),
                TopicSpec.compacted(settings()),
                TopicSpec.compacted(connections()),
                TopicSpec.deleted(requests()),
                TopicSpec.deleted(dumps()),
                TopicSpec.deleted(outcomes()),
                TopicSpec.compacted(status()),
                TopicSpec.compacted(notifications()),
                TopicSpec.shortLived(ops()),
                TopicSpec.compacted(channels()),
                TopicSpec.deleted(deliveries()),
                new TopicSpec(activity(), false, ACTIVITY_RETENTION_MS),
                TopicSpec.deleted(deadLetters()));
    }

    /** How a topic is cleaned up. {@code retentionMs} null means the cluster's default. */
    public record TopicSpec(String name, boolean compacted, Long retentionMs) {

        public TopicSpec {
            Objects.requireNonNull(name, "name");
        }

        static TopicSpec compacted(String name) {
            return new TopicSpec(name, true, null);
        }

        static TopicSpec deleted(String name) {
            return new TopicSpec(name, false, null);
        }

        static TopicSpec shortLived(String name) {
            return new TopicSpec(name, false, 24L * 3600 * 1000);
        }
    }
}
