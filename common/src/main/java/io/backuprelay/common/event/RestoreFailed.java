package io.backuprelay.common.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The restore drill could not prove a stored backup.
 *
 * @param detail      what did not match, in plain words (e.g. the blob's SHA-256 differs from the manifest's)
 * @param differences each object or row count that differed, when the restored database was compared
 */
@JsonTypeName("restore.failed")
public record RestoreFailed(
        int version,
        String eventId,
        String backupId,
        String accountId,
        Instant occurredAt,
        Kind kind,
        String detail,
        List<String> differences) implements DrillOutcome {

    public static final int CURRENT_VERSION = 1;

    public RestoreFailed {
        version = version == 0 ? CURRENT_VERSION : version;
        Events.requireCommon(eventId, backupId, accountId, occurredAt);
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
        differences = differences == null ? List.of() : List.copyOf(differences);
    }

    public static RestoreFailed of(String backupId, String accountId, Kind kind, String detail, List<String> differences,
                                   Instant at) {
        return new RestoreFailed(CURRENT_VERSION, Events.newEventId(), backupId, accountId, at, kind, detail, differences);
    }
}
