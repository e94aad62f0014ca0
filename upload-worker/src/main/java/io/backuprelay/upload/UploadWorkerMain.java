package io.backuprelay.upload;

import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.service.ServiceMain;
import java.time.Clock;

/** The upload worker on its own: {@code java -jar backuprelay-upload-worker.jar}. */
public final class UploadWorkerMain {

    private UploadWorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        ServiceMain.run("upload-worker", (config, kafka, shell) -> {
            io.backuprelay.blob.EndpointPolicy.install(io.backuprelay.blob.EndpointPolicy.from(config));
            UploadWorker worker = new UploadWorker(kafka, UploadWorkerConfig.from(config), SecretSealer.from(config),
                    Clock.systemUTC());
            worker.withMetrics(shell.metrics());
            worker.components().forEach(shell::add);
            return worker.start();
        });
    }
}
