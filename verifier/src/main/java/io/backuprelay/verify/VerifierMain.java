package io.backuprelay.verify;

import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.service.ServiceMain;
import java.time.Clock;

/** The verifier on its own: {@code java -jar backuprelay-verifier.jar}. */
public final class VerifierMain {

    private VerifierMain() {
    }

    public static void main(String[] args) throws Exception {
        ServiceMain.run("verifier", (config, kafka, shell) -> {
            io.backuprelay.blob.EndpointPolicy.install(io.backuprelay.blob.EndpointPolicy.from(config));
            VerifierWorker worker = new VerifierWorker(kafka, VerifierConfig.from(config), SecretSealer.from(config),
                    Clock.systemUTC());
            worker.jobs().withMetrics(shell.metrics());
            worker.components().forEach(shell::add);
            return worker.start();
        });
    }
}
