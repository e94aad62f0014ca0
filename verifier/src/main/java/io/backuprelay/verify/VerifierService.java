package io.backuprelay.verify;

import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.config.Setting;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.service.ServiceContext;
import io.backuprelay.common.service.ServiceDefinition;
import java.util.List;
import java.util.function.UnaryOperator;

/** The verifier, as a runnable jar and the standalone mode start it. */
public final class VerifierService implements ServiceDefinition {

    private final UnaryOperator<EndpointPolicy> endpoints;

    public VerifierService() {
        this(UnaryOperator.identity());
    }

    /** @param endpoints what the policy its settings declare becomes (a test allows its emulator) */
    public VerifierService(UnaryOperator<EndpointPolicy> endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    public String name() {
        return "verifier";
    }

    @Override
    public void check(ConfigSource config) {
        VerifierConfig.from(config);
        SecretSealer.from(config);
    }

    @Override
    public List<Setting<?>> settings() {
        return VerifierSettings.ALL;
    }

    @Override
    public VerifierWorker start(ServiceContext context) throws Exception {
        VerifierConfig config = VerifierConfig.from(context.config());
        VerifierWorker worker = new VerifierWorker(context.kafka(), config.withEndpoints(endpoints.apply(config.endpoints())),
                context.sealer(), context.clock());
        return context.startWorker(worker.jobs(), worker.components(), worker::start);
    }
}
