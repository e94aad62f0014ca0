package io.backuprelay.chaos;

import java.time.Instant;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** Where a fault of its own class reports to the run: what it injected, how long recovery took, and when it was active. */
record FaultLog(Consumer<String> counter, BiConsumer<String, Instant> recoveries, Consumer<FaultWindow> windows) {

    void count(String kind) {
        counter.accept(kind);
    }

    void recovered(String kind, Instant since) {
        recoveries.accept(kind, since);
    }

    void window(String kind, Instant start, Instant end) {
        windows.accept(new FaultWindow(kind, start, end));
    }
}
