package io.backuprelay.console.api;

import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.account.Account;
import io.backuprelay.common.activity.ActivityAction;
import io.backuprelay.common.activity.Changes;
import io.backuprelay.common.account.Channel;
import io.backuprelay.common.account.ChannelFilter;
import io.backuprelay.common.account.ChannelKind;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.common.secret.SecretContext;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.secret.SecretUnavailableException;
import io.backuprelay.console.activity.ActivityLog;
import io.backuprelay.console.data.ConsoleData;
import io.backuprelay.console.data.ViewPosition;
import io.backuprelay.hook.ChannelMessages;
import io.backuprelay.hook.HookAnswer;
import io.backuprelay.hook.HookSender;
import io.backuprelay.hook.HookSettings;
import io.backuprelay.hook.HookTargets;
import io.backuprelay.hook.WebhookSigner;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The account's notification channels besides email: signed webhooks, Slack, Teams and a heartbeat.
 * A channel's URL is write-only (a Slack, Teams or ping URL is all it takes to post there): answers
 * carry its origin and a masked hint. A webhook's signing secret is shown once, when the webhook is
 * added; after that only its hint.
 */
public final class ChannelsApi {

    private static final Logger log = LoggerFactory.getLogger(ChannelsApi.class);
    /** Enough for a webhook, Slack, Teams and a heartbeat, and a few spares; a channel costs a delivery per outcome. */
    public static final int CHANNELS_PER_ACCOUNT = 10;
    private static final int MAX_URL = 2048;

    private final ConsoleData data;
    private final SecretSealer sealer;
    private final EndpointPolicy policy;
    private final HookSender sender;
    private final Limits.PerWindow tests;
    private final Clock clock;
    private final String pageUrl;
    private final ActivityLog activity;

    /**
     * @param policy  the outbound rule channel URLs are checked against, with the accounts' grants
     * @param sender  what sends a test message
     * @param pageUrl the backup page's address template ({@code BACKUPRELAY_PAGE_URL}), which messages link to
     */
    public ChannelsApi(ConsoleData data, SecretSealer sealer, EndpointPolicy policy, HookSender sender, Limits limits,
                       String pageUrl, ActivityLog activity) {
        this.data = data;
        this.sealer = sealer;
        this.policy = policy;
        this.sender = sender;
        this.tests = limits.probes();
        this.clock = limits.clock();
        this.pageUrl = pageUrl;
        this.activity = activity;
    }

    /**
     * A channel as a client sends it.
     *
     * @param kind  WEBHOOK, SLACK, TEAMS or HEARTBEAT; fixed once the channel exists
     * @param url   where to send; write-only. An update without it keeps the stored one
     * @param sends ALL (the default), FAILURES or FAILURES_AND_OVERDUE; a heartbeat takes none
     */
    public record ChannelBody(ChannelKind kind, String description, String url, ChannelFilter sends) {
    }

    /**
     * @param urlHint       the origin and the URL's last characters: enough to recognise it, never to use it
     * @param signingSecret a new webhook's secret, in the answer that creates it and never again
     */
    public record ChannelView(String channelId, ChannelKind kind, String description, String origin, String urlHint,
                              ChannelFilter sends, String signingSecret, String signingSecretHint) {
    }

    /**
     * What the endpoint answered to a test message.
     *
     * @param status     the HTTP status, 0 when there was no answer
     * @param answered   the first characters of the answer's body
     * @param error      why there was no answer (refused, timed out, unreachable), if there was none
     */
    public record TestResult(boolean delivered, int status, String answered, long tookMs, String error) {
    }

    public void list(Context ctx) {
        String accountId = accountOf(ctx);
        Requests.readYourWrites(ctx, data);
        ctx.json(data.channels(accountId).stream().map(c -> view(c, null)).toList());
    }

    public void create(Context ctx) {
        String accountId = accountOf(ctx);
        data.catchUp(); // the count of channels as it is now
        ChannelBody body = Requests.body(ctx, ChannelBody.class);
        ChannelKind kind = Validate.required("kind", body.kind());
        if (data.channels(accountId).size() >= CHANNELS_PER_ACCOUNT) {
            throw ApiException.invalid("channels", "an account may have at most " + CHANNELS_PER_ACCOUNT
                    + " channels; remove one first").key("tooManyChannels", Integer.toString(CHANNELS_PER_ACCOUNT));
        }
        String url = allowedUrl(accountId, Validate.required("url", body.url()));
        String channelId = "n-" + UUID.randomUUID().toString().substring(0, 8);
        String secret = kind == ChannelKind.WEBHOOK ? WebhookSigner.newSecret() : null;
        Channel channel = sealed(accountId, channelId, kind, body, url, secret);
        activity.record(Requests.principal(ctx), accountId, ActivityAction.CHANNEL_ADDED, channelId,
                Changes.between(null, channel));
        Requests.wrote(ctx, data.write(ViewPosition.View.CHANNELS, channel.key(), channel));
        ctx.status(201).header("Location", ctx.path() + "/" + channelId).json(view(channel, secret));
    }

