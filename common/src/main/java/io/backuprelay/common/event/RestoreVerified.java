package io.backuprelay.common.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.time.Instant;
import java.util.Objects;

/**
 * The restore drill proved a stored backup: its SHA-256 equals the manifest's and, for a
 * {@link DrillOutcome.Kind#RESTORE}, a scratch database restored from it matched the manifest's inventory.
 *
 * @param detail e.g. {@code 2 tables (7,000 rows), 1 view, 2 routines, 1 trigger}, or what an integrity-only drill checked
 */
@JsonTypeName("restore.verified")
public record RestoreVerified(
        int version,
        String eventId,
        String backupId,
        String accountId,
        Instant occurredAt,
        Kind kind,
        String detail,
        long durationMs) implements DrillOutcome {

    public static final int CURRENT_VERSION = 1;

    public RestoreVerified {
        version = version == 0 ? CURRENT_VERSION : version;
        Events.requireCommon(eventId, backupId, accountId, occurredAt);
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
    }

    public static RestoreVerified of(String backupId, String accountId, Kind kind, String detail, Instant at, long durationMs) {
        return new RestoreVerified(CURRENT_VERSION, Events.newEventId(), backupId, accountId, at, kind, detail, durationMs);
    }
}
