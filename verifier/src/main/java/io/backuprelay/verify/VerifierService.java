package io.backuprelay.verify;

import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.config.Setting;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.service.ServiceContext;
import io.backuprelay.common.service.ServiceDefinition;
import java.util.List;

/** The verifier, as a runnable jar and the standalone mode start it. */
public final class VerifierService implements ServiceDefinition {

    @Override
    public String name() {
        return "verifier";
    }

    @Override
    public void check(ConfigSource config) {
        VerifierConfig.from(config);
        EndpointPolicy.from(config);
        SecretSealer.from(config);
    }

    @Override
    public List<Setting<?>> settings() {
        return VerifierSettings.ALL;
    }

    @Override
    public VerifierWorker start(ServiceContext context) throws Exception {
        EndpointPolicy.install(EndpointPolicy.from(context.config()));
        VerifierWorker worker = new VerifierWorker(context.kafka(), VerifierConfig.from(context.config()),
                context.sealer(), context.clock());
        return context.startWorker(worker.jobs(), worker.components(), worker::start);
    }
}
