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
        ServiceMain.run("notifier", (config, kafka, shell) -> {
            // The download links it signs: for endpoints the policy allows, and the account was granted.
            io.backuprelay.blob.EndpointPolicy.install(io.backuprelay.blob.EndpointPolicy.from(config));
            NotifierWorker worker = new NotifierWorker(kafka, MailSettings.from(config), NotifierConfig.from(config),
                    SecretSealer.from(config), Clock.systemUTC());
            worker.jobs().withMetrics(shell.metrics());
            worker.components().forEach(shell::add);
            return worker.start();
        });
    }
}
