package io.backuprelay.notify.mail;

import java.util.List;

/**
 * One message to send, as plain text and HTML. {@code messageId} derives from what it is about, so
 * a resend is recognisable as the same message.
 */
public record Email(List<String> to, String subject, String text, String html, String messageId) {

    public Email {
        to = List.copyOf(to);
    }
}
