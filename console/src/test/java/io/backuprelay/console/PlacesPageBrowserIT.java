package io.backuprelay.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.BackupStatus.CopyState;
import io.backuprelay.common.account.BackupStatus.OutcomeSummary;
import io.backuprelay.common.event.Trigger;
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
import java.time.temporal.ChronoUnit;
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
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A super-administrator in headless Chromium registers an S3-compatible bucket with immutability,
 * chooses a copy destination with its own retention, and sees where a backup and its copies are, in
 * the page's language. The console runs alone over the real broker; the backup's status is what the
 * scheduler would have recorded.
 */
class PlacesPageBrowserIT {

    private static final String SECRET = "places-test-secret-" + UUID.randomUUID();
    private static final TokenMinter MINTER = new TokenMinter(SECRET.getBytes(StandardCharsets.UTF_8), null);
    private static final String OPERATOR = MINTER.mint("ops-1", "ops@platform.example", null, Role.OPERATOR, Duration.ofHours(1));
    /** An S3 service's origin the test allows; nothing listens there and the page never tests it. */
    private static final String S3_ORIGIN = "http://127.0.0.1:19";
    private static final String S3_SECRET = "planted-s3-secret-" + UUID.randomUUID();

    private static ConsoleServer console;
    private static Topics topics;
    private static String container;

