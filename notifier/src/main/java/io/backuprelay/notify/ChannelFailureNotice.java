package io.backuprelay.notify;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.Channel;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.ops.OpsStage;
import io.backuprelay.common.ops.OpsStatus;
import io.backuprelay.common.ops.ServiceOps;
import io.backuprelay.hook.ChannelDelivery;
import io.backuprelay.hook.ChannelMessages;
import io.backuprelay.notify.EmailComposer.Row;
import io.backuprelay.notify.EmailComposer.Style;
import io.backuprelay.notify.channel.ChannelDeliverer;
import io.backuprelay.notify.mail.Email;
import io.backuprelay.notify.mail.MailSender;
import io.backuprelay.notify.sent.SentNotification;
import io.backuprelay.notify.sent.SentRecords;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.ResourceBundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the super-administrators (and the extra recipients) that one of the account's channels stopped taking its
 * news: a delivery given up once {@code HOOK_RETRY_BUDGET} was spent. The person must act (the endpoint is theirs),
 * so it is an email, in the account's language. One per channel and day (the Message-ID names both, and the sent
 * log keeps it from going twice): an endpoint down for a week is an email a day, not one per backup.
 */
final class ChannelFailureNotice implements ChannelDeliverer.GivenUpNotice {

    private static final Logger log = LoggerFactory.getLogger(ChannelFailureNotice.class);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);

    private final NotifyHandler.Lookups lookups;
    private final SentRecords sent;
    private final MailSender sender;
    private final ServiceOps ops;
    private final Clock clock;

    ChannelFailureNotice(NotifyHandler.Lookups lookups, SentRecords sent, MailSender sender, ServiceOps ops,
                         Clock clock) {
        this.lookups = lookups;
        this.sent = sent;
        this.sender = sender;
        this.ops = ops;
        this.clock = clock;
    }

    @Override
    public void givenUp(Channel channel, ChannelDelivery delivery, String lastAnswer) throws Exception {
        Instant now = clock.instant();
        BackupEvent event = delivery.event();
        String messageId = messageId(channel, now);
        if (sent.mailed(messageId)) {
            return; // told today already
        }
        Optional<Account> account = lookups.accounts().apply(channel.accountId());
        if (account.isEmpty() || account.get().superadminEmails().isEmpty()) {
            log.warn("No one to tell that channel {} of account {} stopped taking its news: no super-administrator emails",
                    channel.channelId(), channel.accountId());
            return;
        }
        List<String> recipients = NotifyHandler.recipients(account.get(), lookups.settings().apply(channel.accountId()));
        String where = sender.send(compose(channel, delivery, lastAnswer, account.get(), recipients, messageId));
        sent.accepted(new SentNotification(event.backupId(), channel.accountId(), "ChannelGivenUp", messageId,
                recipients, now, event.occurredAt()));
        ops.publish(event.backupId(), channel.accountId(), OpsStage.NOTIFY, OpsStatus.SENT,
                messageId + ": channel " + channel.channelId() + " given up, told " + recipients.size() + " recipient(s)");
        log.info("Mailed {} about channel {} of account {} via {}", messageId, channel.channelId(), channel.accountId(),
                where);
    }

    /** What the email says: which channel, since when, how often tried, what it answered, and what to do. */
    static Email compose(Channel channel, ChannelDelivery delivery, String lastAnswer, Account account,
                         List<String> recipients, String messageId) {
        Style style = Style.of(account);
        ResourceBundle texts = style.texts();
        String name = name(channel);
        List<Row> rows = List.of(
                EmailComposer.row(texts, "label.channel", name + " \u2014 " + channel.kind() + ", " + channel.origin()),
                EmailComposer.row(texts, "label.news", ChannelMessages.type(delivery.event())),
                EmailComposer.row(texts, "label.attempts", Integer.toString(delivery.attempt())),
                EmailComposer.row(texts, "label.since", EmailComposer.when(style.dates(), style.zone(), delivery.firstTryAt())),
                EmailComposer.row(texts, "label.lastAnswer", lastAnswer),
                EmailComposer.row(texts, "label.backupId", delivery.event().backupId()));
        return EmailComposer.email(recipients, EmailComposer.format(texts, "channelFailed.subject", account.displayName()),
                EmailComposer.format(texts, "channelFailed.intro", account.displayName(), "'" + name + "'",
                        EmailComposer.duration(Duration.between(delivery.firstTryAt(), delivery.nextTryAt())),
                        Integer.toString(delivery.attempt())),
                rows, texts.getString("advice.CHANNEL"), texts, messageId);
    }

    /** The channel's description, else its kind and origin: what the page shows of it. */
    private static String name(Channel channel) {
        return channel.description().isBlank() ? channel.kind() + " " + channel.origin() : channel.description();
    }

    /** One email per channel and UTC day. */
    static String messageId(Channel channel, Instant now) {
        return "<" + (channel.accountId() + "." + channel.channelId()).replaceAll("[^A-Za-z0-9._-]", "_")
                + ".channel-failed." + DAY.format(now) + "@backuprelay>";
    }
}
