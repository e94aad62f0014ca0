package io.backuprelay.upload.store;

import io.backuprelay.blob.block.Sent;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The uploads that follow an archive while its dump writes it, by the archive's staging name, until
 * the {@code DumpReady} of that archive takes what they sent. At most {@code limit} follow at once
 * (each holds its block buffers); a dump announced beyond that is uploaded when ready, as without
 * the overlap. What no {@code DumpReady} takes (it went to another instance) is dropped after an hour.
 */
final class FollowedUploads implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FollowedUploads.class);
    private static final Duration UNCLAIMED = Duration.ofHours(1);

    /** What follows one archive: sends its blocks and tells what it sent, or nothing when it stopped early. */
    interface Follower {
        Optional<Sent> follow() throws Exception;
    }

    private record Followed(CompletableFuture<Optional<Sent>> result, Thread thread, long startedNanos) {
    }

    private final Map<String, Followed> running = new ConcurrentHashMap<>();
    private final Semaphore slots;

    FollowedUploads(int limit) {
        this.slots = new Semaphore(limit);
    }

    /** @return whether it started (false: already followed, or no slot free) */
    boolean start(String stagingFile, Follower follower) {
        dropUnclaimed();
        if (running.containsKey(stagingFile) || !slots.tryAcquire()) {
            return false;
        }
        CompletableFuture<Optional<Sent>> result = new CompletableFuture<>();
        Thread thread = Thread.ofVirtual().name("follow-" + stagingFile).unstarted(() -> {
            try {
                result.complete(follower.follow());
            } catch (InterruptedException e) {
                result.complete(Optional.empty());
            } catch (Exception e) {
                log.warn("Sending {} while it was dumped stopped; it is sent when ready: {}", stagingFile, e.getMessage());
                result.complete(Optional.empty());
            } finally {
                slots.release();
            }
        });
        if (running.putIfAbsent(stagingFile, new Followed(result, thread, System.nanoTime())) != null) {
            slots.release();
            return false;
        }
        thread.start();
        return true;
    }

    /**
     * Waits for the follower of this archive, if one runs here, and takes what it sent.
     *
     * @return empty when none followed it here, or it stopped before the archive was whole
     */
    Optional<Sent> take(String stagingFile) throws InterruptedException {
        Followed followed = running.remove(stagingFile);
        if (followed == null) {
            return Optional.empty();
        }
        try {
            return followed.result().get();
        } catch (InterruptedException e) {
            followed.thread().interrupt();
            throw e;
        } catch (ExecutionException e) {
            return Optional.empty();
        }
    }

    /** Stops following this archive, if it is followed here: its backup was stored by another dump. */
    void forget(String stagingFile) {
        Followed followed = running.remove(stagingFile);
        if (followed != null) {
            followed.thread().interrupt();
        }
    }

    /** How many archives are being followed now. */
    int size() {
        return running.size();
    }

    private void dropUnclaimed() {
        long now = System.nanoTime();
        running.entrySet().removeIf(entry -> entry.getValue().result().isDone()
                && now - entry.getValue().startedNanos() > UNCLAIMED.toNanos());
    }

    /** Stops every follower (the worker stops); what they staged stays for the upload on {@code DumpReady}. */
    @Override
    public void close() {
        running.values().forEach(followed -> followed.thread().interrupt());
        running.clear();
    }
}
