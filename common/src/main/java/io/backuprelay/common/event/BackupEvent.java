package io.backuprelay.common.event;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;

/**
 * Every event that travels on the backup topics. The JSON {@code type} property carries an explicit
 * name per record (never the class name), and {@code version} changes only on a breaking change;
 * additive fields get a default in the record's compact constructor.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(BackupRequested.class),
    @JsonSubTypes.Type(BackupStarted.class),
    @JsonSubTypes.Type(DumpStarted.class),
    @JsonSubTypes.Type(DumpReady.class),
    @JsonSubTypes.Type(BackupCompleted.class),
    @JsonSubTypes.Type(BackupFailed.class),
    @JsonSubTypes.Type(BackupOverdue.class),
    @JsonSubTypes.Type(RestoreVerified.class),
    @JsonSubTypes.Type(RestoreFailed.class),
    @JsonSubTypes.Type(CopyStored.class),
    @JsonSubTypes.Type(CopyFailed.class)
})
public sealed interface BackupEvent permits BackupRequested, BackupStarted, DumpStarted, DumpReady, BackupOutcome, BackupOverdue,
        DrillOutcome, CopyOutcome {

    int version();

    String eventId();

    String backupId();

    String accountId();

    Instant occurredAt();
}
