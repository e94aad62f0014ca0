package io.backuprelay.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.ScheduleState;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.console.ConsoleCalls.Response;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenMinter;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TestKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A super-administrator whose account lives in Lisbon sees the backup window set in São Paulo, the next
 * run in that window's local time with the zone named, the warning of a window too short, and changes the
 * window's length in the form. The console runs alone over the real broker; the status is what the
 * scheduler would have recorded.
 */
class WindowPageBrowserIT {

    private static final String SECRET = "window-test-secret-" + UUID.randomUUID();
    private static final TokenMinter MINTER = new TokenMinter(SECRET.getBytes(StandardCharsets.UTF_8), null);
    private static final String OPERATOR = MINTER.mint("ops-1", "ops@platform.example", null, Role.OPERATOR, Duration.ofHours(1));

    private static ConsoleServer console;
    private static Topics topics;

    @TempDir
    Path browserProfile;
    private HeadlessChromium chromium;
    private WebDriver browser;

    @BeforeAll
    static void start() {
        topics = new Topics(TestKafka.uniquePrefix());
        console = TestConsole.start(topics, SECRET, Azurite.origin());
    }

    @AfterAll
    static void stop() {
        if (console != null) {
            console.close();
        }
    }

    @AfterEach
    void quit() {
        if (chromium != null) {
            chromium.close();
        }
    }

    @Test
    void theNextRunIsShownInTheWindowsLocalTimeWithItsZoneAndATooShortWindowIsSaid() throws Exception {
        String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
        String body = ConsoleCalls.accountJson("pw").replace("Tenant Ltd", "Société \\\"Ñandú\\\" O'Brien")
                .replace("\"locale\":\"pt\"", "\"locale\":\"en\""); // its zone is Europe/Lisbon
        assertThat(call("PUT", "/api/operator/accounts/" + account, OPERATOR, body).status()).isEqualTo(201);
        String token = MINTER.mint("admin-" + account, "admin@" + account + ".example", account, Role.SUPERADMIN,
                Duration.ofHours(1));
        String connection = createConnection(account, token);
        String settings = "/api/accounts/" + account + "/backup-settings";
        Response saved = call("PUT", settings, token, "{\"backupType\":\"EVERY_7_DAYS\",\"destinationConnectionId\":\""
                + connection + "\",\"window\":{\"start\":\"23:30\",\"lengthMinutes\":180,\"timeZone\":\"America/Sao_Paulo\"}}");
        assertThat(saved.status()).as(saved.body()).isEqualTo(200);
        // 2027-02-17T01:30Z is 22:30 on the 16th in São Paulo (-03:00) and 01:30 on the 17th in Lisbon
        Instant next = Instant.parse("2027-02-17T01:30:00Z");
        KafkaProbe.send(topics.status(), account, Json.encode(new BackupStatus(account, Instant.parse("2027-02-09T02:00:00Z"),
                "b-1", null, null, List.of(), BackupType.EVERY_7_DAYS, ScheduleState.WINDOW_TOO_SHORT, next, 0, null)));
        await().atMost(Duration.ofSeconds(10)).until(() -> "WINDOW_TOO_SHORT".equals(
                call("GET", settings, token, null).json().get("state").asText()));

        chromium = new HeadlessChromium(browserProfile);
        browser = chromium.driver();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.ignoring(StaleElementReferenceException.class);
        browser.get("http://127.0.0.1:" + console.port() + "/#token=" + token);
        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-loaded")));

        assertThat(text("nextDue")).isEqualTo("The next automatic backup is due on Feb 16, 2027, 10:30 PM (America/Sao_Paulo).");
        assertThat(text("windowShown")).isEqualTo("Backup window: every day from 23:30 for 3 h 0 min (America/Sao_Paulo).");
        assertThat(text("state")).isEqualTo("Your backup window was too short for the backups due in it; the backup"
                + " waits for the next window");
        assertThat(value("windowStart")).isEqualTo("23:30");
        assertThat(value("windowHours")).isEqualTo("3");
        assertThat(value("windowZone")).isEqualTo("America/Sao_Paulo");

        chromium.type("windowHours", "2");
        chromium.type("windowMinutes", "30");
        browser.findElement(By.id("save")).click();
        wait.until(d -> d.findElement(By.id("windowShown")).getText().contains("2 h 30 min"));
        assertThat(call("GET", settings, token, null).json().get("window").get("lengthMinutes").asInt()).isEqualTo(150);

        chromium.type("windowMinutes", "5");
        chromium.type("windowHours", "0");
        browser.findElement(By.id("save")).click();
        wait.until(d -> d.findElement(By.id("settingsMessage")).getText().equals(
                "The window must last between 15 minutes and 24 hours."));

        chromium.assertEveryFieldIsLabelled();
        assertThat(chromium.severeConsoleEntries().stream().filter(m -> !m.contains("400")))
                .as("nothing failed but the refused save").isEmpty();
    }

    private String createConnection(String account, String token) throws Exception {
        String json = "{\"type\":\"AZURE_BLOB\",\"description\":\"Main\",\"storageAccountName\":\"devstoreaccount1\","
                + "\"containerName\":\"windows\",\"path\":\"backups\",\"accessKey\":\"" + Azurite.ACCOUNT_KEY
                + "\",\"enabledForAutomaticBackup\":true,\"endpoint\":\"" + Azurite.blobEndpoint() + "\"}";
        Response created = call("POST", "/api/accounts/" + account + "/connections", token, json);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("connectionId").asText();
    }

    private static Response call(String method, String path, String token, String body) throws Exception {
        return ConsoleCalls.call(console.port(), method, path, token, body);
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private String value(String id) {
        return browser.findElement(By.id(id)).getDomProperty("value");
    }
}
