package io.backuprelay.notify.mail;


/** Delivers an email; throws when it could not, so the caller can retry. */
public interface MailSender {

    /** @return where the message went, for the log (a server, or a file) */
    String send(Email email) throws Exception;
}
