package io.backuprelay.verify;

import io.backuprelay.common.service.ServiceMain;

/** The verifier on its own: {@code java -jar backuprelay-verifier.jar}. */
public final class VerifierMain {

    private VerifierMain() {
    }

    public static void main(String[] args) throws Exception {
        ServiceMain.run(new VerifierService());
    }
}
