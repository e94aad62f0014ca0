package io.backuprelay.dump;

import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.service.ServiceMain;
import java.time.Clock;

/** The dump worker on its own: {@code java -jar backuprelay-dump-worker.jar}. */
public final class DumpWorkerMain {

    private DumpWorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        ServiceMain.run("dump-worker", (config, kafka, shell) -> {
            DumpWorker worker = new DumpWorker(kafka, DumpWorkerConfig.from(config), SecretSealer.from(config),
                    Clock.systemUTC());
            worker.jobs().withMetrics(shell.metrics());
            worker.components().forEach(shell::add);
            return worker.start();
        });
    }
}
