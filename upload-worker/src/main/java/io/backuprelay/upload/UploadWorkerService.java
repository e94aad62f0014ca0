package io.backuprelay.upload;

import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.config.Setting;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.service.ServiceContext;
import io.backuprelay.common.service.ServiceDefinition;
import java.util.List;

/** The upload worker, as a runnable jar and the standalone mode start it. */
public final class UploadWorkerService implements ServiceDefinition {

    @Override
    public String name() {
        return "upload-worker";
    }

    @Override
    public void check(ConfigSource config) {
        UploadWorkerConfig.from(config);
        EndpointPolicy.from(config);
        SecretSealer.from(config);
    }

    @Override
    public List<Setting<?>> settings() {
        return UploadWorkerSettings.ALL;
    }

    @Override
    public UploadWorker start(ServiceContext context) throws Exception {
        EndpointPolicy.install(EndpointPolicy.from(context.config()));
        UploadWorker worker = new UploadWorker(context.kafka(), UploadWorkerConfig.from(context.config()),
                context.sealer(), context.clock());
        worker.withRetryGauge(context.shell().metrics());
        return context.startWorker(worker.jobs(), worker.components(), worker::start);
    }
}
