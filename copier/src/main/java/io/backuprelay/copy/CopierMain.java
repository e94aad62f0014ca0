package io.backuprelay.copy;

import io.backuprelay.common.service.ServiceMain;

/** The copier on its own: {@code java -jar backuprelay-copier.jar}. */
public final class CopierMain {

    private CopierMain() {
    }

    public static void main(String[] args) throws Exception {
        ServiceMain.run(new CopierService());
    }
}
