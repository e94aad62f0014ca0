package io.backuprelay.dump;

import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.config.Setting;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.service.ServiceContext;
import io.backuprelay.common.service.ServiceDefinition;
import java.util.List;

/** The dump worker, as a runnable jar and the standalone mode start it. */
public final class DumpWorkerService implements ServiceDefinition {

    @Override
    public String name() {
        return "dump-worker";
    }

    @Override
    public void check(ConfigSource config) {
        DumpWorkerConfig.from(config); // with SOURCE_TLS_CA_FILE
        SecretSealer.from(config);
    }

    @Override
    public List<Setting<?>> settings() {
        return DumpWorkerSettings.ALL;
    }

    @Override
    public DumpWorker start(ServiceContext context) throws Exception {
        DumpWorker worker = new DumpWorker(context.kafka(), DumpWorkerConfig.from(context.config()), context.sealer(),
                context.clock());
        return context.startWorker(worker.jobs(), worker.components(), worker::start);
    }
}
