package io.backuprelay.notify;

import io.backuprelay.common.service.ServiceMain;

/** The notifier on its own: {@code java -jar backuprelay-notifier.jar}. */
public final class NotifierMain {

    private NotifierMain() {
    }

    public static void main(String[] args) throws Exception {
        ServiceMain.run(new NotifierService());
    }
}
