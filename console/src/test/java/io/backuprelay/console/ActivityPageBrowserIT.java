package io.backuprelay.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.storage.blob.BlobServiceClientBuilder;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.console.ConsoleCalls.Response;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenMinter;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.TestKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A super-administrator in headless Chromium, the page in French, reads the account's activity:
 * newest first, the next page with "Plus anciens", who did what and what changed (a key only as
 * changed), and a test the page runs appears at the top at once.
 */
class ActivityPageBrowserIT {

    private static final String SECRET = "activity-page-secret-" + UUID.randomUUID();
    private static final TokenMinter MINTER = new TokenMinter(SECRET.getBytes(StandardCharsets.UTF_8), null);
    private static final String OPERATOR = MINTER.mint("ops|Zoë", "zoe@platform.example", null, Role.OPERATOR,
            Duration.ofHours(1));

    private static ConsoleServer console;
    private static String container;

    @TempDir
    Path browserProfile;
    private HeadlessChromium chromium;
    private WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        console = TestConsole.start(topics, SECRET, Azurite.origin());
        container = "activity-page-" + UUID.randomUUID().toString().substring(0, 8);
        new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient().createBlobContainer(container);
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
    void theActivityIsShownNewestFirstPageByPageInThePagesLanguage() throws Exception {
        String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
        String body = ConsoleCalls.accountJson("pw").replace("Tenant Ltd", "Société \\\"Ñandú\\\" O'Brien")
                .replace("\"locale\":\"pt\"", "\"locale\":\"fr\"");
        assertThat(call("PUT", "/api/operator/accounts/" + account, OPERATOR, body).status()).isEqualTo(201);
        String token = MINTER.mint("auth0|José Núñez", "jose.nunez@tenant.example", account, Role.SUPERADMIN,
                Duration.ofHours(1));
        Response created = call("POST", "/api/accounts/" + account + "/connections", token, "{\"type\":\"AZURE_BLOB\","
                + "\"description\":\"Principal \\\"Zürich\\\"\",\"storageAccountName\":\"devstoreaccount1\",\"containerName\":\""
                + container + "\",\"path\":\"backups\",\"accessKey\":\"" + Azurite.ACCOUNT_KEY
                + "\",\"enabledForAutomaticBackup\":true,\"endpoint\":\"" + Azurite.blobEndpoint() + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        for (int i = 1; i <= 20; i++) { // one more than a page of the log, with the two above
            assertThat(call("PUT", "/api/accounts/" + account + "/backup-settings", token,
                    "{\"backupType\":\"MANUAL\",\"notifyEmails\":[\"marta" + i + "@tenant.example\"]}").status()).isEqualTo(200);
        }

        chromium = new HeadlessChromium(browserProfile);
        browser = chromium.driver();
        WebDriverWait wait = chromium.waitUpTo(Duration.ofSeconds(30));
        browser.get("http://127.0.0.1:" + console.port() + "/#token=" + token);
        wait.until(d -> rows().size() == 20);
        assertThat(browser.findElement(By.id("activityHeading")).getText()).isEqualTo("Activité");
        assertThat(browser.findElement(By.id("subtitle")).getText())
                .as("no platform name configured: French alone, no English stand-in")
                .isEqualTo("Générez des sauvegardes automatiques ou manuelles de vos données.");
        List<WebElement> rows = rows();
        assertThat(cells(rows.get(0))).startsWith("jose.nunez@tenant.example", "A modifié les paramètres de sauvegarde", "");
        assertThat(rows.get(0).getText()).contains("notifyEmails: marta19@tenant.example → marta20@tenant.example");
        assertThat(rows.get(19).getText()).as("the oldest of the first page: the first save")
                .contains("notifyEmails: — → marta1@tenant.example");

        WebElement older = browser.findElement(By.id("activityOlder"));
        assertThat(older.getText()).isEqualTo("Plus anciens");
        older.click();
        wait.until(d -> rows().size() == 22);
        assertThat(browser.findElement(By.id("activityOlder")).isDisplayed()).as("nothing older").isFalse();
        List<String> added = cells(rows().get(20));
        assertThat(added).startsWith("jose.nunez@tenant.example", "A ajouté une connexion", "Principal \"Zürich\"");
        assertThat(added.get(3)).contains("accessKey: modifié").contains("containerName: — → " + container);
        assertThat(cells(rows().get(21))).startsWith("zoe@platform.example (opérateur)", "A enregistré le compte", "");

        // A test run from the page is at the top of the log at once.
        browser.findElement(By.cssSelector("#connections tbody tr .connection-test")).click();
        wait.until(d -> cells(rows().get(0)).get(1).equals("A testé une connexion"));
        assertThat(cells(rows().get(0))).containsExactly("jose.nunez@tenant.example", "A testé une connexion",
                "Principal \"Zürich\"", "Connexion réussie");
        ((JavascriptExecutor) browser).executeScript("document.getElementById('activitySection').scrollIntoView()");
        chromium.screenshot("activity-fr");

        assertThat(browser.getPageSource()).doesNotContain(Azurite.ACCOUNT_KEY).doesNotContain("ciphertext");
        assertThat(chromium.severeConsoleEntries()).as("console errors").isEmpty();
    }

    private List<WebElement> rows() {
        return browser.findElements(By.cssSelector("#activity tbody tr"));
    }

    /** The row's cells but the first (its local date and time): who, what, on what, details. */
    private static List<String> cells(WebElement row) {
        return row.findElements(By.tagName("td")).stream().skip(1).map(WebElement::getText).toList();
    }

    private static Response call(String method, String path, String token, String body) throws Exception {
        return ConsoleCalls.call(console.port(), method, path, token, body);
    }
}
