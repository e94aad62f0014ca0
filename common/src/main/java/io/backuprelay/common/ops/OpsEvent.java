package io.backuprelay.common.ops;

import java.time.Instant;

/**
 * What operators follow on {@code backup.ops}: a stage of one backup starting, progressing or ending.
 *
 * @param stage  DUMP, UPLOAD, …
 * @param status STARTED, PROGRESS, FINISHED or FAILED
 * @param bytes  bytes handled so far, when it applies
 * @param detail what an operator needs besides, e.g. the blob a retention run deleted
 */
public record OpsEvent(String backupId, String accountId, OpsStage stage, OpsStatus status, Long bytes, String worker,
                       Instant at, String detail, Long bytesPerSecond) {

    public OpsEvent(String backupId, String accountId, OpsStage stage, OpsStatus status, Long bytes, String worker, Instant at) {
        this(backupId, accountId, stage, status, bytes, worker, at, null, null);
    }

    /** This event with the bytes handled so far. */
    public OpsEvent withBytes(Long bytes) {
        return new OpsEvent(backupId, accountId, stage, status, bytes, worker, at, detail, bytesPerSecond);
    }

    /** This event with the rate of a transfer, in bytes a second ({@code null}: too short to tell). */
    public OpsEvent withBytesPerSecond(Long bytesPerSecond) {
        return new OpsEvent(backupId, accountId, stage, status, bytes, worker, at, detail, bytesPerSecond);
    }

    /** This event with what an operator needs besides. */
    public OpsEvent withDetail(String detail) {
        return new OpsEvent(backupId, accountId, stage, status, bytes, worker, at, detail, bytesPerSecond);
    }

    /** This event at a moment of the caller's: when the stage started or ended, rather than now. */
    public OpsEvent withTime(Instant at) {
        return new OpsEvent(backupId, accountId, stage, status, bytes, worker, at, detail, bytesPerSecond);
    }
}
