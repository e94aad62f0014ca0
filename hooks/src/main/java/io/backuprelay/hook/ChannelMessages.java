package io.backuprelay.hook;

import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.Channel;
import io.backuprelay.common.account.ChannelFilter;
import io.backuprelay.common.account.ChannelKind;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupOverdue;
import io.backuprelay.common.event.CopyFailed;
import io.backuprelay.common.event.RestoreFailed;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * What each channel is sent for an event, and whether it is sent at all:
 * <ul>
 *   <li>a webhook: the event as Standard Webhooks recommend ({@code {"type", "timestamp", "data"}}), signed, its
 *       {@code webhook-id} the same on every try of one event to one channel, so a receiver can drop a repeat;</li>
 *   <li>Slack and Teams: a short message in the account's language, a link to the page, and for a failure the
 *       step, the reason and what to do ({@link ChatPayloads});</li>
 *   <li>a heartbeat: an empty GET, only after a successful automatic backup (scheduled, or its retry), so an
 *       outside monitor notices when they stop; its filter is not read.</li>
 * </ul>
 */
public final class ChannelMessages {

    /** The type of the test message's webhook body. */
    public static final String TEST_TYPE = "channel.test";

    /** Which outcomes a filter lets through. */
    enum Outcome { SUCCESS, FAILURE, OVERDUE }

    private ChannelMessages() {
    }

    /**
     * The request a channel is sent for this event, or empty when its filter (or its kind: a heartbeat is called
     * only after a successful SCHEDULED or RETRY backup) leaves the event out.
     *
     * @param url           the channel's URL, unsealed
     * @param signingSecret a webhook's secret, unsealed; null for the other kinds
     * @param pageUrl       the account's backup page, linked from the message; null for none
     * @param now           the attempt's time: a webhook's {@code webhook-timestamp}
     */
    public static Optional<HookRequest> forEvent(Channel channel, String url, String signingSecret, BackupEvent event,
                                                 Account account, String pageUrl, Instant now) {
        if (!sends(channel, event)) {
            return Optional.empty();
        }
        return Optional.of(switch (channel.kind()) {
            case HEARTBEAT -> new HookRequest(url, Map.of(), new byte[0]);
            case WEBHOOK -> signed(url, signingSecret, messageId(event, channel), webhookBody(event, pageUrl), now);
            case SLACK -> json(url, ChatPayloads.slack(ChannelTexts.of(account).summary(event), pageUrl));
            case TEAMS -> json(url, ChatPayloads.teams(ChannelTexts.of(account).summary(event), pageUrl));
        });
    }

    /** A test message ("This is a test from backuprelay …"), in the account's language, for "send test". */
    public static HookRequest test(Channel channel, String url, String signingSecret, Account account, String pageUrl,
                                   Instant now) {
        ChannelTexts.Summary test = ChannelTexts.of(account).test();
        return switch (channel.kind()) {
            case HEARTBEAT -> new HookRequest(url, Map.of(), new byte[0]);
            case WEBHOOK -> {
                ObjectNode body = JsonNodeFactory.instance.objectNode().put("type", TEST_TYPE)
                        .put("timestamp", now.toString());
                body.putObject("data").put("accountId", channel.accountId()).put("channelId", channel.channelId())
                        .put("message", test.advice()).put("pageUrl", pageUrl);
                yield signed(url, signingSecret, "msg_test_" + UUID.randomUUID(), Json.encode(body), now);
            }
            case SLACK -> json(url, ChatPayloads.slack(test, pageUrl));
            case TEAMS -> json(url, ChatPayloads.teams(test, pageUrl));
        };
    }

    /** Whether the channel is sent this event at all. */
    public static boolean sends(Channel channel, BackupEvent event) {
        if (channel.kind() == ChannelKind.HEARTBEAT) {
            return event instanceof BackupCompleted completed
                    && (completed.trigger() == Trigger.SCHEDULED || completed.trigger() == Trigger.RETRY);
        }
        return outcome(event).map(outcome -> passes(channel.sends(), outcome)).orElse(false);
    }

    /** Whether any channel is ever sent this event: completed, failed, overdue, restore check failed, copy given up. */
    public static boolean isNews(BackupEvent event) {
        return outcome(event).isPresent();
    }

    private static boolean passes(ChannelFilter filter, Outcome outcome) {
        return switch (filter) {
            case ALL -> true;
            case FAILURES -> outcome == Outcome.FAILURE;
            case FAILURES_AND_OVERDUE -> outcome != Outcome.SUCCESS;
        };
    }

    /** What kind of news an event is for a channel; empty for the events no channel is sent. */
    static Optional<Outcome> outcome(BackupEvent event) {
        return switch (event) {
            case BackupCompleted ignored -> Optional.of(Outcome.SUCCESS);
            case BackupFailed ignored -> Optional.of(Outcome.FAILURE);
            case RestoreFailed ignored -> Optional.of(Outcome.FAILURE);
            case CopyFailed copy -> copy.willRetry() ? Optional.empty() : Optional.of(Outcome.FAILURE);
            case BackupOverdue ignored -> Optional.of(Outcome.OVERDUE);
            default -> Optional.empty();
        };
    }

    /** The {@code webhook-id} of an event to a channel: the same on every try, another for every channel. */
    public static String messageId(BackupEvent event, Channel channel) {
        String name = event.eventId() + "/" + channel.accountId() + "/" + channel.channelId();
        return "msg_" + UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString().replace("-", "");
    }

    /** The event's type as it travels on the topics ({@code backup.completed}, …). */
    public static String type(BackupEvent event) {
        JsonTypeName name = event.getClass().getAnnotation(JsonTypeName.class);
        return name != null ? name.value() : event.getClass().getSimpleName();
    }

    private static byte[] webhookBody(BackupEvent event, String pageUrl) {
        ObjectNode data = Json.mapper().valueToTree(event);
        data.remove("type");
        if (pageUrl != null) {
            data.put("pageUrl", pageUrl);
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("type", type(event))
                .put("timestamp", event.occurredAt().toString());
        body.set("data", data);
        return Json.encode(body);
    }

    private static HookRequest signed(String url, String secret, String msgId, byte[] body, Instant now) {
        long timestamp = now.getEpochSecond();
        Map<String, String> headers = new LinkedHashMap<>(HookSender.json());
        headers.put(WebhookSigner.ID, msgId);
        headers.put(WebhookSigner.TIMESTAMP, Long.toString(timestamp));
        headers.put(WebhookSigner.SIGNATURE, WebhookSigner.sign(secret, msgId, timestamp, body));
        return new HookRequest(url, headers, body);
    }

    private static HookRequest json(String url, ObjectNode body) {
        return new HookRequest(url, HookSender.json(), Json.encode(body));
    }
}
