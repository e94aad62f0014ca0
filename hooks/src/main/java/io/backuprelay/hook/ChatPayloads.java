package io.backuprelay.hook;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The bodies Slack and Microsoft Teams take: a Slack incoming webhook's {@code text} (the notification's
 * fallback) and Block Kit {@code blocks} in {@code mrkdwn}; a Teams Workflows webhook's message with one Adaptive
 * Card attachment (Workflows take Adaptive Cards only, not the retired connectors' MessageCard).
 */
final class ChatPayloads {

    static final String ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive";
    static final String ADAPTIVE_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json";
    /** The Adaptive Card version Teams renders everywhere, desktop and mobile. */
    static final String ADAPTIVE_VERSION = "1.4";
    /** Slack takes at most 10 fields in a section. */
    private static final int SLACK_MAX_FIELDS = 10;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ChatPayloads() {
    }

    /** {@code {"text": …, "blocks": [sections]}}, the page's link as {@code <url|text>}. */
    static ObjectNode slack(ChannelTexts.Summary summary, String pageUrl) {
        ObjectNode body = JSON.objectNode();
        body.put("text", slackEscape(summary.title()));
        ArrayNode blocks = body.putArray("blocks");
        blocks.add(slackSection("*" + slackEscape(summary.title()) + "*"));
        if (!summary.facts().isEmpty()) {
            ObjectNode facts = blocks.addObject().put("type", "section");
            ArrayNode fields = facts.putArray("fields");
            summary.facts().stream().limit(SLACK_MAX_FIELDS).forEach(fact -> fields.addObject().put("type", "mrkdwn")
                    .put("text", "*" + slackEscape(fact.label()) + "*\n" + slackEscape(fact.value())));
        }
        if (summary.advice() != null) {
            blocks.add(slackSection(slackEscape(summary.advice())));
        }
        if (pageUrl != null) {
            blocks.add(slackSection("<" + pageUrl + "|" + slackEscape(summary.linkText()) + ">"));
        }
        return body;
    }

    private static ObjectNode slackSection(String mrkdwn) {
        ObjectNode section = JSON.objectNode().put("type", "section");
        section.putObject("text").put("type", "mrkdwn").put("text", mrkdwn);
        return section;
    }

    /** The three characters Slack's mrkdwn gives a meaning to, escaped as Slack's formatting guide says. */
    static String slackEscape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** {@code {"type": "message", "attachments": [{Adaptive Card}]}}, the page's link as an {@code Action.OpenUrl}. */
    static ObjectNode teams(ChannelTexts.Summary summary, String pageUrl) {
        ObjectNode card = JSON.objectNode();
        card.put("$schema", ADAPTIVE_SCHEMA).put("type", "AdaptiveCard").put("version", ADAPTIVE_VERSION);
        ArrayNode items = card.putArray("body");
        items.addObject().put("type", "TextBlock").put("text", summary.title()).put("weight", "Bolder")
                .put("size", "Medium").put("wrap", true);
        if (!summary.facts().isEmpty()) {
            ArrayNode facts = items.addObject().put("type", "FactSet").putArray("facts");
            summary.facts().forEach(fact -> facts.addObject().put("title", fact.label()).put("value", fact.value()));
        }
        if (summary.advice() != null) {
            items.addObject().put("type", "TextBlock").put("text", summary.advice()).put("wrap", true);
        }
        ArrayNode actions = card.putArray("actions");
        if (pageUrl != null) {
            actions.addObject().put("type", "Action.OpenUrl").put("title", summary.linkText()).put("url", pageUrl);
        }
        ObjectNode message = JSON.objectNode().put("type", "message");
        message.putArray("attachments").addObject().put("contentType", ADAPTIVE_CARD).putNull("contentUrl")
                .set("content", card);
        return message;
    }
}
