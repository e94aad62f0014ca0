package io.backuprelay.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import io.backuprelay.common.account.Channel;
import io.backuprelay.common.account.ChannelFilter;
import io.backuprelay.common.account.ChannelKind;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChannelMessagesTest {

    private static final Instant NOW = Instant.now();
    private static final String PAGE = "https://platform.example/backups?account=Compa%C3%B1%C3%ADa";
    private static final String SECRET = WebhookSigner.newSecret();

    private final List<BackupEvent> every = List.of(Fixtures.completed(Trigger.SCHEDULED, NOW),
            Fixtures.failed(FailureStage.DUMP, NOW), Fixtures.overdue(NOW), Fixtures.restoreFailed(NOW),
            Fixtures.copyFailed(false, NOW));

    @Test
    void allSendsEveryOutcomeFailuresOnlyTheFailuresAndFailuresAndOverdueAddsTheReminder() {
        assertThat(sentTypes(ChannelFilter.ALL)).containsExactly("backup.completed", "backup.failed", "backup.overdue",
                "restore.failed", "backup.copy.failed");
        assertThat(sentTypes(ChannelFilter.FAILURES)).containsExactly("backup.failed", "restore.failed",
                "backup.copy.failed");
        assertThat(sentTypes(ChannelFilter.FAILURES_AND_OVERDUE)).containsExactly("backup.failed", "backup.overdue",
                "restore.failed", "backup.copy.failed");
    }

    @Test
    void aCopyThatWillBeTriedAgainIsNotNewsForAnyChannel() {
        Channel all = Fixtures.channel(ChannelKind.SLACK, ChannelFilter.ALL);
        assertThat(ChannelMessages.sends(all, Fixtures.copyFailed(true, NOW))).isFalse();
        assertThat(ChannelMessages.sends(all, Fixtures.copyFailed(false, NOW))).isTrue();
    }

    @Test
    void aHeartbeatIsCalledOnlyAfterASuccessfulAutomaticBackupWhateverItsFilter() {
        for (ChannelFilter filter : ChannelFilter.values()) {
            Channel heartbeat = Fixtures.channel(ChannelKind.HEARTBEAT, filter);
            assertThat(ChannelMessages.sends(heartbeat, Fixtures.completed(Trigger.SCHEDULED, NOW))).isTrue();
            assertThat(ChannelMessages.sends(heartbeat, Fixtures.completed(Trigger.RETRY, NOW))).isTrue();
            assertThat(ChannelMessages.sends(heartbeat, Fixtures.completed(Trigger.MANUAL, NOW))).isFalse();
            assertThat(every.subList(1, every.size())).noneMatch(event -> ChannelMessages.sends(heartbeat, event));
        }
        Optional<HookRequest> ping = ChannelMessages.forEvent(Fixtures.channel(ChannelKind.HEARTBEAT, ChannelFilter.ALL),
                "https://hc-ping.example/uuid", null, Fixtures.completed(Trigger.SCHEDULED, NOW), Fixtures.account("en"),
                PAGE, NOW);
        assertThat(ping).hasValueSatisfying(request -> {
            assertThat(request.isPost()).isFalse();
            assertThat(request.body()).isEmpty();
        });
    }

    @Test
    void aWebhookIsTheEventSignedWithAnIdThatStaysTheSameAcrossTries() throws Exception {
        Channel webhook = Fixtures.channel(ChannelKind.WEBHOOK, ChannelFilter.ALL);
        BackupEvent failed = Fixtures.failed(FailureStage.UPLOAD, NOW);
        HookRequest first = ChannelMessages.forEvent(webhook, "https://hooks.example/in", SECRET, failed,
                Fixtures.account("es"), PAGE, NOW).orElseThrow();
        HookRequest retry = ChannelMessages.forEvent(webhook, "https://hooks.example/in", SECRET, failed,
                Fixtures.account("es"), PAGE, NOW.plusSeconds(40)).orElseThrow();

        assertThat(first.headers().get("webhook-id")).startsWith("msg_").isEqualTo(retry.headers().get("webhook-id"));
        assertThat(retry.headers().get("webhook-timestamp")).isEqualTo(Long.toString(NOW.getEpochSecond() + 40));
        assertThat(retry.body()).isEqualTo(first.body());
        Channel other = new Channel(webhook.accountId(), "webhook-2", ChannelKind.WEBHOOK, "", webhook.origin(),
                webhook.url(), webhook.signingSecret(), ChannelFilter.ALL);
        assertThat(ChannelMessages.messageId(failed, other)).isNotEqualTo(first.headers().get("webhook-id"));

        String body = new String(first.body(), StandardCharsets.UTF_8);
        assertThatCode(() -> new Webhook(SECRET).verify(body, headers(first))).doesNotThrowAnyException();
        JsonNode json = Json.mapper().readTree(body);
        assertThat(json.get("type").asText()).isEqualTo("backup.failed");
        assertThat(json.get("timestamp").asText()).isEqualTo(failed.occurredAt().toString());
        assertThat(json.get("data").get("backupId").asText()).isEqualTo(failed.backupId());
        assertThat(json.get("data").get("stage").asText()).isEqualTo("UPLOAD");
        assertThat(json.get("data").get("pageUrl").asText()).isEqualTo(PAGE);
        assertThat(json.get("data").has("type")).isFalse();
    }

    @Test
    void aSlackMessageOfAFailureSaysTheStepTheReasonAndWhatToDoInTheAccountsLanguageWithTheLink() throws Exception {
        HookRequest slack = ChannelMessages.forEvent(Fixtures.channel(ChannelKind.SLACK, ChannelFilter.FAILURES),
                "https://hooks.slack.example/services/T/B/x", null, Fixtures.failed(FailureStage.DUMP, NOW),
                Fixtures.account("es"), PAGE, NOW).orElseThrow();
        JsonNode json = Json.mapper().readTree(slack.body());

        assertThat(json.get("text").asText()).contains("Compañía \"Ñandú\" S.A.");
        String blocks = json.get("blocks").toString();
        assertThat(json.get("blocks").get(0).get("text").get("type").asText()).isEqualTo("mrkdwn");
        assertThat(blocks).contains("Paso que falló", "Volcado de la base de datos", "password authentication failed",
                "Qué puede hacer", "<" + PAGE + "|");
        assertThat(slack.headers()).doesNotContainKey("webhook-signature");
    }

    @Test
    void slackMarkupInANameIsEscaped() {
        assertThat(ChatPayloads.slackEscape("<!channel> & <https://evil.example|x>"))
                .isEqualTo("&lt;!channel&gt; &amp; &lt;https://evil.example|x&gt;");
    }

    @Test
    void aTeamsMessageIsAnAdaptiveCardWithTheFactsTheAdviceAndAnOpenUrlAction() throws Exception {
        HookRequest teams = ChannelMessages.forEvent(Fixtures.channel(ChannelKind.TEAMS, ChannelFilter.ALL),
                "https://prod.workflows.example/webhook", null, Fixtures.overdue(NOW), Fixtures.account("fr"), PAGE, NOW)
                .orElseThrow();
        JsonNode json = Json.mapper().readTree(teams.body());

        assertThat(json.get("type").asText()).isEqualTo("message");
        JsonNode attachment = json.get("attachments").get(0);
        assertThat(attachment.get("contentType").asText()).isEqualTo("application/vnd.microsoft.card.adaptive");
        JsonNode card = attachment.get("content");
        assertThat(card.get("type").asText()).isEqualTo("AdaptiveCard");
        assertThat(card.get("version").asText()).isEqualTo("1.4");
        assertThat(card.get("body").get(0).get("text").asText()).contains("Compañía \"Ñandú\" S.A.");
        assertThat(card.get("body").get(1).get("type").asText()).isEqualTo("FactSet");
        assertThat(card.get("body").get(2).get("text").asText()).startsWith("Que faire");
        assertThat(card.get("actions").get(0).get("type").asText()).isEqualTo("Action.OpenUrl");
        assertThat(card.get("actions").get(0).get("url").asText()).isEqualTo(PAGE);
    }

    @Test
    void theTestMessageSaysItIsATestInTheAccountsLanguage() throws Exception {
        for (Map.Entry<String, String> language : Map.of("en", "This is a test from backuprelay", "es",
                "Esto es una prueba de backuprelay", "fr", "Ceci est un test de backuprelay", "pt",
                "Isto é um teste do backuprelay").entrySet()) {
            HookRequest slack = ChannelMessages.test(Fixtures.channel(ChannelKind.SLACK, ChannelFilter.ALL),
                    "https://hooks.slack.example/x", null, Fixtures.account(language.getKey()), PAGE, NOW);
            assertThat(Json.mapper().readTree(slack.body()).get("text").asText()).startsWith(language.getValue());
        }
        HookRequest webhook = ChannelMessages.test(Fixtures.channel(ChannelKind.WEBHOOK, ChannelFilter.ALL),
                "https://hooks.example/in", SECRET, Fixtures.account("pt"), PAGE, NOW);
        assertThat(Json.mapper().readTree(webhook.body()).get("type").asText()).isEqualTo(ChannelMessages.TEST_TYPE);
        assertThatCode(() -> new Webhook(SECRET).verify(new String(webhook.body(), StandardCharsets.UTF_8),
                headers(webhook))).doesNotThrowAnyException();
    }

    @Test
    void thePageLinkNamesTheAccountUrlEncodedAndThereIsNoneWithoutATemplate() {
        assertThat(HookSettings.pageFor("https://platform.example/backups/{accountId}/page", "Compañía Ñandú 7"))
                .contains("https://platform.example/backups/Compa%C3%B1%C3%ADa%20%C3%91and%C3%BA%207/page");
        assertThat(HookSettings.pageFor(null, "Compañía Ñandú 7")).isEmpty();
    }

    @Test
    void aRequestNeverPrintsItsUrl() {
        HookRequest request = new HookRequest("https://hooks.slack.example/services/T0/B0/SECRETPART", Map.of(), null);
        assertThat(request.toString()).doesNotContain("SECRETPART", "hooks.slack");
    }

    private List<String> sentTypes(ChannelFilter filter) {
        return every.stream().filter(event -> ChannelMessages.sends(Fixtures.channel(ChannelKind.WEBHOOK, filter), event))
                .map(ChannelMessages::type).toList();
    }

    static Map<String, List<String>> headers(HookRequest request) {
        return Map.of("webhook-id", List.of(request.headers().get("webhook-id")),
                "webhook-timestamp", List.of(request.headers().get("webhook-timestamp")),
                "webhook-signature", List.of(request.headers().get("webhook-signature")));
    }
}
