package io.backuprelay.chaos;

import io.backuprelay.testkit.ServiceJars;
import java.time.Duration;
import java.util.Map;

/** A service process a fault acts on: held out of the harness's kills, restarts and readiness waits while the fault lasts. */
interface FaultTarget {

    String name();

    Process process();

    Map<String, String> env();

    boolean ready();

    /** Takes the process for a fault; false when it is being restarted or is under another fault. */
    boolean hold();

    /** Gives it back to the harness: killed, restarted and waited for again. */
    void release();

    /** Polls readiness; false when the process ended meanwhile (the watchdog then starts it again, once released). */
    default boolean awaitReady(Duration within) throws InterruptedException {
        return ServiceJars.awaitReady(this::ready, this::process, within,
                name() + " was not ready " + within + " after the fault; see its log");
    }

    /** The service's name without its instance number: {@code upload-worker} for {@code upload-worker-2}. */
    default String service() {
        return name().replaceAll("-\\d$", "");
    }
}
