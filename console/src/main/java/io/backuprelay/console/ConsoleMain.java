package io.backuprelay.console;

import io.backuprelay.common.service.ServiceMain;

/**
 * The console on its own: {@code java -jar backuprelay-console.jar}. The API and page listen on
 * {@code CONSOLE_PORT}; health and metrics are also served there.
 */
public final class ConsoleMain {

    private ConsoleMain() {
    }

    public static void main(String[] args) throws Exception {
        ServiceMain.run(new ConsoleService());
    }
}
