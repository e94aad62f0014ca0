package io.backuprelay.copy;

import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.config.Setting;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.service.ServiceContext;
import io.backuprelay.common.service.ServiceDefinition;
import java.util.List;
import java.util.function.UnaryOperator;

/** The copier, as a runnable jar and the standalone mode start it. */
public final class CopierService implements ServiceDefinition {

    private final UnaryOperator<EndpointPolicy> endpoints;

    public CopierService() {
        this(UnaryOperator.identity());
    }

    /** @param endpoints what the policy its settings declare becomes (a test allows its emulator) */
    public CopierService(UnaryOperator<EndpointPolicy> endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    public String name() {
        return "copier";
    }

    @Override
    public void check(ConfigSource config) {
        CopierConfig.from(config);
        SecretSealer.from(config);
    }

    @Override
    public List<Setting<?>> settings() {
        return CopierSettings.ALL;
    }

    @Override
    public CopierWorker start(ServiceContext context) throws Exception {
        CopierConfig config = CopierConfig.from(context.config());
        CopierWorker worker = new CopierWorker(context.kafka(), config.withEndpoints(endpoints.apply(config.endpoints())),
                context.sealer(), context.clock());
        return context.startWorker(worker.jobs(), worker.components(), worker::start);
    }
}
