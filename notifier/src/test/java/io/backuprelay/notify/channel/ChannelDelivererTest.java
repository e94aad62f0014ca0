package io.backuprelay.notify.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.Channel;
import io.backuprelay.common.account.ChannelFilter;
import io.backuprelay.common.account.ChannelKind;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BlobLocation;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.JobContext;
import io.backuprelay.common.kafka.JobResult;
import io.backuprelay.common.kafka.PoisonMessageException;
import io.backuprelay.common.ops.OpsEvent;
import io.backuprelay.common.ops.OpsStatus;
import io.backuprelay.common.ops.ServiceOps;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.hook.ChannelDelivery;
import io.backuprelay.hook.HookAnswer;
import io.backuprelay.hook.HookRequest;
import io.backuprelay.hook.WebhookSigner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Tries, backoff, budget and dropping of channel deliveries, with a fake endpoint and a clock of the test's own. */
class ChannelDelivererTest {

    private static final String ACCOUNT = "Compañía Ñandú 7";
    private static final String URL = "https://hooks.example/in/SECRETPART";
    private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");

    private final SecretSealer sealer = SecretSealer.ofBase64("k1", SecretSealer.newBase64Key());
    private final Map<String, Channel> channels = new HashMap<>();
    private final Deque<HookAnswer> answers = new ArrayDeque<>();
    private final List<HookRequest> sent = new ArrayList<>();
    private final List<OpsEvent> ops = new ArrayList<>();
    private final List<Duration> waits = new ArrayList<>();
    /** The given-up deliveries the account was told of: channel id and last answer. */
    private final List<String> told = new ArrayList<>();
    private Instant now = START;
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final ChannelConfig config = new ChannelConfig(Duration.ofSeconds(5), Duration.ofMinutes(5),
            Duration.ofHours(1), Duration.ofSeconds(10), "https://platform.example/backups/{accountId}");
    private final ChannelDeliverer deliverer = new ChannelDeliverer(new ChannelDeliverer.Lookups(
            account -> channels.values().stream().filter(c -> c.accountId().equals(account)).toList(),
            key -> Optional.ofNullable(channels.get(key)), id -> Optional.of(account())),
            sealer, (accountId, request) -> {
                sent.add(request);
                return answers.isEmpty() ? new HookAnswer(200, "ok", Duration.ZERO, null) : answers.poll();
            }, config, new ServiceOps(ops::add, "notifier", clock),
            (channel, delivery, lastAnswer) -> told.add(channel.channelId() + " " + lastAnswer), clock);
    private final DeliveryHandler retries = new DeliveryHandler(deliverer, config, "backup.deliveries", waits::add, clock);

    @Test
    void aTakenFirstTryLeavesNothingToRetryAndAnUntakenOneIsRecordedForTheNextTry() {
        Channel webhook = add("wh-1", ChannelKind.WEBHOOK, ChannelFilter.ALL);
        answers.add(new HookAnswer(200, "", Duration.ZERO, null));
        assertThat(deliverer.first(completed(Trigger.MANUAL))).isEmpty();

        answers.add(new HookAnswer(500, "down", Duration.ZERO, null));
        List<ChannelDelivery> again = deliverer.first(completed(Trigger.MANUAL));

        assertThat(again).singleElement().satisfies(d -> {
            assertThat(d.key()).isEqualTo(webhook.key());
            assertThat(d.attempt()).isEqualTo(2);
            assertThat(d.firstTryAt()).isEqualTo(START);
            assertThat(d.nextTryAt()).isEqualTo(START.plusSeconds(5));
            assertThat(d.lastAnswer()).isEqualTo("HTTP 500");
        });
        assertThat(ops).extracting(OpsEvent::status).contains(OpsStatus.SENT, OpsStatus.RETRIED);
        assertThat(ops.toString()).doesNotContain("SECRETPART");
    }

    @Test
    void eachTryAgainWaitsUntilItIsDueAndDoublesTheNextWait() throws Exception {
        add("wh-1", ChannelKind.WEBHOOK, ChannelFilter.ALL);
        answers.add(new HookAnswer(503, "", Duration.ZERO, null));
        ChannelDelivery delivery = deliverer.first(completed(Trigger.SCHEDULED)).getFirst();

        answers.add(HookAnswer.none("could not connect to https://hooks.example", Duration.ZERO));
        JobResult second = retries.handle(delivery, context());
        ChannelDelivery third = Json.decode(second.outputs().getFirst().value(), ChannelDelivery.class);

        assertThat(waits).containsExactly(Duration.ofSeconds(5));
        assertThat(third.attempt()).isEqualTo(3);
        assertThat(third.nextTryAt()).isEqualTo(START.plusSeconds(10));
        assertThat(third.lastAnswer()).startsWith("no answer");

        answers.add(new HookAnswer(204, "", Duration.ZERO, null));
        assertThat(retries.handle(third, context()).outputs()).isEmpty();
        assertThat(sent).hasSize(3);
        assertThat(sent.getFirst().headers().get(WebhookSigner.ID)).isEqualTo(sent.getLast().headers().get(WebhookSigner.ID));
        assertThat(told).as("nothing given up yet").isEmpty();
    }