    public void update(Context ctx) {
        String accountId = accountOf(ctx);
        data.catchUp(); // edits what is stored now
        Channel existing = find(accountId, ctx.pathParam("channelId"));
        ChannelBody body = Requests.body(ctx, ChannelBody.class);
        if (body.kind() != null && body.kind() != existing.kind()) {
            throw ApiException.invalid("kind", "cannot change; remove the channel and add a new one");
        }
        String url = body.url() == null || body.url().isEmpty()
                ? sealer.open(existing.url(), existing.urlContext())
                : allowedUrl(accountId, body.url());
        String secret = existing.signingSecret() == null ? null
                : sealer.open(existing.signingSecret(), existing.signingSecretContext());
        Channel channel = sealed(accountId, existing.channelId(), existing.kind(), body, url, secret);
        activity.record(Requests.principal(ctx), accountId, ActivityAction.CHANNEL_CHANGED, channel.channelId(),
                Changes.between(existing, channel));
        Requests.wrote(ctx, data.write(ViewPosition.View.CHANNELS, channel.key(), channel));
        ctx.json(view(channel, null));
    }

    public void delete(Context ctx) {
        String accountId = accountOf(ctx);
        data.catchUp();
        Channel existing = find(accountId, ctx.pathParam("channelId"));
        activity.record(Requests.principal(ctx), accountId, ActivityAction.CHANNEL_REMOVED, existing.channelId(),
                Changes.between(existing, null));
        Requests.wrote(ctx, data.write(ViewPosition.View.CHANNELS, existing.key(), null));
        ctx.status(204);
    }

    /** Sends a test message to the channel and says what its endpoint answered. */
    public void test(Context ctx) {
        String accountId = accountOf(ctx);
        Channel channel = find(accountId, ctx.pathParam("channelId"));
        tests.acquire(accountId);
        Account account = data.account(accountId).orElseThrow(() -> ApiException.notFound(
                "Account '" + accountId + "' is not registered"));
        HookAnswer answer;
        try {
            String url = sealer.open(channel.url(), channel.urlContext());
            String secret = channel.signingSecret() == null ? null
                    : sealer.open(channel.signingSecret(), channel.signingSecretContext());
            answer = sender.send(accountId, ChannelMessages.test(channel, url, secret, account,
                    HookSettings.pageFor(pageUrl, accountId).orElse(null), clock.instant()));
        } catch (SecretUnavailableException e) {
            answer = HookAnswer.none("the stored URL cannot be opened: " + e.getMessage(), Duration.ZERO);
        } catch (EndpointPolicy.EndpointRefusedException e) {
            answer = HookAnswer.none(HookAnswer.REFUSED + e.getMessage(), Duration.ZERO);
        }
        if (!answer.delivered()) {
            log.info("Test of channel {} of account {} not delivered: status {}", channel.channelId(), accountId,
                    answer.status());
        }
        // Recorded before the answer is given, as every action is: a test the log cannot hold is not answered.
        activity.record(Requests.principal(ctx), accountId, ActivityAction.CHANNEL_TESTED, channel.channelId(),
                List.of(), Map.of("result", answer.delivered() ? "ok" : "failed",
                        "answered", answer.status() > 0 ? "HTTP " + answer.status() : "no answer"));
        ctx.json(new TestResult(answer.delivered(), answer.status(), answer.bodyStart(), answer.took().toMillis(),
                answer.error()));
    }

    /** The URL, if the account may send there: refused before any connection is made. */
    private String allowedUrl(String accountId, String url) {
        Validate.maxLength("url", url, MAX_URL);
        try {
            HookTargets.check(policy, accountId, url);
        } catch (EndpointPolicy.EndpointRefusedException e) {
            throw ApiException.invalid("url", "is not allowed: " + e.getMessage()).key("urlRefused");
        }
        return url;
    }

    private Channel sealed(String accountId, String channelId, ChannelKind kind, ChannelBody body, String url,
                           String secret) {
        if (kind == ChannelKind.HEARTBEAT && body.sends() != null && body.sends() != ChannelFilter.ALL) {
            throw ApiException.invalid("sends", "a heartbeat is called after each successful automatic backup;"
                    + " it takes no filter");
        }
        String description = Validate.text("description", body.description(), 200);
        String origin = HookTargets.origin(url);
        Channel draft = new Channel(accountId, channelId, kind, description, origin, UNSEALED,
                secret == null ? null : UNSEALED, body.sends());
        return new Channel(accountId, channelId, kind, description, origin, sealer.seal(url, draft.urlContext()),
                secret == null ? null : sealer.seal(secret, draft.signingSecretContext()), draft.sends());
    }

    /** Stands for a secret while the channel's origin is settled, before it is sealed for that origin. */
    private static final SealedSecret UNSEALED = new SealedSecret("-", "-", SealedSecret.TARGETED);

    private ChannelView view(Channel c, String newSecret) {
        String url = openOrNull(c.url(), c.urlContext());
        String secret = c.signingSecret() == null ? null : openOrNull(c.signingSecret(), c.signingSecretContext());
        return new ChannelView(c.channelId(), c.kind(), c.description(), c.origin(),
                url == null ? c.origin() + "/…" : c.origin() + "/…" + url.substring(Math.max(0, url.length() - 4)),
                c.sends(), newSecret, secret == null ? null : ConnectionsApi.hint(secret));
    }

    /** The secret, or null when it cannot be opened (a master key gone): the list still answers. */
    private String openOrNull(SealedSecret sealed, SecretContext context) {
        try {
            return sealer.open(sealed, context);
        } catch (SecretUnavailableException e) {
            return null;
        }
    }

    private Channel find(String accountId, String channelId) {
        return data.channel(accountId, channelId).orElseThrow(() -> ApiException.notFound(
                "Channel '" + channelId + "' does not exist in account '" + accountId + "'"));
    }

    private static String accountOf(Context ctx) {
        String accountId = ctx.pathParam("accountId");
        Requests.superadminOf(ctx, accountId);
        return accountId;
    }
}