    @TempDir
    Path browserProfile;
    private HeadlessChromium chromium;
    private WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        topics = new Topics(TestKafka.uniquePrefix());
        console = TestConsole.start(topics, SECRET, Azurite.origin(), S3_ORIGIN);
        container = "places-" + UUID.randomUUID().toString().substring(0, 8);
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
    void aSuperadminAddsAnS3BucketWithImmutabilityAChoosesACopyDestinationAndSeesWhereTheBackupIs() throws Exception {
        String account = registerAccount("en");
        String token = superadmin(account);
        String main = createAzureConnection(account, "Main \"primary\" Zürich");
        chromium = new HeadlessChromium(browserProfile);
        browser = chromium.driver();
        WebDriverWait wait = chromium.waitUpTo(Duration.ofSeconds(30));
        browser.get("http://127.0.0.1:" + console.port() + "/#token=" + token);
        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-loaded")));
        assertThat(browser.findElement(By.id("accountName")).getText()).isEqualTo("Société \"Ñandú\" O'Brien");

        // The kind selector shows the S3 fields in place of Azure's.
        assertThat(browser.findElement(By.id("bucket")).isDisplayed()).isFalse();
        new Select(browser.findElement(By.id("connectionType"))).selectByValue("S3");
        assertThat(browser.findElement(By.id("storageAccountName")).isDisplayed()).isFalse();
        assertThat(chromium.label("bucket")).isEqualTo("Bucket *");
        assertThat(chromium.label("secretAccessKey")).isEqualTo("Secret access key *");
        chromium.type("description", "Cópias d'arquivo \"frio\"");
        chromium.type("bucket", "tenant-copies");
        chromium.type("prefix", "daily");
        chromium.type("region", "eu-west-1");
        chromium.type("accessKeyId", "AKIAIOSFODNN7EXAMPLE");
        chromium.type("secretAccessKey", S3_SECRET);
        chromium.type("endpoint", S3_ORIGIN);
        browser.findElement(By.id("pathStyle")).click();
        assertThat(browser.findElement(By.id("immutabilityDays")).isDisplayed()).isFalse();
        browser.findElement(By.id("immutable")).click();
        chromium.type("immutabilityDays", "30");
        new Select(browser.findElement(By.id("immutabilityMode"))).selectByValue("LOCKED");
        browser.findElement(By.id("legalHold")).click();
        chromium.screenshot("places-s3-connection-form");
        browser.findElement(By.id("saveConnection")).click();
        WebElement row = connectionRow(wait, "Cópias d'arquivo \"frio\"");
        assertThat(row.getText()).contains("S3 (eu-west-1)").contains("tenant-copies").contains("30 days, locked, legal hold");
        JsonNode s3 = connectionNamed(account, token, "Cópias d'arquivo \"frio\"");
        assertThat(s3.get("pathStyle").asBoolean()).isTrue();
        assertThat(s3.get("immutability").get("mode").asText()).isEqualTo("LOCKED");
        String s3Id = s3.get("connectionId").asText();

        // Editing it shows its fields again, the secret only as a hint.
        row.findElement(By.cssSelector(".connection-edit")).click();
        wait.until(d -> "tenant-copies".equals(d.findElement(By.id("bucket")).getAttribute("value")));
        assertThat(new Select(browser.findElement(By.id("connectionType"))).getFirstSelectedOption().getText())
                .startsWith("S3-compatible");
        assertThat(browser.findElement(By.id("secretAccessKey")).getAttribute("value")).isEmpty();
        assertThat(browser.findElement(By.id("secretAccessKey")).getAttribute("placeholder"))
                .isEqualTo("••••" + S3_SECRET.substring(S3_SECRET.length() - 4));
        assertThat(browser.findElement(By.id("immutabilityDays")).getAttribute("value")).isEqualTo("30");
        browser.findElement(By.id("cancelConnection")).click();

        // Settings: a copy to the bucket, keeping its own 7 copies.
        new Select(browser.findElement(By.id("destination"))).selectByValue(main);
        browser.findElement(By.id("addCopy")).click();
        new Select(browser.findElement(By.id("copyConnection0"))).selectByValue(s3Id);
        chromium.type("copyKeepLast0", "7");
        assertThat(chromium.label("copyKeepLast0")).isEqualTo("Keep the last");
        wait.until(d -> d.findElement(By.id("pending")).isDisplayed());
        browser.findElement(By.id("save")).click();
        wait.until(d -> !d.findElement(By.id("pending")).isDisplayed());
        JsonNode settings = Json.mapper().readTree(call("GET", "/api/accounts/" + account + "/backup-settings", token).body());
        assertThat(settings.get("copies").get(0).get("connectionId").asText()).isEqualTo(s3Id);
        assertThat(settings.get("copies").get(0).get("retention").get("keepLast").asInt()).isEqualTo(7);
        browser.navigate().refresh();
        wait.until(d -> "7".equals(d.findElement(By.id("copyKeepLast0")).getAttribute("value")));

        // Where the backup is: the destination, immutable until a date, and the copy being retried.
        String backupId = UUID.randomUUID().toString();
        Instant until = Instant.now().plus(30, ChronoUnit.DAYS);
        OutcomeSummary outcome = OutcomeSummary.success(backupId, Trigger.MANUAL, Instant.now(), 2048L,
                        "backups/" + account + "/2026/11/" + account + "-20261126T091500Z-" + backupId + ".dump.zst", main)
                .withImmutableUntil(until)
                .withCopy(new CopyState(s3Id, CopyState.State.RETRYING, Instant.now(), 2, "The bucket did not answer",
                        Instant.now().plus(10, ChronoUnit.MINUTES), null, null));
        KafkaProbe.send(topics.status(), account, Json.encode(new BackupStatus(account, outcome.endedAt(), backupId,
                outcome, null, List.of(outcome), null, null, null, 0, null)));
        await().atMost(Duration.ofSeconds(10)).until(() -> call("GET", "/api/accounts/" + account + "/backups/" + backupId,
                token).status() == 200);
        browser.navigate().refresh();
        String storedAt = wait.until(d -> d.findElements(By.cssSelector("#history tbody tr ul.stored-at")).stream()
                .map(WebElement::getText).findFirst().orElse(null));
        assertThat(storedAt).contains("Main \"primary\" Zürich (destination) — immutable until ")
                .contains("Cópias d'arquivo \"frio\": Retrying, attempt 2, next attempt ")
                .contains("The bucket did not answer");
        assertThat(browser.findElements(By.cssSelector("#history button.download-copy"))).as("no link to a copy not stored")
                .isEmpty();
        ((JavascriptExecutor) browser).executeScript("document.getElementById('historySection').scrollIntoView()");
        chromium.screenshot("places-stored-at");

        chromium.assertEveryFieldIsLabelled();
        assertThat(chromium.severeConsoleEntries()).isEmpty();
        assertThat(browser.getPageSource()).doesNotContain(S3_SECRET);
    }

