package io.backuprelay.chaos;

import io.backuprelay.testkit.FaultProxy;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minute in which storage throttles every request, as an account over its limits would: 503
 * ServerBusy and 429 in turn. Its recovery is how long the uploaders take, once storage answers
 * again, to get a request through.
 */
final class StorageThrottle {

    private static final Duration BURST = Duration.ofSeconds(60);
    /** A burst with no upload waiting on storage has no recovery to time. */
    private static final Duration NEXT_REQUEST_WITHIN = Duration.ofMinutes(2);

    private final FaultProxy storage;
    private final AtomicInteger bursts = new AtomicInteger();

    StorageThrottle(FaultProxy storage) {
        this.storage = storage;
    }

    void inject(FaultLog log) throws InterruptedException {
        boolean busy = bursts.getAndIncrement() % 2 == 0;
        int status = busy ? 503 : 429;
        Instant start = Instant.now();
        storage.failFor(BURST, status, busy ? "ServerBusy" : "TooManyRequests");
        log.count("storage throttled for 60 s (" + (busy ? "503 ServerBusy" : "429") + ")");
        System.out.printf("chaos: throttle: storage answers every request with %d for %d s%n", status, BURST.toSeconds());
        Thread.sleep(BURST);
        Instant end = Instant.now();
        log.window("throttle storage " + status, start, end);
        int forwarded = storage.forwardedRequests();
        long deadline = System.nanoTime() + NEXT_REQUEST_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (storage.forwardedRequests() > forwarded) {
                log.recovered("storage throttled 60 s (end to the next request through)", end);
                System.out.printf("chaos: throttle: a storage request passed %.1f s after the burst%n",
                        Duration.between(end, Instant.now()).toMillis() / 1000.0);
                return;
            }
            Thread.sleep(100);
        }
    }
}
