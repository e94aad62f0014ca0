package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenMinter;
import io.backuprelay.standalone.restore.RestoreCommand;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.ScratchDatabase;
import io.backuprelay.testkit.TestKafka;
import io.backuprelay.testkit.TestSmtp;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.Year;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import com.fasterxml.jackson.databind.JsonNode;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.slf4j.LoggerFactory;

/**
 * A super-administrator in headless Chromium sets up backups and runs one, against the whole stack
 * (real broker, PostgreSQL, Azurite, SMTP), and finds the product's own words in each of the page's
 * four languages. The access key and the database password are planted and must never show up
 * anywhere a person or another system could read them.
 */
class BackupPageBrowserIT {

    private static final String JWT_SECRET = "browser-test-secret-" + UUID.randomUUID();
    private static final String DB_PASSWORD = "planted-db-password-" + UUID.randomUUID();
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final TokenMinter MINTER = new TokenMinter(JWT_SECRET.getBytes(StandardCharsets.UTF_8), null);
    private static final String OPERATOR = MINTER.mint("ops", null, null, Role.OPERATOR, Duration.ofHours(1));
    /** An age public key, as age-keygen prints it. */
    private static final String AGE_RECIPIENT = "age1vqgaa57vs35g2ae4j0lxyhxz0trdnt4q6lkh9uwel78placm3pls46sec2";

    @TempDir
    static Path dataDir;
    @TempDir
    Path browserProfile;

