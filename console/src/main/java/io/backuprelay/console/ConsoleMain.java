package io.backuprelay.console;

import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.service.ServiceMain;
import java.time.Clock;

/**
 * The console on its own: {@code java -jar backuprelay-console.jar}. The API and page listen on
 * {@code CONSOLE_PORT}; health and metrics are also served there.
 */
public final class ConsoleMain {

    private ConsoleMain() {
    }

    public static void main(String[] args) throws Exception {
        ServiceMain.run("console", (config, kafka, shell) -> {
            io.backuprelay.blob.EndpointPolicy.install(io.backuprelay.blob.EndpointPolicy.from(config));
            ConsoleData data = new ConsoleData(kafka).start();
            data.components().forEach(shell::add);
            return new ConsoleServer(data, ConsoleConfig.from(config), SecretSealer.from(config), Clock.systemUTC(),
                    shell);
        });
    }
}
