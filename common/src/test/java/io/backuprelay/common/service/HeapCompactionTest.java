package io.backuprelay.common.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HeapCompactionTest {

    @Test
    void collectsOnceAndOnlyAfterTheProcessIsReady() throws InterruptedException {
        AtomicBoolean ready = new AtomicBoolean();
        AtomicInteger collections = new AtomicInteger();
        Thread compaction = HeapCompaction.afterReady(ready::get, Duration.ZERO, collections::incrementAndGet);

        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> collections.get() == 0);
        ready.set(true);
        compaction.join(Duration.ofSeconds(5));

        assertThat(compaction.isAlive()).as("the thread ends after its one collection").isFalse();
        assertThat(collections).hasValue(1);
        assertThat(compaction.isVirtual()).as("it holds no platform thread while it waits").isTrue();
    }
}
