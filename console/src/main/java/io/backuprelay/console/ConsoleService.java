package io.backuprelay.console;

import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.config.Setting;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.service.ServiceContext;
import io.backuprelay.common.service.ServiceDefinition;
import io.backuprelay.console.data.ConsoleData;
import java.util.List;
import java.util.function.UnaryOperator;

/** The console, as a runnable jar and the standalone mode start it. */
public final class ConsoleService implements ServiceDefinition {

    private final UnaryOperator<EndpointPolicy> endpoints;

    public ConsoleService() {
        this(UnaryOperator.identity());
    }

    /** @param endpoints what the policy its settings declare becomes (a test allows its emulator) */
    public ConsoleService(UnaryOperator<EndpointPolicy> endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    public String name() {
        return "console";
    }

    @Override
    public void check(ConfigSource config) {
        ConsoleConfig.from(config);
        ConsoleSettings.ACTIVITY_KEPT_PER_ACCOUNT.read(config);
        SecretSealer.from(config);
    }

    @Override
    public List<Setting<?>> settings() {
        return ConsoleSettings.ALL;
    }

    @Override
    public ConsoleServer start(ServiceContext context) throws Exception {
        ConsoleConfig config = ConsoleConfig.from(context.config());
        ConsoleData data = new ConsoleData(context.kafka(),
                ConsoleSettings.ACTIVITY_KEPT_PER_ACCOUNT.read(context.config())).start();
        data.components().forEach(context.shell()::add);
        return new ConsoleServer(data, config.withEndpoints(endpoints.apply(config.endpoints())), context.sealer(),
                context.clock(), context.shell());
    }
}
