package io.backuprelay.notify;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.event.CopyFailed;
import io.backuprelay.common.event.CopyOutcome;
import io.backuprelay.common.event.CopyStored;
import io.backuprelay.notify.EmailComposer.Row;
import io.backuprelay.notify.EmailComposer.Style;
import io.backuprelay.notify.mail.Email;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;

/**
 * What the emails about the copy of a stored backup to a copy destination say, in the account's
 * language (keys {@code copy*} in {@code notify/messages_*.properties}), written as {@link EmailComposer}
 * writes the others: dates in the account's time zone, every value HTML-escaped.
 */
public final class CopyComposer {

    /**
     * The copy to {@code destination} was given up: the backup itself is safe at its destination, the
     * copy is not, and the copy connection needs a look.
     *
     * @param destination the copy destination as the super-administrator knows it (its description, else its id)
     */
    public Email givenUp(CopyFailed failed, Account account, String destination, List<String> recipients) {
        Style style = Style.of(account);
        ResourceBundle texts = style.texts();
        List<Row> rows = List.of(
                EmailComposer.row(texts, "label.copyDestination", shown(destination, failed.connectionId())),
                EmailComposer.row(texts, "label.attempts", Integer.toString(failed.attempt())),
                EmailComposer.row(texts, "label.reason", failed.reason()),
                EmailComposer.row(texts, "label.when", EmailComposer.when(style.dates(), style.zone(), failed.occurredAt())),
                EmailComposer.row(texts, "label.backupId", failed.backupId()));
        return EmailComposer.email(recipients, EmailComposer.format(texts, "copyFailed.subject", account.displayName()),
                EmailComposer.format(texts, "copyFailed.intro", account.displayName(), quoted(destination),
                        Integer.toString(failed.attempt())),
                rows, EmailComposer.format(texts, "advice.COPY", quoted(destination)), texts, messageId(failed));
    }

    /** The copy to {@code destination} is stored and verified, but only after failed tries (e.g. the destination was away). */
    public Email storedLate(CopyStored stored, Account account, String destination, List<String> recipients) {
        Style style = Style.of(account);
        ResourceBundle texts = style.texts();
        List<Row> rows = new ArrayList<>(List.of(
                EmailComposer.row(texts, "label.copyDestination", shown(destination, stored.connectionId())),
                EmailComposer.row(texts, "label.attempts", Integer.toString(stored.attempt())),
                EmailComposer.row(texts, "label.when", EmailComposer.when(style.dates(), style.zone(), stored.occurredAt())),
                EmailComposer.row(texts, "label.sha256", stored.sha256()),
                EmailComposer.row(texts, "label.backupId", stored.backupId())));
        if (stored.immutableUntil() != null) {
            rows.add(EmailComposer.row(texts, "label.immutableUntil",
                    EmailComposer.when(style.dates(), style.zone(), stored.immutableUntil())));
        }
        return EmailComposer.email(recipients, EmailComposer.format(texts, "copyStored.subject", account.displayName()),
                EmailComposer.format(texts, "copyStored.intro", account.displayName(), quoted(destination),
                        Integer.toString(stored.attempt())),
                rows, null, texts, messageId(stored));
    }

    /** One email per backup, copy destination and kind of news: the Message-ID names all three. */
    static String messageId(CopyOutcome copy) {
        String kind = copy instanceof CopyStored ? "copy-stored" : "copy-failed";
        return "<" + copy.backupId() + "." + kind + "." + copy.connectionId().replaceAll("[^A-Za-z0-9._-]", "_")
                + "@backuprelay>";
    }

    /** The name, and the connection's id beside it when the name is its description. */
    private static String shown(String destination, String connectionId) {
        return destination.equals(connectionId) ? destination : destination + " (" + connectionId + ")";
    }

    private static String quoted(String destination) {
        return "'" + destination + "'";
    }
}
