package io.backuprelay.common.event;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

final class Events {

    private Events() {
    }

    static String newEventId() {
        return UUID.randomUUID().toString();
    }

    static void requireCommon(String eventId, String backupId, String accountId, Instant occurredAt) {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(backupId, "backupId");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(occurredAt, "occurredAt");
    }
}
