package io.backuprelay.upload;

import io.backuprelay.common.service.ServiceMain;

/** The upload worker on its own: {@code java -jar backuprelay-upload-worker.jar}. */
public final class UploadWorkerMain {

    private UploadWorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        ServiceMain.run(new UploadWorkerService());
    }
}
