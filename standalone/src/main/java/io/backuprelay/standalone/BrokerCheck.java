package io.backuprelay.standalone;

import io.backuprelay.common.kafka.KafkaSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Whether anything listens at the bootstrap servers, asked before a command-line tool opens a Kafka client.
 * A client that finds no broker waits out its timeout (a minute for the monitor) with a warning each time it
 * tries again; a user who has not started {@code ./backuprelay standalone} should read why in one line.
 */
final class BrokerCheck {

    private static final int CONNECT_WITHIN_MILLIS = 5_000;

    private BrokerCheck() {
    }

    /** @return whether one of the bootstrap servers takes a connection; if none does, the reason is printed on {@code err} */
    static boolean answers(KafkaSettings kafka, String command, PrintStream err) {
        for (String server : kafka.bootstrapServers().split(",")) {
            String address = server.strip();
            int colon = address.lastIndexOf(':');
            if (colon < 0) {
                return true; // not host:port; let the client say what it makes of it
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))),
                        CONNECT_WITHIN_MILLIS);
                return true;
            } catch (IOException | IllegalArgumentException tryTheNext) {
                // the next server, if any
            }
        }
        err.println(command + ": no Kafka broker answers at " + kafka.bootstrapServers()
                + ". Start one with ./backuprelay standalone (or demo), or set KAFKA_BOOTSTRAP_SERVERS to your cluster's.");
        return false;
    }
}
