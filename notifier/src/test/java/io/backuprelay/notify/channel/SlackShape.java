package io.backuprelay.notify.channel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A Slack incoming webhook's body as Slack documents it: {@code text} (the notification's fallback) and Block Kit
 * {@code blocks}; each a {@code section} with a text object ({@code mrkdwn} or {@code plain_text}, at most 3000
 * characters) or at most 10 {@code fields} (2000 characters each); the page linked as {@code <url|text>}.
 */
final class SlackShape {

    private SlackShape() {
    }

    static void check(JsonNode body, String pageUrl) {
        assertThat(body.isObject()).isTrue();
        List<String> keys = new ArrayList<>();
        body.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactlyInAnyOrder("text", "blocks");
        assertThat(body.get("text").isTextual()).isTrue();
        assertThat(body.get("text").asText()).isNotBlank();
        JsonNode blocks = body.get("blocks");
        assertThat(blocks.isArray()).isTrue();
        assertThat(blocks.size()).isBetween(1, 50);
        List<String> texts = new ArrayList<>();
        for (JsonNode block : blocks) {
            assertThat(block.get("type").asText()).isEqualTo("section");
            if (block.has("text")) {
                texts.add(textObject(block.get("text"), 3000));
            } else {
                assertThat(block.get("fields").isArray()).isTrue();
                assertThat(block.get("fields").size()).isBetween(1, 10);
                block.get("fields").forEach(field -> texts.add(textObject(field, 2000)));
            }
        }
        assertThat(texts).anyMatch(text -> text.matches("(?s).*<" + Pattern.quote(pageUrl) + "\\|[^>]+>.*"));
    }

    private static String textObject(JsonNode text, int max) {
        assertThat(text.get("type").asText()).isIn("mrkdwn", "plain_text");
        assertThat(text.get("text").isTextual()).isTrue();
        assertThat(text.get("text").asText()).isNotBlank().hasSizeLessThanOrEqualTo(max);
        return text.get("text").asText();
    }
}
