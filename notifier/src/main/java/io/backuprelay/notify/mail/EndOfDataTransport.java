package io.backuprelay.notify.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import javax.net.SocketFactory;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Angus Mail's SMTP transport, waiting for the answer to the end of a message's data longer than
 * for any other. Angus Mail reads every answer under one socket timeout ({@code mail.smtp.timeout});
 * this transport raises it for that one answer and lowers it again after. It sets the timeout on
 * the TCP socket {@link Sockets} made for its connection: under TLS (STARTTLS or SSL) that is the
 * socket the TLS layer reads from, so its timeout is the one that counts. Messages go with DATA,
 * never BDAT ({@code mail.smtp.chunksize} is not set), so {@link #finishData} is the one end.
 */
final class EndOfDataTransport extends SMTPTransport {

    private final Sockets sockets;
    private final MailSettings.Timeouts timeouts;

    /** @param session whose {@code mail.<protocol>.socketFactory} is {@code sockets} */
    EndOfDataTransport(Session session, String protocol, boolean ssl, Sockets sockets, MailSettings.Timeouts timeouts) {
        super(session, new URLName(protocol, null, -1, null, null, null), protocol, ssl);
        this.sockets = sockets;
        this.timeouts = timeouts;
    }

    @Override
    protected void finishData() throws IOException, MessagingException {
        Socket socket = sockets.last();
        socket.setSoTimeout(millis(timeouts.endOfData()));
        try {
            super.finishData();
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(millis(timeouts.command()));
            }
        }
    }

    static int millis(Duration timeout) {
        return Math.toIntExact(timeout.toMillis());
    }

    /**
     * Makes the TCP socket of each connection of one transport, and remembers the last. Angus Mail
     * asks it for an unconnected socket, connects it and, for SSL, puts TLS on top.
     */
    static final class Sockets extends SocketFactory {

        private volatile Socket last;

        Socket last() throws IOException {
            Socket socket = last;
            if (socket == null) {
                throw new IOException("the SMTP connection was not made with this transport's socket factory");
            }
            return socket;
        }

        @Override
        public Socket createSocket() {
            Socket socket = new Socket();
            last = socket;
            return socket;
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return connected(new InetSocketAddress(host, port), null, 0);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return connected(new InetSocketAddress(host, port), localHost, localPort);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return connected(new InetSocketAddress(host, port), null, 0);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return connected(new InetSocketAddress(address, port), localAddress, localPort);
        }

        private Socket connected(InetSocketAddress target, InetAddress localAddress, int localPort) throws IOException {
            Socket socket = createSocket();
            if (localAddress != null) {
                socket.bind(new InetSocketAddress(localAddress, localPort));
            }
            socket.connect(target);
            return socket;
        }
    }
}