    @Test
    void aBadBucketAndACopyToTheDestinationAreRefusedInThePagesLanguage() throws Exception {
        String account = registerAccount("es");
        String main = createAzureConnection(account, "Principal");
        chromium = new HeadlessChromium(browserProfile);
        browser = chromium.driver();
        WebDriverWait wait = chromium.waitUpTo(Duration.ofSeconds(30));
        browser.get("http://127.0.0.1:" + console.port() + "/#token=" + superadmin(account));
        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-loaded")));
        assertThat(chromium.label("connectionType")).isEqualTo("Tipo de almacenamiento");

        new Select(browser.findElement(By.id("connectionType"))).selectByValue("S3");
        chromium.type("bucket", "Not_A_Bucket");
        chromium.type("region", "eu-west-1");
        chromium.type("accessKeyId", "AKIAIOSFODNN7EXAMPLE");
        chromium.type("secretAccessKey", S3_SECRET);
        chromium.type("endpoint", S3_ORIGIN);
        browser.findElement(By.id("saveConnection")).click();
        wait.until(d -> d.findElement(By.id("connectionMessage")).getText().startsWith("El nombre del bucket debe tener"));
        assertThat(browser.findElement(By.id("connectionMessage")).getAttribute("role")).isEqualTo("alert");

        new Select(browser.findElement(By.id("destination"))).selectByValue(main);
        browser.findElement(By.id("addCopy")).click();
        new Select(browser.findElement(By.id("copyConnection0"))).selectByValue(main);
        browser.findElement(By.id("save")).click();
        wait.until(d -> d.findElement(By.id("settingsMessage")).getText()
                .equals("Un destino de copia no puede ser el propio repositorio de destino."));
        chromium.screenshot("places-refused-es");
    }

    private String registerAccount(String language) throws Exception {
        String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
        String body = ConsoleCalls.accountJson("pw").replace("Tenant Ltd", "Société \\\"Ñandú\\\" O'Brien")
                .replace("\"locale\":\"pt\"", "\"locale\":\"" + language + "\"");
        assertThat(call("PUT", "/api/operator/accounts/" + account, OPERATOR, body).status()).isEqualTo(201);
        return account;
    }

    private String createAzureConnection(String account, String description) throws Exception {
        String json = "{\"type\":\"AZURE_BLOB\",\"description\":\"" + description.replace("\"", "\\\"")
                + "\",\"storageAccountName\":\"devstoreaccount1\",\"containerName\":\"" + container + "\",\"path\":\"backups\","
                + "\"accessKey\":\"" + Azurite.ACCOUNT_KEY + "\",\"enabledForAutomaticBackup\":true,\"endpoint\":\""
                + Azurite.blobEndpoint() + "\"}";
        Response created = ConsoleCalls.call(console.port(), "POST", "/api/accounts/" + account + "/connections",
                superadmin(account), json);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("connectionId").asText();
    }

    private JsonNode connectionNamed(String account, String token, String description) throws Exception {
        for (JsonNode connection : Json.mapper().readTree(call("GET", "/api/accounts/" + account + "/connections", token).body())) {
            if (description.equals(connection.get("description").asText())) {
                return connection;
            }
        }
        throw new AssertionError("No connection '" + description + "'");
    }

    private static Response call(String method, String path, String token) throws Exception {
        return call(method, path, token, null);
    }

    private static Response call(String method, String path, String token, String body) throws Exception {
        return ConsoleCalls.call(console.port(), method, path, token, body);
    }

    private static String superadmin(String account) {
        return MINTER.mint("admin-" + account, "admin@" + account + ".example", account, Role.SUPERADMIN, Duration.ofHours(1));
    }

    private static WebElement connectionRow(WebDriverWait wait, String description) {
        return wait.until(d -> d.findElements(By.cssSelector("#connections tbody tr")).stream()
                .filter(r -> r.getText().startsWith(description + " ")).findFirst().orElse(null));
    }
}