    @Test
    void aWaitIsNeverLongerThanTheLongestBackoff() throws Exception {
        add("wh-1", ChannelKind.WEBHOOK, ChannelFilter.ALL);
        ChannelDelivery farAway = new ChannelDelivery(1, ACCOUNT, "wh-1", completed(Trigger.MANUAL), 2, START,
                START.plus(Duration.ofDays(3)), "HTTP 500");
        retries.handle(farAway, context());
        assertThat(waits).containsExactly(Duration.ofMinutes(5));
    }

    @Test
    void whenTheBudgetIsSpentTheDeliveryIsDeadLetteredNamingTheChannelAndTheLastAnswerButNotTheUrl() {
        add("wh-1", ChannelKind.WEBHOOK, ChannelFilter.ALL);
        ChannelDelivery late = new ChannelDelivery(1, ACCOUNT, "wh-1", completed(Trigger.MANUAL), 9, START,
                START.plus(Duration.ofMinutes(58)), "HTTP 500");
        now = START.plus(Duration.ofMinutes(58));
        answers.add(new HookAnswer(500, "", Duration.ZERO, null));

        assertThatThrownBy(() -> retries.handle(late, context())).isInstanceOf(PoisonMessageException.class)
                .hasMessageContaining("channel wh-1 (WEBHOOK https://hooks.example)").hasMessageContaining("HTTP 500")
                .hasMessageContaining("9 tries").hasMessageNotContaining("SECRETPART");
        assertThat(ops).extracting(OpsEvent::status).contains(OpsStatus.DEAD_LETTERED);
        assertThat(told).as("the account is told, once").containsExactly("wh-1 HTTP 500");
    }

    @Test
    void aDeletedChannelsPendingDeliveryIsDropped() throws Exception {
        ChannelDelivery pending = new ChannelDelivery(1, ACCOUNT, "gone", completed(Trigger.MANUAL), 2, START, START,
                "HTTP 500");
        assertThat(retries.handle(pending, context()).outputs()).isEmpty();
        assertThat(sent).isEmpty();
    }

    @Test
    void aUrlTheOutboundRuleRefusesIsNotTriedAgain() {
        add("wh-1", ChannelKind.WEBHOOK, ChannelFilter.ALL);
        answers.add(HookAnswer.none(HookAnswer.REFUSED + "the endpoint's host resolves to a non-public address",
                Duration.ZERO));
        assertThat(deliverer.first(completed(Trigger.MANUAL))).isEmpty();
        assertThat(ops).extracting(OpsEvent::status).containsExactly(OpsStatus.FAILED);
    }

    @Test
    void aFailuresChannelIsNotSentACompletionAndAnEventOlderThanTheBudgetIsSentNothing() {
        add("failures", ChannelKind.SLACK, ChannelFilter.FAILURES);
        add("heartbeat", ChannelKind.HEARTBEAT, ChannelFilter.ALL);
        deliverer.first(completed(Trigger.MANUAL));
        assertThat(sent).isEmpty();

        BackupCompleted old = completed(Trigger.SCHEDULED);
        now = START.plus(Duration.ofHours(2));
        deliverer.first(old);
        assertThat(sent).isEmpty();
    }

    private Channel add(String id, ChannelKind kind, ChannelFilter filter) {
        SealedSecret placeholder = new SealedSecret("k1", "eA");
        Channel draft = new Channel(ACCOUNT, id, kind, "", "https://hooks.example", placeholder,
                kind == ChannelKind.WEBHOOK ? placeholder : null, filter);
        Channel channel = new Channel(ACCOUNT, id, kind, "", "https://hooks.example", sealer.seal(URL, draft.urlContext()),
                kind == ChannelKind.WEBHOOK ? sealer.seal(WebhookSigner.newSecret(), draft.signingSecretContext()) : null,
                filter);
        channels.put(channel.key(), channel);
        return channel;
    }

    private static Account account() {
        return new Account(ACCOUNT, "Compañía \"Ñandú\" S.A.", "es", "Europe/Madrid", List.of(),
                new SourceDatabase(Engine.POSTGRESQL, "db", 5432, "app", "app", null, null, null));
    }

    private BackupCompleted completed(Trigger trigger) {
        return new BackupCompleted(1, UUID.randomUUID().toString(), UUID.randomUUID().toString(), ACCOUNT, now, trigger,
                new BlobLocation("acmeblobs", "db-backups", "backups/x.dump.zst", "https://acmeblobs.example/x"), 1024L,
                "f00d", Engine.POSTGRESQL, now.minusSeconds(60), now, List.of(), null, List.of(), null, null, null);
    }

    private static JobContext context() {
        return new JobContext("backup.deliveries", 0, 0, "k", 1);
    }
}
