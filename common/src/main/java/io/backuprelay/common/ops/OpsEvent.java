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

    public OpsEvent(String backupId, String accountId, OpsStage stage, OpsStatus status, Long bytes, String worker,
                    Instant at, String detail) {
        this(backupId, accountId, stage, status, bytes, worker, at, detail, null);
    }

    public OpsEvent(String backupId, String accountId, OpsStage stage, OpsStatus status, Long bytes, String worker, Instant at) {
        this(backupId, accountId, stage, status, bytes, worker, at, null, null);
    }
}
