package io.backuprelay.common.ops;

import io.backuprelay.common.concurrent.Timers;
import java.io.Closeable;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A service instance's sign of life on {@code backup.ops}: {@code INSTANCE HEARTBEAT} every
 * {@code every}, naming the service and the instance, so an operator watching the topic sees which
 * instances run (and notices one that went quiet).
 */
public final class Heartbeat implements Closeable {

    private final ScheduledExecutorService timer = Timers.single("heartbeat");

    private Heartbeat() {
    }

    public static Heartbeat start(OpsPublisher ops, String service, String instanceId, Duration every, Clock clock) {
        Heartbeat heartbeat = new Heartbeat();
        ServiceOps beats = new ServiceOps(ops, service, clock);
        heartbeat.timer.scheduleAtFixedRate(() -> beats.publish(null, null, OpsStage.INSTANCE, OpsStatus.HEARTBEAT,
                instanceId), 0, every.toMillis(), TimeUnit.MILLISECONDS);
        return heartbeat;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
