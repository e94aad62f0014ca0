package io.backuprelay.scheduler;

import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.config.Setting;
import io.backuprelay.common.service.ServiceContext;
import io.backuprelay.common.service.ServiceDefinition;
import java.util.List;

/** The scheduler, as a runnable jar and the standalone mode start it. */
public final class SchedulerService implements ServiceDefinition {

    @Override
    public String name() {
        return "scheduler";
    }

    @Override
    public void check(ConfigSource config) {
        SchedulerConfig.from(config);
    }

    @Override
    public List<Setting<?>> settings() {
        return SchedulerSettings.ALL;
    }

    @Override
    public Scheduler start(ServiceContext context) {
        return context.shell().add(new Scheduler(context.kafka(), SchedulerConfig.from(context.config()), context.clock())
                .withMetrics(context.shell().metrics()).start());
    }
}
