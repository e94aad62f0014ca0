package io.backuprelay.scheduler;

import io.backuprelay.common.service.ServiceMain;
import java.time.Clock;

/** The scheduler on its own: {@code java -jar backuprelay-scheduler.jar}; run several for scale and failover. */
public final class SchedulerMain {

    private SchedulerMain() {
    }

    public static void main(String[] args) throws Exception {
        ServiceMain.run("scheduler", (config, kafka, shell) ->
                shell.add(new Scheduler(kafka, SchedulerConfig.from(config), Clock.systemUTC())
                        .withMetrics(shell.metrics()).start()));
    }
}
