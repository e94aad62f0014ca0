package io.backuprelay.scheduler;

import io.backuprelay.common.service.ServiceMain;

/** The scheduler on its own: {@code java -jar backuprelay-scheduler.jar}; run several for scale and failover. */
public final class SchedulerMain {

    private SchedulerMain() {
    }

    public static void main(String[] args) throws Exception {
        ServiceMain.run(new SchedulerService());
    }
}
