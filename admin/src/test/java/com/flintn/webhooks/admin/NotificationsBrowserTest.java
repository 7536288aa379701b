package com.flintn.webhooks.admin;

import static com.flintn.webhooks.admin.AdminFixture.KEY_A;
import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.common.message.AttemptOutcome;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * Failure notifications in the dashboard, in headless Chromium as {@link DashboardBrowserTest} runs
 * it: an endpoint whose delivery failed its third attempt shows a "failing 60%" badge in the list
 * and a note in its detail, the account's notifications list shows the warning, and a delivery
 * clears the badge (docs/design.md §4.1).
 */
@Tag("browser")
@Tag("broker")
class NotificationsBrowserTest extends InHeadlessChromium {
  @Test
  void aFailingEndpointShowsItsBadgeNoteAndNoticeUntilItDeliversAgain() throws Exception {
    String id = f.createdId(KEY_A, "Orders (failing)", f.receiver.url("/failing"), "order.created");
    NotificationsApiTest.attempt(f, id, "evt_b1", 3, AttemptOutcome.RETRY_SCHEDULED);
    f.awaitGet("/v1/notifications", KEY_A, body -> body.get("failing").size() == 1);

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
}
