package com.flintn.webhooks.admin;

import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A dashboard test class in Debian's {@code chromium} and {@code chromium-driver} (which {@code
 * .ci/run} installs), headless at laptop size: one browser for all its tests, opened after its
 * {@link AdminFixture} has started and quit before it closes. Screenshots are kept in {@code
 * admin/target/screenshots/}.
 */
abstract class InHeadlessChromium extends SharedAdminFixture {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SHOTS = Path.of("target", "screenshots");

  static ChromeDriver browser;

  @BeforeAll
  static void openBrowser() {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      throw new AssertionError(
          "the dashboard test needs Debian's chromium and chromium-driver:"
              + " apt-get install chromium chromium-driver (.ci/run does this)");
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,800");
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    browser = new ChromeDriver(service, options);
    browser.manage().window().setSize(new Dimension(1280, 800));
  }

  @AfterAll
  static void quitBrowser() {
    if (browser != null) {
      browser.quit();
      browser = null;
    }
  }

  /** The first displayed element {@code css} selects, waiting for one at most 30 seconds. */
  static WebElement visible(String css) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () -> {
              List<WebElement> all = browser.findElements(By.cssSelector(css));
              return all.stream().filter(WebElement::isDisplayed).findFirst().orElse(null);
            },
            e -> e != null);
  }

  /** Saves what the browser shows as {@code target/screenshots/<name>}. */
  static void screenshot(String name) throws Exception {
    Files.createDirectories(SHOTS);
    Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(shot, SHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }
}
