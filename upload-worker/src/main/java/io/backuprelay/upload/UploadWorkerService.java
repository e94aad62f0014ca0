package io.backuprelay.upload;

import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.config.Setting;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.service.ServiceContext;
import io.backuprelay.common.service.ServiceDefinition;
import java.util.List;
import java.util.function.UnaryOperator;

/** The upload worker, as a runnable jar and the standalone mode start it. */
public final class UploadWorkerService implements ServiceDefinition {

    private final UnaryOperator<EndpointPolicy> endpoints;

    public UploadWorkerService() {
        this(UnaryOperator.identity());
    }

    /** @param endpoints what the policy its settings declare becomes (a test allows its emulator) */
    public UploadWorkerService(UnaryOperator<EndpointPolicy> endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    public String name() {
        return "upload-worker";
    }

    @Override
    public void check(ConfigSource config) {
        UploadWorkerConfig.from(config);
        SecretSealer.from(config);
    }

    @Override
    public List<Setting<?>> settings() {
        return UploadWorkerSettings.ALL;
    }

    @Override
    public UploadWorker start(ServiceContext context) throws Exception {
        UploadWorkerConfig config = UploadWorkerConfig.from(context.config());
        UploadWorker worker = new UploadWorker(context.kafka(), config.withEndpoints(endpoints.apply(config.endpoints())),
                context.sealer(), context.clock());
        worker.withRetryGauge(context.shell().metrics());
        return context.startWorker(worker.jobs(), worker.components(), worker::start);
    }
}