    private static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private static final List<String> apiResponses = new CopyOnWriteArrayList<>();
    private static Standalone app;
    private static ScratchDatabase database;
    private static String dbUser;
    private static String prefix;
    private static int shot;
    private WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
        prefix = TestKafka.uniquePrefix();
        app = TestStack.start(prefix, dataDir, SecretSealer.newBase64Key(), Map.of(
                "BACKUPRELAY_PLATFORM_NAME", "Fractal One",
                "CONSOLE_PORT", "0",
                "CONSOLE_JWT_SECRET", JWT_SECRET,
                "SCHEDULER_TICK_INTERVAL", "PT1S"));
        database = ScratchDatabase.postgres();
        dbUser = "br_page_" + UUID.randomUUID().toString().substring(0, 8);
        database.admin("CREATE ROLE " + dbUser + " LOGIN PASSWORD '" + DB_PASSWORD + "' IN ROLE backuprelay_password_auth");
        database.execute("CREATE TABLE invoice (id serial PRIMARY KEY, total numeric(10,2), customer text)",
                "INSERT INTO invoice (total, customer) SELECT g * 1.5, 'Cliente ' || g FROM generate_series(1, 3000) g",
                "GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + dbUser,
                "GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO " + dbUser);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stopAll() {
        if (app != null) {
            app.close();
        }
        if (database != null) {
            database.close();
            database.admin("DROP ROLE IF EXISTS " + dbUser);
        }
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aSuperadminSetsUpBackupsOnThePageAndSeesTheLastBackupDate() throws Exception {
        String account = register("en");
        String admin = account + "@tenant.example";
        String containerName = plantedContainer();
        String archiveContainer = plantedContainer();
        String superadmin = MINTER.mint("admin-1", admin, account, Role.SUPERADMIN, Duration.ofHours(1));

        browser = chromium();
        WebDriverWait wait = waitUpTo(Duration.ofSeconds(30));
        browser.get("http://127.0.0.1:" + app.consolePort() + "/#token=" + superadmin);
        wait.until(d -> d.findElement(By.id("lastBackup")).getText().equals("Never"));
        assertThat(browser.findElement(By.id("accountName")).getText()).isEqualTo("Tenant Page Ltd");
        assertThat(text("createBackupWhy")).as("no connection yet: the button says why it is off")
                .isEqualTo("Add a connection below first: a backup needs a container to go to.");
        assertThat(browser.findElement(By.id("createBackup")).isEnabled()).isFalse();
        screenshot("page-opened");
        // No backup runs: the page does not poll.
        long calls = apiCalls();
        await().during(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(8))
                .untilAsserted(() -> assertThat(apiCalls()).as("API calls of an idle page").isEqualTo(calls));

        // Settings → Auxiliary catalogs → Connections: a new connection to the account's container.
        fillConnection("Main backups", containerName, "backups/companyX", true);
        browser.findElement(By.id("saveConnection")).click();
        WebElement row = connectionRow(wait, "Main backups");
        assertThat(row.getText()).contains(containerName).contains("backups/companyX").contains("Yes");
        row.findElement(By.cssSelector(".connection-test")).click();
        wait.until(d -> d.findElement(By.cssSelector("#connections .test-result")).getText().equals("Connection OK"));
        screenshot("connection-tested");

        // A second connection, not for automatic backups, in the cool tier; then an edit on the page keeps the tier.
        fillConnection("Archive", archiveContainer, "archive", false);
        new Select(browser.findElement(By.id("accessTier"))).selectByVisibleText("Cool");
        browser.findElement(By.id("saveConnection")).click();
        connectionRow(wait, "Archive").findElement(By.cssSelector(".connection-edit")).click();
        wait.until(d -> "Archive".equals(d.findElement(By.id("description")).getAttribute("value")));
        type("description", "Archive copies");
        browser.findElement(By.id("saveConnection")).click();
        assertThat(connectionRow(wait, "Archive copies").getText()).contains("Cool").contains("No");
        JsonNode archive = connectionNamed(account, superadmin, "Archive copies");
        assertThat(archive.get("accessTier").asText()).as("an edit on the page keeps the tier").isEqualTo("COOL");
        String archiveId = archive.get("connectionId").asText();

        // A third, with a SAS token instead of the key.
        type("description", "With a token");
        type("storageAccountName", Azurite.PLANTED_ACCOUNT);
        type("containerName", containerName);
        type("path", "sas");
        browser.findElement(By.id("credentialSas")).click();
        type("sasToken", sasToken(containerName));
        type("endpoint", Azurite.plantedEndpoint());
        browser.findElement(By.id("saveConnection")).click();
        connectionRow(wait, "With a token");
        JsonNode sas = connectionNamed(account, superadmin, "With a token");
        assertThat(sas.get("credentialType").asText()).isEqualTo("SAS_TOKEN");
        assertThat(sas.get("sasTokenExpiresAt").isNull()).isFalse();

        // Database backup: every 7 days to the main connection, saved.
        new Select(browser.findElement(By.id("backupType"))).selectByVisibleText("Every 7 days");
        new Select(browser.findElement(By.id("destination"))).selectByVisibleText("Main backups");
        assertThat(new Select(browser.findElement(By.id("destination"))).getOptions()).extracting(WebElement::getText)
                .as("only connections enabled for automatic backup").containsExactly("— none —", "Main backups");
        assertThat(browser.findElement(By.id("pending")).isDisplayed()).isTrue();
        assertThat(text("pending")).isEqualTo("You have pending changes to save!");
        browser.findElement(By.id("save")).sendKeys(Keys.SPACE); // from the keyboard
        wait.until(d -> !d.findElement(By.id("pending")).isDisplayed());
        wait.until(d -> d.findElement(By.id("state")).getText().equals("Waiting for the first manual backup"));
        assertThat(text("nextDue")).isEqualTo("Automatic backups start after the first manual backup: press Create"
                + " database backup.");
        screenshot("settings-saved");

        // A manual backup may go anywhere: here to the archive connection, not enabled for automatic backups.
        Select manual = new Select(browser.findElement(By.id("manualDestination")));
        assertThat(manual.getFirstSelectedOption().getText()).as("the automatic destination first")
                .isEqualTo("Main backups (automatic destination)");
        manual.selectByVisibleText("Archive copies");
        browser.findElement(By.id("createBackup")).sendKeys(Keys.ENTER);
        wait.until(d -> d.findElement(By.id("message")).getText().equals("The backup has started. You will receive the"
                + " information by email once done."));
        screenshot("backup-requested");
        waitUpTo(Duration.ofSeconds(120)).until(d -> !d.findElement(By.id("lastBackup")).getText().equals("Never"));
        String lastBackup = text("lastBackup");
        assertThat(lastBackup).contains(Year.now().toString());
        wait.until(d -> d.findElement(By.id("state")).getText().equals("Scheduled"));
        assertThat(text("nextDue")).startsWith("The next automatic backup is due on ");
        // The page redraws the history while it polls: read the row within the wait, which retries a redrawn one.
        wait.until(d -> {
            String latest = d.findElement(By.cssSelector("#history tbody tr")).getText();
            return latest.contains("Completed") && latest.contains("Manual") && latest.contains("archive/" + account);
        });
        assertThat(plantedBlobs(archiveContainer)).as("the blob is in the archive connection's container")
                .anyMatch(name -> name.startsWith("archive/" + account + "/"));
        assertThat(plantedBlobs(archiveContainer)).hasSize(1);
        screenshot("backup-completed");
        // The weekly restore drill (no drill server here: checksum and decompression) shows in the row.
        waitUpTo(Duration.ofSeconds(90)).until(d -> d.findElement(By.cssSelector("#history tbody tr")).getText()
                .contains("Integrity verified, not restored"));
        assertThat(text("lastVerifiedRestore"))
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
        assertThat(text("downloadLink")).startsWith("Download link, valid until");
        HttpResponse<byte[]> download = HTTP.send(
                HttpRequest.newBuilder(URI.create(link)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(Arrays.copyOf(download.body(), 4)).as("a zstd archive")
                .containsExactly((byte) 0x28, (byte) 0xB5, (byte) 0x2F, (byte) 0xFD);
        ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView()",
                browser.findElement(By.id("downloadMessage")));
        screenshot("download-link");
        // The same link, copied whole into the restore command, also reads the manifest: the restore is compared.
        assertThat(link).contains("#manifest=http");
        assertThat(text("restoreHint")).startsWith("To restore it, copy this link whole into: backuprelay restore"
                + " --blob-url '<link>' --to <database>.");
        try (ScratchDatabase restored = ScratchDatabase.postgres()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int exit = new RestoreCommand(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(
                    OutputStream.nullOutputStream()), Map.of()).run("--blob-url", link, "--to",
                    "postgresql://postgres@127.0.0.1:5432/" + restored.name());
            assertThat(exit).as(out.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("In the backup:  1 table (3,000 rows), 1 sequence")
                    .contains("Restored:       1 table (3,000 rows), 1 sequence")
                    .contains("The restored database matches the backup's inventory.").doesNotContain("sig=");
        }

        assertEveryFieldIsLabelledAndMessagesAreAnnounced();
        assertThat(severeConsoleEntries()).as("the browser console").isEmpty();
        await().atMost(Duration.ofSeconds(60)).until(() -> TestSmtp.messagesTo(admin).size() == 1);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> TestSmtp.messagesTo(admin).size() == 1); // the requester is a super-admin: one email
        assertNoSecretAnywhere(account, superadmin);
    }

    /** The product's words, exactly where the product gives them, in each of the page's languages. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "en|Database backup|Generate automatic or manual backups of your data in Fractal One.|"
                    + "Settings → Account → Database backup|Settings → Auxiliary catalogs → Type: Connections|"
                    + "Note: the first recurrence must be done manually|Connection - backup|Storage Account Name *|"
                    + "Container Name *|Path (Optional)|Access Key *|Enable for automatic backup|"
                    + "Name of the Azure Storage account|Name of the container where the backups will be stored|"
                    + "Path inside the container (e.g. backups/companyX)|Access key of the Azure Storage account|"
                    + "You have pending changes to save!|You will receive the information by email once done.|"
                    + "Create database backup|The storage account name must be 3 to 24 lowercase letters and digits.|"
                    + "Add a connection below first: a backup needs a container to go to.",
            "es|Copia de seguridad de la base de datos|Genere copias de seguridad automáticas o manuales de sus datos en"
                    + " Fractal One.|Configuración → Cuenta → Copia de seguridad de la base de datos|"
                    + "Configuración → Catálogos auxiliares → Tipo: Conexiones|"
                    + "Nota: la primera recurrencia debe realizarse manualmente.|Conexión - backup|"
                    + "Nombre de la cuenta de almacenamiento *|Nombre del contenedor *|Ruta (opcional)|Clave de acceso *|"
                    + "Habilitar para backup automático|Nombre de la cuenta de Azure Storage|"
                    + "Nombre del contenedor donde se almacenarán los backups|"
                    + "Ruta dentro del contenedor (ej: backups/companyX)|Clave de acceso de la cuenta de Azure Storage|"
                    + "¡Tiene cambios pendientes por guardar!|"
                    + "Recibirá la información por correo electrónico una vez finalizada la operación.|"
                    + "Crear backup de la base de datos|"
                    + "El nombre de la cuenta debe tener de 3 a 24 letras minúsculas y dígitos.|"
                    + "Primero agregue una conexión abajo: un backup necesita un contenedor de destino.",
            "fr|Sauvegarde de base de données|Générez des sauvegardes automatiques ou manuelles de vos données dans"
                    + " Fractal One.|Configuration → Compte → Sauvegarde de base de données|"
                    + "Configuration → Catalogues auxiliaires → Type : Connexions|"
                    + "Note : La première récurrence doit être effectuée manuellement.|Connexion - sauvegarde|"
                    + "Nom du compte de stockage *|Nom du conteneur *|Chemin (optionnel)|Clé d'accès *|"
                    + "Activer la sauvegarde automatique|Nom du compte Azure Storage|"
                    + "Nom du conteneur où les sauvegardes seront stockées|Chemin dans le conteneur (ex. : backups/companyX)|"
                    + "Clé d'accès du compte Azure Storage|Vous avez des modifications en attente d'enregistrement !|"
                    + "Vous recevrez les informations directement par e-mail une fois l'opération terminée.|"
                    + "Créer une sauvegarde de base de données|"
                    + "Le nom du compte de stockage doit comporter de 3 à 24 lettres minuscules et chiffres.|"
                    + "Ajoutez d'abord une connexion ci-dessous : une sauvegarde a besoin d'un conteneur de destination.",
            "pt|Cópia de segurança da base de dados|Gere cópias de segurança automáticas ou manuais dos seus dados em"
                    + " Fractal One.|Configuração → Conta → Cópia de segurança da base de dados|"
                    + "Configuração → Catálogos auxiliares → Tipo: Ligações|"
                    + "Nota: a primeira recorrência deve ser feita manualmente.|Ligação - cópia de segurança|"
                    + "Nome da conta de armazenamento *|Nome do contentor *|Caminho (opcional)|Chave de acesso *|"
                    + "Ativar para cópia automática|Nome da conta do Azure Storage|"
                    + "Nome do contentor onde serão guardadas as cópias de segurança|"
                    + "Caminho dentro do contentor (ex.: backups/companyX)|Chave de acesso da conta do Azure Storage|"
                    + "Tem alterações pendentes por guardar!|Receberá a informação por e-mail assim que a operação terminar.|"
                    + "Criar cópia de segurança da base de dados|"
                    + "O nome da conta de armazenamento deve ter de 3 a 24 letras minúsculas e algarismos.|"
                    + "Adicione primeiro uma ligação abaixo: uma cópia precisa de um contentor de destino."})
    void theProductsWordsAndEverySettingInEachLanguage(String language, String title, String subtitle, String settingsPath,
                                                      String connectionsPath, String firstRecurrence, String formTitle,
                                                      String accountLabel, String containerLabel, String pathLabel,
                                                      String keyLabel, String enabledLabel, String accountHelp,
                                                      String containerHelp, String pathHelp, String keyHelp,
                                                      String pending, String emailNote, String createBackup,
                                                      String badAccountName, String noConnection) throws Exception {
        String account = register(language);
        String superadmin = MINTER.mint("admin-" + language, account + "@tenant.example", account, Role.SUPERADMIN,
                Duration.ofHours(1));
        browser = chromium();
        WebDriverWait wait = waitUpTo(Duration.ofSeconds(30));
        browser.get("http://127.0.0.1:" + app.consolePort() + "/#token=" + superadmin);
        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-loaded")));

        assertThat(browser.findElement(By.tagName("html")).getAttribute("lang")).as("the account's language by default")
                .isEqualTo(language);
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo(title);
        assertThat(text("subtitle")).isEqualTo(subtitle);
        assertThat(text("backupHeading")).isEqualTo(settingsPath);
        assertThat(text("connectionsHeading")).isEqualTo(connectionsPath);
        assertThat(text("firstRecurrenceNote")).isEqualTo(firstRecurrence);
        assertThat(text("connectionFormTitle")).isEqualTo(formTitle);
        assertThat(label("storageAccountName")).isEqualTo(accountLabel);
        assertThat(label("containerName")).isEqualTo(containerLabel);
        assertThat(label("path")).isEqualTo(pathLabel);
        assertThat(label("accessKey")).isEqualTo(keyLabel);
        assertThat(label("enabledForAutomaticBackup")).isEqualTo(enabledLabel);
        assertThat(text("storageAccountNameHelp")).isEqualTo(accountHelp);
        assertThat(text("containerNameHelp")).isEqualTo(containerHelp);
        assertThat(text("pathHelp")).isEqualTo(pathHelp);
        assertThat(text("accessKeyHelp")).isEqualTo(keyHelp);
        assertThat(text("emailNote")).isEqualTo(emailNote);
        assertThat(text("createBackup")).isEqualTo(createBackup);
        assertThat(browser.findElement(By.id("createBackup")).isEnabled()).isFalse();
        assertThat(text("createBackupWhy")).isEqualTo(noConnection);

        // Every setting on the page: recipients, retention and an age recipient, saved and then read through the API.
        type("notifyEmails", "finance@" + account + ".example\nit@" + account + ".example");
        type("keepLast", "5");
        type("maxAgeDays", "90");
        type("encryptionRecipients", AGE_RECIPIENT);
        wait.until(d -> d.findElement(By.id("pending")).isDisplayed());
        assertThat(text("pending")).isEqualTo(pending);
        browser.findElement(By.id("save")).click();
        wait.until(d -> !d.findElement(By.id("pending")).isDisplayed());
        JsonNode settings = JsonMapper.builder().build().readTree(
                api("GET", "/api/accounts/" + account + "/backup-settings", superadmin, null));
        assertThat(settings.get("notifyEmails")).extracting(JsonNode::asText)
                .containsExactly("finance@" + account + ".example", "it@" + account + ".example");
        assertThat(settings.get("retention").get("keepLast").asInt()).isEqualTo(5);
        assertThat(settings.get("retention").get("maxAgeDays").asInt()).isEqualTo(90);
        assertThat(settings.get("encryptionRecipients")).extracting(JsonNode::asText).containsExactly(AGE_RECIPIENT);
        browser.navigate().refresh();
        wait.until(d -> "5".equals(d.findElement(By.id("keepLast")).getAttribute("value")));
        assertThat(browser.findElement(By.id("encryptionRecipients")).getAttribute("value")).isEqualTo(AGE_RECIPIENT);
        screenshot("page-" + language);
        assertEveryFieldIsLabelledAndMessagesAreAnnounced();
        assertThat(severeConsoleEntries()).as("the browser console").isEmpty();

        // The server's refusal, said in the page's language.
        type("storageAccountName", "Not-Valid");
        type("containerName", "fine-name");
        type("accessKey", "a-key");
        browser.findElement(By.id("saveConnection")).click();
        wait.until(d -> badAccountName.equals(d.findElement(By.id("connectionMessage")).getText()));
        assertThat(browser.findElement(By.id("connectionMessage")).getAttribute("role")).isEqualTo("alert");

        // The language switcher: English whatever the account's language, kept for the next visit.
        new Select(browser.findElement(By.id("language"))).selectByValue(language.equals("en") ? "fr" : "en");
        assertThat(browser.findElement(By.tagName("h1")).getText())
                .isEqualTo(language.equals("en") ? "Sauvegarde de base de données" : "Database backup");
        new Select(browser.findElement(By.id("language"))).selectByValue(language);
    }

    private String register(String language) throws Exception {
        String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
        api("PUT", "/api/operator/accounts/" + account, OPERATOR, """
                {"displayName":"Tenant Page Ltd","locale":"%s","timeZone":"Europe/Madrid","superadminEmails":["%s"],
                 "source":{"engine":"POSTGRESQL","host":"127.0.0.1","port":5432,"database":"%s","username":"%s","password":"%s"}}
                """.formatted(language, account + "@tenant.example", database.name(), dbUser, DB_PASSWORD));
        return account;
    }

    private void fillConnection(String description, String container, String path, boolean enabled) {
        type("description", description);
        type("storageAccountName", Azurite.PLANTED_ACCOUNT);
        type("containerName", container);
        type("path", path);
        type("accessKey", Azurite.PLANTED_KEY);
        type("endpoint", Azurite.plantedEndpoint());
        if (browser.findElement(By.id("enabledForAutomaticBackup")).isSelected() != enabled) {
            browser.findElement(By.id("enabledForAutomaticBackup")).click();
        }
    }

    private static WebElement connectionRow(WebDriverWait wait, String description) {
        return wait.until(d -> d.findElements(By.cssSelector("#connections tbody tr")).stream()
                .filter(r -> r.getText().startsWith(description + " ")).findFirst().orElse(null));
    }

    private JsonNode connectionNamed(String account, String token, String description) throws Exception {
        JsonNode all = JsonMapper.builder().build()
                .readTree(api("GET", "/api/accounts/" + account + "/connections", token, null));
        for (JsonNode connection : all) {
            if (description.equals(connection.get("description").asText())) {
                return connection;
            }
        }
        throw new AssertionError("No connection '" + description + "' in " + all);
    }

    private static BlobServiceClient planted() {
        return new BlobServiceClientBuilder().connectionString("DefaultEndpointsProtocol=http;AccountName="
                + Azurite.PLANTED_ACCOUNT + ";AccountKey=" + Azurite.PLANTED_KEY + ";BlobEndpoint="
                + Azurite.plantedEndpoint() + ";").buildClient();
    }

    private static String plantedContainer() {
        String name = "page-" + UUID.randomUUID().toString().substring(0, 8);
        planted().createBlobContainer(name);
        return name;
    }

    private static List<String> plantedBlobs(String container) {
        return planted().getBlobContainerClient(container).listBlobs().stream()
                .map(BlobItem::getName).filter(n -> !n.endsWith(".manifest.json")).toList();
    }

    private static String sasToken(String container) {
        return planted().getBlobContainerClient(container).generateSas(
                new BlobServiceSasSignatureValues(OffsetDateTime.now().plusDays(30),
                        BlobContainerSasPermission.parse("racwdl")));
    }

    /** How many API requests the page has made so far, as the browser's resource timing lists them. */
    private long apiCalls() {
        return ((Number) ((JavascriptExecutor) browser).executeScript(
                "return performance.getEntriesByType('resource').filter(e => e.name.includes('/api/')).length"))
                .longValue();
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    /** The text of the label of a field, as a screen reader says it. */
    private String label(String fieldId) {
        return browser.findElement(By.cssSelector("label[for='" + fieldId + "']")).getText();
    }

    /** Every field has a label (or a name of its own), and status lines are announced. */
    private void assertEveryFieldIsLabelledAndMessagesAreAnnounced() {
        Object unlabelled = ((JavascriptExecutor) browser).executeScript("""
                return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                  .filter(f => f.labels.length === 0 && !f.getAttribute('aria-label')).map(f => f.id);""");
        assertThat((List<?>) unlabelled).as("fields without a label").isEmpty();
        for (String id : List.of("message", "settingsMessage", "connectionMessage")) {
            assertThat(browser.findElement(By.id(id)).getAttribute("aria-live")).as(id).isEqualTo("polite");
        }
    }

    /** What the page wrote to the browser's console as an error. */
    private List<String> severeConsoleEntries() {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage).toList();
    }

    /** The planted key and password: in no API answer, log line, page, email or Kafka record of this stack. */
    private void assertNoSecretAnywhere(String account, String superadmin) throws Exception {
        String operator = OPERATOR;
        api("GET", "/api/accounts/" + account + "/backup-settings", superadmin, null);
        api("GET", "/api/accounts/" + account + "/connections", superadmin, null);
        api("GET", "/api/accounts/" + account + "/backups", superadmin, null);
        api("GET", "/api/operator/accounts/" + account, operator, null);
        List<String> places = new ArrayList<>();
        apiResponses.forEach(body -> places.add("API response: " + body));
        places.addAll(SecretSearch.logLines(logs.list));
        places.add("page: " + browser.getPageSource());
        places.addAll(SecretSearch.emailsTo(account));
        places.addAll(SecretSearch.kafkaRecords(prefix));
        assertThat(places).as("places looked at").hasSizeGreaterThan(50);
        assertThat(places).noneMatch(place -> place.contains(Azurite.PLANTED_KEY));
        assertThat(places).noneMatch(place -> place.contains(DB_PASSWORD));
    }

    /** A wait that looks again when the page redrew what it was reading (the page polls while a backup runs). */
    private WebDriverWait waitUpTo(Duration timeout) {
        WebDriverWait wait = new WebDriverWait(browser, timeout);
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    private WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
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
