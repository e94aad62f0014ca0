package io.backuprelay.notify.channel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A Teams Workflows webhook's body ("When a Teams webhook request is received") as Microsoft documents it: a
 * {@code message} with one attachment of type {@code application/vnd.microsoft.card.adaptive} whose content is an
 * Adaptive Card ({@code $schema}, {@code type}, {@code version}, {@code body} of elements, {@code actions}); the
 * page linked by an {@code Action.OpenUrl}.
 */
final class TeamsShape {

    private TeamsShape() {
    }

    static void check(JsonNode body, String pageUrl) {
        assertThat(body.get("type").asText()).isEqualTo("message");
        JsonNode attachments = body.get("attachments");
        assertThat(attachments.isArray()).isTrue();
        assertThat(attachments.size()).isEqualTo(1);
        JsonNode attachment = attachments.get(0);
        assertThat(attachment.get("contentType").asText()).isEqualTo("application/vnd.microsoft.card.adaptive");
        assertThat(attachment.has("contentUrl") && attachment.get("contentUrl").isNull()).isTrue();
        JsonNode card = attachment.get("content");
        assertThat(card.get("$schema").asText()).isEqualTo("http://adaptivecards.io/schemas/adaptive-card.json");
        assertThat(card.get("type").asText()).isEqualTo("AdaptiveCard");
        assertThat(card.get("version").asText()).isEqualTo("1.4");
        assertThat(card.get("body").isArray()).isTrue();
        assertThat(card.get("body").size()).isPositive();
        for (JsonNode element : card.get("body")) {
            switch (element.get("type").asText()) {
                case "TextBlock" -> {
                    assertThat(element.get("text").isTextual()).isTrue();
                    assertThat(element.get("wrap").asBoolean()).isTrue();
                }
                case "FactSet" -> element.get("facts").forEach(fact -> {
                    assertThat(fact.get("title").isTextual()).isTrue();
                    assertThat(fact.get("value").isTextual()).isTrue();
                });
                default -> throw new AssertionError("not an element of these cards: " + element);
            }
        }
        assertThat(card.get("body").get(0).get("type").asText()).isEqualTo("TextBlock");
        JsonNode actions = card.get("actions");
        assertThat(actions.isArray()).isTrue();
        assertThat(actions.size()).isEqualTo(1);
        assertThat(actions.get(0).get("type").asText()).isEqualTo("Action.OpenUrl");
        assertThat(actions.get(0).get("title").asText()).isNotBlank();
        assertThat(actions.get(0).get("url").asText()).isEqualTo(pageUrl);
    }
}
