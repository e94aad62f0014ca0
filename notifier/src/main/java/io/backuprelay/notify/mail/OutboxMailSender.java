package io.backuprelay.notify.mail;

import io.backuprelay.common.PrivateFiles;
import jakarta.mail.Session;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/** Writes each message as an {@code .eml} file, for a machine with no SMTP server. */
public final class OutboxMailSender implements MailSender {

    private final Path outbox;
    private final String from;
    private final Session session = Session.getInstance(new Properties());

    public OutboxMailSender(Path outbox, String from) {
        this.outbox = outbox;
        this.from = from;
    }

    @Override
    public String send(Email email) throws Exception {
        PrivateFiles.directory(outbox);
        String name = email.messageId().replaceAll("[^A-Za-z0-9._-]", "");
        Path target = outbox.resolve(name + ".eml");
        Path partial = outbox.resolve(name + ".eml.partial");
        Files.deleteIfExists(partial);
        try (OutputStream out = PrivateFiles.create(partial)) {
            SmtpMailSender.toMime(session, from, email).writeTo(out);
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return target.toAbsolutePath().toString();
    }
}
