package io.backuprelay.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenMinter;
import io.backuprelay.testkit.LoopbackReceiver;
import io.backuprelay.testkit.TestKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A super-administrator in headless Chromium, the page in Spanish, adds a signed webhook and a
 * heartbeat, sees the webhook's secret once, sends a test and reads what the endpoint answered, and
 * is told in the page's language why a private address is refused. The receiver runs on loopback.
 */
class ChannelsPageBrowserIT {

    private static final String SECRET = "channels-page-secret-" + UUID.randomUUID();
    private static final TokenMinter MINTER = new TokenMinter(SECRET.getBytes(StandardCharsets.UTF_8), null);
    private static final String OPERATOR = MINTER.mint("ops-1", "ops@platform.example", null, Role.OPERATOR, Duration.ofHours(1));
    private static final String URL_TOKEN = "B0D1E5-" + UUID.randomUUID().toString().replace("-", "");

    private static ConsoleServer console;
    private static LoopbackReceiver receiver;
    private static String origin;

    @TempDir
    Path browserProfile;
    private HeadlessChromium browser;

    @BeforeAll
    static void start() throws Exception {
        receiver = new LoopbackReceiver();
        receiver.answer("/hooks/" + URL_TOKEN, () -> 204);
        origin = receiver.origin();
        Topics topics = new Topics(TestKafka.uniquePrefix());
        console = TestConsole.start(topics, SECRET, origin);
    }

    @AfterAll
    static void stop() {
        if (console != null) {
            console.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    @AfterEach
    void quit() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void aSuperadminAddsAWebhookAndAHeartbeatAndSendsATestInTheirLanguage() throws Exception {
        String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
        String body = ConsoleCalls.accountJson("pw").replace("Tenant Ltd", "Compañía \\\"Ñandú\\\" S.A.")
                .replace("\"locale\":\"pt\"", "\"locale\":\"es\"");
        assertThat(ConsoleCalls.call(console.port(), "PUT", "/api/operator/accounts/" + account, OPERATOR, body).status())
                .isEqualTo(201);
        String token = MINTER.mint("auth0|Lucía", "lucia@tenant.example", account, Role.SUPERADMIN, Duration.ofHours(1));
        browser = new HeadlessChromium(browserProfile);
        WebDriverWait wait = browser.waitUpTo(Duration.ofSeconds(30));
        browser.driver().get("http://127.0.0.1:" + console.port() + "/#token=" + token);
        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-loaded")));
        assertThat(browser.find("subtitle").getText()).as("no platform name configured: Spanish alone, no English stand-in")
                .isEqualTo("Genere copias de seguridad automáticas o manuales de sus datos.");
        assertThat(browser.find("channelsHeading").getText()).isEqualTo("Notificaciones además del correo");
        assertThat(browser.label("channelUrl")).isEqualTo("URL *");

        // A signed webhook for failures only: its secret is shown this once.
        new Select(browser.find("channelKind")).selectByValue("WEBHOOK");
        assertThat(browser.find("channelUrlHelp").getText()).contains("Standard Webhooks");
        browser.type("channelDescription", "Alertas de producción \"24/7\"");
        browser.type("channelUrl", origin + "/hooks/" + URL_TOKEN);
        new Select(browser.find("channelSends")).selectByValue("FAILURES");
        browser.find("saveChannel").click();
        WebElement row = channelRow(wait, "Alertas de producción \"24/7\"");
        assertThat(row.getText()).contains("Webhook (firmado)").contains("Solo los fallos").contains(origin + "/…")
                .doesNotContain(URL_TOKEN);
        String shownSecret = wait.until(d -> browser.find("channelSecret").isDisplayed()
                ? browser.find("channelSecretValue").getText() : null);
        assertThat(shownSecret).startsWith("whsec_");

        // Send test: what the endpoint answered, in Spanish; the request was signed.
        row.findElement(By.cssSelector(".channel-sendTest")).click();
        String result = wait.until(d -> {
            String text = channelRow(wait, "Alertas de producción \"24/7\"").findElement(By.cssSelector(".test-result")).getText();
            return text.startsWith("Entregado") ? text : null;
        });
        assertThat(result).startsWith("Entregado: el destino respondió 204 en ");
        assertThat(receiver.at("/hooks/" + URL_TOKEN)).anyMatch(r -> r.header("webhook-signature").startsWith("v1,"));
        WebElement tested = wait.until(d -> d.findElements(By.cssSelector("#activity tbody tr")).stream()
                .filter(r -> r.getText().contains("Envió un mensaje de prueba")).findFirst().orElse(null));
        assertThat(tested.getText()).as("the log names the channel and what it answered")
                .contains("Alertas de producción \"24/7\"").contains("entregado (HTTP 204)");

        // A heartbeat takes no filter: the page does not offer one.
        new Select(browser.find("channelKind")).selectByValue("HEARTBEAT");
        assertThat(browser.find("channelSendsRow").isDisplayed()).isFalse();
        browser.type("channelDescription", "Healthchecks Ñ");
        browser.type("channelUrl", origin + "/ping/" + URL_TOKEN);
        browser.find("saveChannel").click();
        assertThat(channelRow(wait, "Healthchecks Ñ").getText()).contains("Ping de latido")
                .contains("Tras cada copia automática correcta");

        // A private address is refused, said in the page's language.
        new Select(browser.find("channelKind")).selectByValue("SLACK");
        browser.type("channelUrl", "https://10.1.2.3/services/" + URL_TOKEN);
        browser.find("saveChannel").click();
        wait.until(d -> browser.find("channelMessage").getText().startsWith("Esta URL no está permitida"));
        assertThat(browser.severeConsoleEntries()).as("only the refusal's own 400")
                .allMatch(entry -> entry.contains("status of 400"));
        browser.scrollTo("channelsSection");
        browser.screenshot("channels-es");

        JsonNode stored = Json.mapper().readTree(ConsoleCalls.call(console.port(), "GET",
                "/api/accounts/" + account + "/channels", token, null).body());
        assertThat(stored).extracting(c -> c.get("kind").asText()).containsExactlyInAnyOrder("WEBHOOK", "HEARTBEAT");
        browser.driver().navigate().refresh();
        wait.until(d -> d.findElements(By.cssSelector("#channels tbody tr")).size() == 2);
        assertThat(browser.find("channelSecret").isDisplayed()).as("the secret is shown once").isFalse();
        assertThat(browser.driver().getPageSource()).doesNotContain(shownSecret).doesNotContain(URL_TOKEN);
        browser.assertEveryFieldIsLabelled();
        assertThat(browser.severeConsoleEntries()).isEmpty();
    }

    private WebElement channelRow(WebDriverWait wait, String description) {
        return wait.until(d -> d.findElements(By.cssSelector("#channels tbody tr")).stream()
                .filter(r -> r.getText().contains(description)).findFirst().orElse(null));
    }
}
