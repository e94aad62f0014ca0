package io.backuprelay.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
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
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's Chromium, headless, as the page's browser tests drive it: a profile of the test's own, the
 * browser's console kept (a script error fails the test), and what each test asks of the page.
 */
final class HeadlessChromium implements AutoCloseable {

    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private final WebDriver driver;

    HeadlessChromium(Path profile) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic", "--window-size=1280,2400", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        this.driver = new ChromeDriver(service, options);
    }

    WebDriver driver() {
        return driver;
    }

    /** A wait that looks again when the page re-rendered what it held. */
    WebDriverWait waitUpTo(Duration timeout) {
        WebDriverWait wait = new WebDriverWait(driver, timeout);
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    WebElement find(String id) {
        return driver.findElement(By.id(id));
    }

    void type(String id, String text) {
        WebElement field = find(id);
        field.clear();
        field.sendKeys(text);
    }

    String label(String fieldId) {
        return driver.findElement(By.cssSelector("label[for='" + fieldId + "']")).getText();
    }

    /** Every field, the hidden ones included, has a label or a name of its own. */
    void assertEveryFieldIsLabelled() {
        Object unlabelled = ((JavascriptExecutor) driver).executeScript("""
                return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                  .filter(f => f.labels.length === 0 && !f.getAttribute('aria-label')).map(f => f.id);""");
        assertThat((List<?>) unlabelled).as("fields without a label").isEmpty();
    }

    /** What the page's scripts reported as errors. */
    List<String> severeConsoleEntries() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage).toList();
    }

    void scrollTo(String id) {
        ((JavascriptExecutor) driver).executeScript("document.getElementById(arguments[0]).scrollIntoView()", id);
    }

    /** A picture of the page in {@link #SCREENSHOTS}, for a person to look at. */
    void screenshot(String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        File file = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(file.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        driver.quit();
    }
}
