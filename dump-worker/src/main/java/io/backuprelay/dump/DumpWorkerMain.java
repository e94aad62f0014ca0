package io.backuprelay.dump;

import io.backuprelay.common.service.ServiceMain;

/** The dump worker on its own: {@code java -jar backuprelay-dump-worker.jar}. */
public final class DumpWorkerMain {

    private DumpWorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        ServiceMain.run(new DumpWorkerService());
    }
}
