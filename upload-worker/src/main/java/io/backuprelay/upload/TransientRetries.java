package io.backuprelay.upload;

import io.backuprelay.common.event.DumpReady;
import io.backuprelay.common.kafka.JobResult;
import io.backuprelay.common.ops.OpsStage;
import io.backuprelay.common.ops.OpsStatus;
import io.backuprelay.common.ops.ServiceOps;
import io.backuprelay.upload.store.UploadFailedException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tries an upload again from the staged archive while it meets transient storage faults (timeouts,
 * 5xx, throttling, resets), resuming from the blocks Azure already holds, for the retry budget;
 * any other failure, or one past the budget, is handed back at once.
 */
final class TransientRetries {

    private static final Logger log = LoggerFactory.getLogger(TransientRetries.class);

    /** The uploads retrying transient storage faults now: backupId → when their first try started (nanoTime). */
    private final ConcurrentMap<String, Long> retryingSince = new ConcurrentHashMap<>();
    private final StorageRetry retry;
    private final ServiceOps ops;

    TransientRetries(StorageRetry retry, ServiceOps ops) {
        this.retry = retry;
        this.ops = ops;
    }

    /** One try of an upload. */
    interface Upload {
        JobResult run() throws UploadFailedException;
    }

    /**
     * @param notRetried what a failure not tried again becomes: a permanent one, one of the archive or
     *                   of what is stored, or a transient one past the budget (its reason then says so)
     */
    JobResult run(DumpReady dump, Upload upload, Function<UploadFailedException, JobResult> notRetried)
            throws InterruptedException {
        long started = System.nanoTime();
        try {
            for (int tries = 1; ; tries++) {
                try {
                    return upload.run();
                } catch (UploadFailedException e) {
                    Duration spent = Duration.ofNanos(System.nanoTime() - started);
                    if (!e.isTransient()) {
                        return notRetried.apply(e);
                    }
                    if (spent.compareTo(retry.budget()) >= 0) {
                        return notRetried.apply(new UploadFailedException(e.getMessage() + " The upload was tried "
                                + tries + " times over " + minutes(spent) + " and gave up.", e.kind()));
                    }
                    retryingSince.putIfAbsent(dump.backupId(), started);
                    Duration delay = retry.delayAfter(tries);
                    log.warn("Upload of backup {} of account {} hit a transient storage fault (try {}), trying again in {}:"
                            + " {}", dump.backupId(), dump.accountId(), tries, delay, e.getMessage());
                    ops.publish(dump.backupId(), dump.accountId(), OpsStage.UPLOAD, OpsStatus.RETRIED, e.getMessage());
                    retry.sleeper().sleep(delay);
                }
            }
        } finally {
            retryingSince.remove(dump.backupId());
        }
    }

    /** How long the upload retrying the longest now has been at it; zero when none is. */
    Duration longest() {
        long now = System.nanoTime();
        return retryingSince.values().stream().map(since -> Duration.ofNanos(now - since)).max(Duration::compareTo)
                .orElse(Duration.ZERO);
    }

    private static String minutes(Duration duration) {
        return duration.toMinutes() > 0 ? duration.toMinutes() + " min" : duration.toSeconds() + " s";
    }
}
