package com.flintn.webhooks.admin;

import static com.flintn.webhooks.admin.AdminFixture.KEY_A;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.common.message.AttemptOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Failure notifications in the dashboard, in headless Chromium as {@link DashboardBrowserTest} runs
 * it: an endpoint whose delivery failed its third attempt shows a "failing 60%" badge in the list
 * and a note in its detail, the account's notifications list shows the warning, and a delivery
 * clears the badge (docs/design.md §4.1).
 */
@Tag("browser")
@Tag("broker")
class NotificationsBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SHOTS = Path.of("target", "screenshots");

  private static AdminFixture f;
  private static ChromeDriver browser;

  @BeforeAll
  static void start() throws Exception {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      throw new AssertionError(
          "the dashboard test needs Debian's chromium and chromium-driver:"
              + " apt-get install chromium chromium-driver (.ci/run does this)");
    }
    f = new AdminFixture("notify-browser");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
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
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (f != null) {
      f.close();
    }
  }

  @Test
  void aFailingEndpointShowsItsBadgeNoteAndNoticeUntilItDeliversAgain() throws Exception {
    String id =
        f.create(KEY_A, "Orders (failing)", f.receiver.url("/failing"), "order.created")
            .body()
            .get("id")
            .asText();
    NotificationsApiTest.attempt(f, id, "evt_b1", 3, AttemptOutcome.RETRY_SCHEDULED);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                f.call("GET", "/v1/notifications", KEY_A, null).body().get("failing").size() == 1);

    browser.get(f.base() + "/");
    visible("#api-key").sendKeys(KEY_A);
    visible("#connect").click();

    WebElement badge = visible(".endpoint[data-endpoint-id='" + id + "'] .badge-failing");
    assertThat(badge.getText()).isEqualToIgnoringCase("failing 60%");
    assertThat(visible("#notifications-list .notice-failing").getText())
        .contains("Failing: 60%", "Orders (failing)");
    visible(".endpoint[data-endpoint-id='" + id + "']").click();
    assertThat(visible("#detail-failing-title").getText())
        .contains("failed 3 of 5 attempts", "60%");
    assertThat(visible("#detail-failing-text").getText()).contains("503", "evt_b1");
    screenshot("notifications-failing.png");

    NotificationsApiTest.attempt(f, id, "evt_b2", 1, AttemptOutcome.DELIVERED);
    browser.navigate().refresh();
    visible("#notifications-list .notice-recovered");
    assertThat(browser.findElements(By.cssSelector(".badge-failing"))).isEmpty();
  }

  private static WebElement visible(String css) {
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

  private static void screenshot(String name) throws Exception {
    Files.createDirectories(SHOTS);
    Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(shot, SHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }
}
