package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.azure.storage.blob.BlobServiceClientBuilder;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenMinter;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.ScratchDatabase;
import io.backuprelay.testkit.TestKafka;
import io.backuprelay.testkit.TestSmtp;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Year;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.slf4j.LoggerFactory;

/**
 * A super-administrator in headless Chromium sets up backups and runs one, against the whole stack
 * (real broker, PostgreSQL, Azurite, SMTP). The access key and the database password are planted
 * and must never show up anywhere a person or another system could read them.
 */
class BackupPageBrowserIT {

    private static final String JWT_SECRET = "browser-test-secret-" + UUID.randomUUID();
    private static final String DB_PASSWORD = "planted-db-password-" + UUID.randomUUID();
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;
    @TempDir
    Path browserProfile;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final List<String> apiResponses = new ArrayList<>();
    private Standalone app;
    private ScratchDatabase database;
    private String dbUser;
    private WebDriver browser;
    private String prefix;
    private int shot;

    @BeforeEach
    void start() throws Exception {
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
        prefix = TestKafka.uniquePrefix();
        app = Standalone.start(new ConfigSource(Map.ofEntries(
                Map.entry("KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers()),
                Map.entry("BACKUPRELAY_TOPIC_PREFIX", prefix),
                Map.entry("BACKUPRELAY_TOPIC_PARTITIONS", "3"),
                Map.entry("SERVICE_PORT", "0"),
                Map.entry("BACKUPRELAY_DATA_DIR", dataDir.toString()),
                Map.entry("BACKUPRELAY_MASTER_KEY", SecretSealer.newBase64Key()),
                Map.entry("SMTP_HOST", "127.0.0.1"),
                Map.entry("SMTP_PORT", Integer.toString(TestSmtp.port())),
                Map.entry("SMTP_SECURITY", "NONE"),
                Map.entry("CONSOLE_PORT", "0"),
                Map.entry("CONSOLE_JWT_SECRET", JWT_SECRET),
                Map.entry("SCHEDULER_TICK_INTERVAL", "PT1S"))));
        database = ScratchDatabase.postgres();
        dbUser = "br_page_" + UUID.randomUUID().toString().substring(0, 8);
        database.admin("CREATE ROLE " + dbUser + " LOGIN PASSWORD '" + DB_PASSWORD + "' IN ROLE backuprelay_password_auth");
        database.execute("CREATE TABLE invoice (id serial PRIMARY KEY, total numeric(10,2), customer text)",
                "INSERT INTO invoice (total, customer) SELECT g * 1.5, 'Cliente ' || g FROM generate_series(1, 3000) g",
                "GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + dbUser,
                "GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO " + dbUser);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (app != null) {
            app.close();
        }
        if (database != null) {
            database.close();
            database.admin("DROP ROLE IF EXISTS " + dbUser);
        }
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    }

    @Test
    void aSuperadminSetsUpBackupsOnThePageAndSeesTheLastBackupDate() throws Exception {
        String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
        String admin = account + "@tenant.example";
        TokenMinter minter = new TokenMinter(JWT_SECRET.getBytes(StandardCharsets.UTF_8), null);
        String operator = minter.mint("ops", null, null, Role.OPERATOR, Duration.ofHours(1));
        api("PUT", "/api/operator/accounts/" + account, operator, """
                {"displayName":"Tenant Page Ltd","locale":"en","timeZone":"Europe/Madrid","superadminEmails":["%s"],
                 "source":{"engine":"POSTGRESQL","host":"127.0.0.1","port":5432,"database":"%s","username":"%s","password":"%s"}}
                """.formatted(admin, database.name(), dbUser, DB_PASSWORD));
        String containerName = "page-" + UUID.randomUUID().toString().substring(0, 8);
        new BlobServiceClientBuilder().connectionString("DefaultEndpointsProtocol=http;AccountName=" + Azurite.PLANTED_ACCOUNT
                + ";AccountKey=" + Azurite.PLANTED_KEY + ";BlobEndpoint=" + Azurite.plantedEndpoint() + ";")
                .buildClient().createBlobContainer(containerName);
        String superadmin = minter.mint("admin-1", admin, account, Role.SUPERADMIN, Duration.ofHours(1));

        browser = chromium();
        WebDriverWait wait = waitUpTo(Duration.ofSeconds(30));
        browser.get("http://127.0.0.1:" + app.consolePort() + "/#token=" + superadmin);
        wait.until(d -> d.findElement(By.id("lastBackup")).getText().equals("Never"));
        assertThat(browser.findElement(By.id("accountName")).getText()).isEqualTo("Tenant Page Ltd");
        screenshot("page-opened");

        // Settings → Auxiliary catalogs → Connections: a new connection to the account's container.
        type("description", "Main backups");
        type("storageAccountName", Azurite.PLANTED_ACCOUNT);
        type("containerName", containerName);
        type("path", "backups/companyX");
        type("accessKey", Azurite.PLANTED_KEY);
        type("endpoint", Azurite.plantedEndpoint());
        browser.findElement(By.id("enabledForAutomaticBackup")).click();
        browser.findElement(By.id("saveConnection")).click();
        WebElement row = wait.until(d -> d.findElements(By.cssSelector("#connections tbody tr")).stream()
                .filter(r -> r.getText().contains("Main backups")).findFirst().orElse(null));
        assertThat(row.getText()).contains(containerName).contains("backups/companyX").contains("Yes");
        row.findElement(By.cssSelector(".connection-test")).click();
        wait.until(d -> d.findElement(By.cssSelector("#connections .test-result")).getText().equals("Connection OK"));
        screenshot("connection-tested");

        // Database backup: every 7 days to that connection, saved.
        new Select(browser.findElement(By.id("backupType"))).selectByVisibleText("Every 7 days");
        new Select(browser.findElement(By.id("destination"))).selectByVisibleText("Main backups");
        assertThat(browser.findElement(By.id("pending")).isDisplayed()).isTrue();
        assertThat(browser.findElement(By.id("pending")).getText()).isEqualTo("You have pending changes.");
        browser.findElement(By.id("save")).click();
        wait.until(d -> !d.findElement(By.id("pending")).isDisplayed());
        wait.until(d -> d.findElement(By.id("state")).getText().equals("Waiting for the first manual backup"));
        screenshot("settings-saved");

        browser.findElement(By.id("createBackup")).click();
        wait.until(d -> d.findElement(By.id("message")).getText().contains("You will receive the details by email"));
        screenshot("backup-requested");
        waitUpTo(Duration.ofSeconds(120)).until(d -> !d.findElement(By.id("lastBackup")).getText().equals("Never"));
        String lastBackup = browser.findElement(By.id("lastBackup")).getText();
        assertThat(lastBackup).contains(Year.now().toString());
        wait.until(d -> d.findElement(By.id("state")).getText().equals("Scheduled"));
        // The page redraws the history every few seconds: read the row within the wait, which retries a redrawn one.
        wait.until(d -> {
            String latest = d.findElement(By.cssSelector("#history tbody tr")).getText();
            return latest.contains("Completed") && latest.contains("Manual") && latest.contains("backups/companyX/" + account);
        });
        screenshot("backup-completed");
        // The weekly restore drill (no drill server here: checksum and decompression) shows in the row.
        waitUpTo(Duration.ofSeconds(60)).until(d -> d.findElement(By.cssSelector("#history tbody tr")).getText()
                .contains("Integrity verified, not restored"));
        assertThat(browser.findElement(By.id("lastVerifiedRestore")).getText())
                .as("a checksum is not a restore: no restore has been verified").isEqualTo("Never");

        // Download: the completed row's button gives a short-lived read-only link to the blob.
        wait.until(d -> {
            d.findElement(By.cssSelector("#history tbody tr.succeeded button.download")).click();
            return true;
        });
        String link = wait.until(d -> {
            String href = d.findElement(By.id("downloadLink")).getAttribute("href");
            return href != null && href.contains("sig=") ? href : null;
        });
        assertThat(browser.findElement(By.id("downloadLink")).getText()).startsWith("Download link, valid until");
        java.net.http.HttpResponse<byte[]> archive = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(link)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(archive.statusCode()).isEqualTo(200);
        assertThat(java.util.Arrays.copyOf(archive.body(), 4)).as("a zstd archive")
                .containsExactly((byte) 0x28, (byte) 0xB5, (byte) 0x2F, (byte) 0xFD);
        screenshot("download-link");

        await().atMost(Duration.ofSeconds(60)).until(() -> TestSmtp.messagesTo(admin).size() == 1);
        assertNoSecretAnywhere(account, superadmin, operator);
    }

    /** The planted key and password: in no API answer, log line, page, email or Kafka record of this stack. */
    private void assertNoSecretAnywhere(String account, String superadmin, String operator) throws Exception {
        api("GET", "/api/accounts/" + account + "/backup-settings", superadmin, null);
        api("GET", "/api/accounts/" + account + "/connections", superadmin, null);
        api("GET", "/api/accounts/" + account + "/backups", superadmin, null);
        api("GET", "/api/operator/accounts/" + account, operator, null);
        List<String> places = new ArrayList<>();
        apiResponses.forEach(body -> places.add("API response: " + body));
        logs.list.forEach(event -> places.add("log: " + event.getFormattedMessage()
                + (event.getThrowableProxy() == null ? "" : " " + event.getThrowableProxy().getMessage())));
        places.add("page: " + browser.getPageSource());
        for (MimeMessage message : TestSmtp.messagesTo(account)) {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            message.writeTo(raw);
            places.add("email: " + raw.toString(StandardCharsets.UTF_8));
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            for (String topic : admin.listTopics().names().get()) {
                if (topic.startsWith(prefix)) {
                    KafkaProbe.records(topic).forEach(r -> places.add("kafka " + topic + ": " + r.key() + " "
                            + (r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8))));
                }
            }
        }
        assertThat(places).as("places looked at").hasSizeGreaterThan(50);
        assertThat(places).noneMatch(place -> place.contains(Azurite.PLANTED_KEY));
        assertThat(places).noneMatch(place -> place.contains(DB_PASSWORD));
    }

    /** A wait that looks again when the page redrew what it was reading (the page refreshes every 3 s). */
    private WebDriverWait waitUpTo(Duration timeout) {
        WebDriverWait wait = new WebDriverWait(browser, timeout);
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait;
    }

    private WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic", "--window-size=1280,1800", "--user-data-dir=" + browserProfile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private void type(String id, String text) {
        WebElement field = browser.findElement(By.id(id));
        field.clear();
        field.sendKeys(text);
    }

    private void screenshot(String name) throws Exception {
        File file = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(file.toPath(), SCREENSHOTS.resolve("%02d-%s.png".formatted(++shot, name)),
                StandardCopyOption.REPLACE_EXISTING);
    }

    private String api(String method, String path, String token, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.consolePort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json").build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isBetween(200, 299);
        apiResponses.add(response.body());
        return response.body();
    }
}
