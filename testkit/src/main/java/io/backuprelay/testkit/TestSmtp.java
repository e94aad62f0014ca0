package io.backuprelay.testkit;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/** A real SMTP server (GreenMail) on a free port, one per test JVM. */
public final class TestSmtp {

    private static GreenMail greenMail;

    private TestSmtp() {
    }

    public static synchronized GreenMail server() {
        if (greenMail == null) {
            greenMail = new GreenMail(new ServerSetup(Azurite.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
            greenMail.start();
            Runtime.getRuntime().addShutdownHook(new Thread(greenMail::stop, "smtp-stop"));
        }
        return greenMail;
    }

    public static int port() {
        return server().getSmtp().getPort();
    }

    /** The part of a message of the given MIME type (text/plain, text/html), as a person's mail client shows it. */
    public static String part(MimeMessage message, String type) {
        try {
            Object content = message.getContent();
            if (!(content instanceof MimeMultipart multipart)) {
                if (message.isMimeType(type)) {
                    return content.toString();
                }
                throw new AssertionError("the message has no " + type + " part");
            }
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart part = multipart.getBodyPart(i);
                if (part.isMimeType(type)) {
                    return part.getContent().toString();
                }
            }
            throw new AssertionError("the message has no " + type + " part");
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException("Cannot read the message", e);
        }
    }

    /** The plain-text part of a message. */
    public static String text(MimeMessage message) {
        return part(message, "text/plain");
    }

    /** Every message received so far that was addressed to {@code recipient}. */
    public static List<MimeMessage> messagesTo(String recipient) {
        return Arrays.stream(server().getReceivedMessages())
                .filter(message -> {
                    try {
                        return Arrays.stream(message.getAllRecipients()).anyMatch(a -> a.toString().contains(recipient));
                    } catch (MessagingException e) {
                        return false;
                    }
                })
                .toList();
    }
}
