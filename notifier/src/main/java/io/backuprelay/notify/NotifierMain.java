package io.backuprelay.notify;

import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.service.ServiceMain;
import io.backuprelay.notify.mail.MailSettings;
import java.time.Clock;

/** The notifier on its own: {@code java -jar backuprelay-notifier.jar}. */
public final class NotifierMain {

    private NotifierMain() {
    }

    public static void main(String[] args) throws Exception {
        ServiceMain.run("notifier", (config, kafka, metrics) -> {
            NotifierWorker worker = new NotifierWorker(kafka, MailSettings.from(config), NotifierConfig.from(config),
                    SecretSealer.from(config), Clock.systemUTC());
            worker.jobs().withMetrics(metrics);
            worker.start();
            return ServiceMain.Running.of(() -> worker.jobs().isRunning(), worker::close);
        });
    }
}
