package io.backuprelay.notify.mail;

import jakarta.mail.Authenticator;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Properties;

/**
 * Sends over SMTP with Angus Mail, one connection a message. The answer to the end of the data is
 * awaited for {@link MailSettings.Timeouts#endOfData} (see {@link EndOfDataTransport}): a client
 * that gives up sooner sends the message again to a server that may already have it.
 */
public final class SmtpMailSender implements MailSender {

    private final MailSettings settings;
    private final String protocol;
    private final Properties properties = new Properties();
    private final Authenticator authenticator;

    public SmtpMailSender(MailSettings settings) {
        this.settings = settings;
        this.protocol = settings.security() == MailSettings.Security.SSL ? "smtps" : "smtp";
        MailSettings.Timeouts timeouts = settings.timeouts();
        properties.put("mail.transport.protocol", protocol);
        properties.put("mail." + protocol + ".host", settings.host().orElseThrow());
        properties.put("mail." + protocol + ".port", Integer.toString(settings.port()));
        properties.put("mail." + protocol + ".connectiontimeout", Integer.toString(EndOfDataTransport.millis(timeouts.connect())));
        properties.put("mail." + protocol + ".timeout", Integer.toString(EndOfDataTransport.millis(timeouts.command())));
        properties.put("mail." + protocol + ".writetimeout", Integer.toString(EndOfDataTransport.millis(timeouts.command())));
        // Without its socket the transport could not wait longer for the end of the data: no silent fallback.
        properties.put("mail." + protocol + ".socketFactory.fallback", "false");
        if (settings.security() == MailSettings.Security.STARTTLS) {
            properties.put("mail.smtp.starttls.enable", "true");
            properties.put("mail.smtp.starttls.required", "true");
        }
        if (settings.username() != null) {
            properties.put("mail." + protocol + ".auth", "true");
            authenticator = new Authenticator() {
                @Override
                protected PasswordAuthentication getPasswordAuthentication() {
                    return new PasswordAuthentication(settings.username(), settings.password());
                }
            };
        } else {
            authenticator = null;
        }
    }

    @Override
    public String send(Email email) throws MessagingException {
        EndOfDataTransport.Sockets sockets = new EndOfDataTransport.Sockets();
        Properties connection = new Properties();
        connection.putAll(properties);
        connection.put("mail." + protocol + ".socketFactory", sockets);
        Session session = Session.getInstance(connection, authenticator);
        MimeMessage message = toMime(session, settings.from(), email);
        message.saveChanges();
        EndOfDataTransport transport = new EndOfDataTransport(session, protocol,
                settings.security() == MailSettings.Security.SSL, sockets, settings.timeouts());
        try {
            transport.connect();
            transport.sendMessage(message, message.getAllRecipients());
        } catch (MessagingException | RuntimeException e) {
            quit(transport);
            throw e;
        }
        // The server has the message. QUIT is good manners, not delivery: it must not stand between
        // the server's answer and the notifier's record that the message went out.
        Thread.ofVirtual().name("smtp-quit").start(() -> quit(transport));
        return "smtp://" + settings.host().orElseThrow() + ":" + settings.port();
    }

    private static void quit(EndOfDataTransport transport) {
        try {
            transport.close();
        } catch (MessagingException e) {
            // the connection is over either way
        }
    }

    static MimeMessage toMime(Session session, String from, Email email) throws MessagingException {
        MimeMessage message = new MimeMessage(session) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", email.messageId());
            }
        };
        message.setFrom(new InternetAddress(from));
        for (String to : email.to()) {
            message.addRecipient(MimeMessage.RecipientType.TO, new InternetAddress(to));
        }
        message.setSubject(email.subject(), StandardCharsets.UTF_8.name());
        message.setSentDate(new Date());
        MimeMultipart alternatives = new MimeMultipart("alternative");
        MimeBodyPart text = new MimeBodyPart();
        text.setText(email.text(), StandardCharsets.UTF_8.name());
        alternatives.addBodyPart(text);
        if (email.html() != null) {
            MimeBodyPart html = new MimeBodyPart();
            html.setText(email.html(), StandardCharsets.UTF_8.name(), "html");
            alternatives.addBodyPart(html);
        }
        message.setContent(alternatives);
        return message;
    }
}
