package com.flintn.webhooks.admin;

import static com.flintn.webhooks.admin.AdminFixture.KEY_A;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.flintn.webhooks.common.eventtype.EventTypeWriter;
import com.flintn.webhooks.common.message.EventType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;

/**
 * The dashboard in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which
 * {@code .ci/run} installs), driven through the page alone: create an endpoint for a local HTTPS
 * receiver, send a test event, see its attempt row with status 200, disable it and see the badge
 * change; find a delivery by its event id in the deliveries search; with an event-type catalogue,
 * create one by selecting its types. Screenshots at laptop and phone size are kept in {@code
 * admin/target/screenshots/}.
 */
@Tag("browser")
@Tag("broker")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest extends InHeadlessChromium {
  @Test
  void createTestEventAttemptRowAndDisableThroughThePageAlone() throws Exception {
    fillCreateForm("Orders (browser)", f.receiver.url("/browser"), "order.created, order.paid");
    visible("#create-submit").click();

    String secret = dismissSecret();
    assertThat(secret).hasSizeGreaterThan(40);

    WebElement row = visible(".endpoint[data-endpoint-id]");
    String id = row.getAttribute("data-endpoint-id");
    assertThat(row.getText()).contains("Orders (browser)");
    assertThat(badge(".endpoint[data-endpoint-id='" + id + "'] .badge")).isEqualTo("active");
    row.click();

    visible("#action-test").click();
    awaitAny(
        "#attempts tbody tr td.status",
        td -> td.getText().strip().equals("200"),
        Duration.ofSeconds(30));
    assertThat(f.receiver.receivedAt("/browser")).hasSize(1);
    assertThat(f.receiver.receivedAt("/browser").get(0).header("X-Event-Type"))
        .isEqualTo("webhook.test");
    screenshot("dashboard.png");

    visible("#action-disable").click();
    visible("#confirm-ok").click();
    await().atMost(Duration.ofSeconds(20)).until(() -> badge("#detail .badge").equals("disabled"));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> badge(".endpoint[data-endpoint-id='" + id + "'] .badge").equals("disabled"));
    assertThat(f.call("GET", "/v1/webhooks/" + id, KEY_A, null).body().get("status").asText())
        .isEqualTo("disabled");

    browser.manage().window().setSize(new Dimension(390, 844));
    screenshot("dashboard-phone.png");
    browser.manage().window().setSize(new Dimension(1280, 800));
  }

  @Test
  void deadLettersAreShownAndReplayedFromThePanel() throws Exception {
    AtomicInteger status = f.answerUnder("/bdead", 410);
    String id = f.createdId(KEY_A, "Gone (browser)", f.receiver.url("/bdead"), "*");
    f.call("POST", "/v1/webhooks/" + id + "/test", KEY_A, null);
    f.awaitGet(
        "/v1/webhooks/" + id + "/dead-letters", KEY_A, body -> body.get("count").asInt() == 1);
    signIn();
    visible(".endpoint[data-endpoint-id='" + id + "']").click();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> visible("#dead-letters-count").getText().startsWith("1 dead letter"));
    assertThat(visible("#dead-letters-table tbody tr").getText()).contains("webhook.test", "410");
    status.set(200);
    visible("#dlq-replay").click();
    visible("#confirm-ok").click();
    await().atMost(Duration.ofSeconds(30)).until(() -> f.receiver.receivedAt("/bdead").size() == 2);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                !browser
                    .findElements(By.cssSelector("#dead-letters-table tbody tr .replayed"))
                    .isEmpty());
  }

  @Test
  void failedDeliveriesAreRecoveredAndOneResentFromTheAttemptsView() throws Exception {
    AtomicInteger status = new AtomicInteger(410);
    f.receiver.respondWith(
        r ->
            new mockwebserver3.MockResponse.Builder()
                .code(r.path().startsWith("/bres") ? status.get() : 200)
                .build());
    String id = f.createdId(KEY_A, "Resend (browser)", f.receiver.url("/bres"), "*");
    f.call("POST", "/v1/webhooks/" + id + "/test", KEY_A, null);
    f.awaitGet(
        "/v1/webhooks/" + id + "/attempts",
        KEY_A,
        body -> body.toString().contains("dead_lettered"));
    status.set(200);
    signIn();
    try {
      visible(".endpoint[data-endpoint-id='" + id + "']").click();
      visible("#attempts tbody tr .resend-btn");
      visible("#recover-open").click(); // 24 hours by default: a dry run counts, then asks
      assertThat(
              await()
                  .atMost(Duration.ofSeconds(20))
                  .until(() -> visible("#confirm-message").getText(), t -> !t.isBlank()))
          .contains("Resend 1 event");
      visible("#confirm-ok").click();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> f.receiver.receivedAt("/bres").size() == 2);
      screenshot("dashboard-recover.png");

      // the rows are redrawn every 3 s: a button found just before one may be gone when clicked
      await()
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptions()
          .until(
              () -> {
                visible("#attempts tbody tr .resend-btn").click();
                return true;
              });
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> f.receiver.receivedAt("/bres").size() == 3);
      List<String> ids =
          f.receiver.receivedAt("/bres").stream().map(r -> r.header("X-Event-Id")).toList();
      assertThat(ids).as("the same event each time").containsOnly(ids.get(0));
    } finally {
      visible("#sign-out").click(); // the next test may expect the sign-in form
    }
  }

  @Test
  @Order(
      Integer.MAX_VALUE) // last: the other tests type free text, offered only without a catalogue
  void createsAnEndpointBySelectingTypesFromTheCatalogue() throws Exception {
    List<String> types = List.of("customer.updated", "order.created", "order.paid");
    try (EventTypeWriter writer =
        new EventTypeWriter(
            f.env.config().kafka(), f.env.topics().eventTypes(), Duration.ofSeconds(15))) {
      for (String t : types) {
        writer.put(new EventType(t, "Sent when " + t + " happens.", null, Instant.now()));
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> catalogue().size() == 3);
      try {
        signIn();
        visible("#create-open").click();
        type(visible("#create-name"), "Picked (browser)");
        type(visible("#create-url"), f.receiver.url("/picked"));
        assertThat(browser.findElement(By.id("create-events")).isDisplayed())
            .as("no free text while there is a catalogue")
            .isFalse();
        assertThat(
                browser.findElements(By.cssSelector("#create-events-options label")).stream()
                    .map(l -> l.getAttribute("data-type"))
                    .toList())
            .containsExactlyElementsOf(types);
        type(visible("#create-events-filter"), "order");
        await()
            .atMost(Duration.ofSeconds(5))
            .until(
                () ->
                    !browser
                        .findElement(
                            By.cssSelector("#create-events-options [data-type='customer.updated']"))
                        .isDisplayed());
        visible("#create-events-options [data-type='order.paid']").click();
        visible("#create-events-options [data-type='order.created']").click();
        screenshot("dashboard-event-types.png");
        visible("#create-submit").click();
        dismissSecret();

        JsonNode created = null;
        for (JsonNode e : f.call("GET", "/v1/webhooks", KEY_A, null).body().get("data")) {
          if (e.get("name").asText().equals("Picked (browser)")) {
            created = e;
          }
        }
        assertThat(created).as("the endpoint made through the picker").isNotNull();
        assertThat(created.get("event_types").toString())
            .isEqualTo("[\"order.created\",\"order.paid\"]");
        assertThat(
                browser
                    .findElement(
                        By.cssSelector("#edit-events-options [data-type='order.paid'] input"))
                    .isSelected())
            .as("the edit form shows the subscription selected")
            .isTrue();
      } finally {
        for (String t : types) {
          writer.remove(t);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> catalogue().isEmpty());
      }
    }
  }

  private static List<String> catalogue() throws Exception {
    List<String> names = new ArrayList<>();
    for (JsonNode t : f.call("GET", "/v1/event-types", KEY_A, null).body().get("data")) {
      names.add(t.get("name").asText());
    }
    return names;
  }

  @Test
  void aDeliveryIsFoundByItsEventIdWithItsAttemptsInTheDeliveriesSearch() throws Exception {
    String id = f.createdId(KEY_A, "Search (browser)", f.receiver.url("/bsearch"), "*");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                f.dispatcher
                    .knownEndpoint(com.flintn.webhooks.common.message.EndpointId.of(id))
                    .isPresent());
    String eventId =
        f.call("POST", "/v1/webhooks/" + id + "/test", KEY_A, null).body().get("event_id").asText();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !f.receiver.receivedAt("/bsearch").isEmpty());
    signIn();
    String found = ".delivery[data-event-id='" + eventId + "']";
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              type(visible("#deliveries-event-id"), eventId);
              visible("#deliveries-submit").click();
              return !browser.findElements(By.cssSelector(found)).isEmpty();
            });
    WebElement delivery = visible(found);
    assertThat(delivery.getAttribute("data-status")).isEqualTo("delivered");
    assertThat(delivery.getText()).contains("Delivered", "Search (browser)", "webhook.test");
    assertThat(visible(found + " tbody tr td.status").getText().strip()).isEqualTo("200");
    browser.executeScript("arguments[0].scrollIntoView({block: 'center'})", delivery);
    screenshot("deliveries.png");

    visible("#deliveries-status").sendKeys("Failing");
    assertThat(visible("#deliveries-status").getAttribute("value")).isEqualTo("failing");
    visible("#deliveries-submit").click();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> visible("#deliveries-state").getText().equals("No deliveries match."));
    assertThat(browser.findElements(By.cssSelector(found))).isEmpty();
  }

  /**
   * Waits, at most {@code timeout}, until an element that {@code css} selects passes {@code test}.
   * The page re-renders tables as data arrives, so an element found may be gone by the time it is
   * read: that check is simply made again.
   */
  private static void awaitAny(String css, Predicate<WebElement> test, Duration timeout) {
    await()
        .atMost(timeout)
        .ignoreException(StaleElementReferenceException.class)
        .until(() -> browser.findElements(By.cssSelector(css)).stream().anyMatch(test));
  }

  /** Signs in and fills the create form's name, URL and event types, for the test to submit. */
  private static void fillCreateForm(String name, String url, String events) {
    signIn();
    visible("#create-open").click();
    type(visible("#create-name"), name);
    type(visible("#create-url"), url);
    type(visible("#create-events"), events);
  }

  /** Waits for a new endpoint's signing secret, dismisses it and returns it. */
  private static String dismissSecret() {
    String secret =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> visible("#secret-value").getAttribute("value"),
                v -> v != null && v.startsWith("whsec_"));
    visible("#secret-dismiss").click();
    return secret;
  }

  private static void signIn() {
    browser.get(f.base() + "/");
    if (!browser.findElements(By.cssSelector("#sign-out")).isEmpty()
        && browser.findElement(By.cssSelector("#sign-out")).isDisplayed()) {
      browser.findElement(By.cssSelector("#sign-out")).click();
    }
    type(visible("#api-key"), KEY_A);
    visible("#connect").click();
  }

  @Test
  @Order(Integer.MAX_VALUE - 1) // after the tests that expect a fresh page and their endpoint first
  void aRateLimitIsSetShownChangedAndRemovedThroughThePage() throws Exception {
    fillCreateForm("Paced (browser)", f.receiver.url("/bpaced"), "order.created");
    type(visible("#create-rate"), "fast");
    visible("#create-submit").click();
    assertThat(visible("#create-rate-error").getText()).contains("from 1 to 10,000");
    type(visible("#create-rate"), "5");
    visible("#create-submit").click();
    dismissSecret();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> visible("#detail-rate-limit").getText().equals("5 events / second"));
    String path = "/v1/webhooks/" + visible("#detail-id").getText().strip();
    assertThat(f.call("GET", path, KEY_A, null).body().get("rate_limit").asInt()).isEqualTo(5);
    assertThat(visible("#edit-rate").getAttribute("value")).isEqualTo("5");
    screenshot("dashboard-rate-limit.png");

    type(visible("#edit-rate"), "20");
    visible("#edit-save").click();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> visible("#detail-rate-limit").getText().equals("20 events / second"));
    assertThat(f.call("GET", path, KEY_A, null).body().get("rate_limit").asInt()).isEqualTo(20);

    visible("#edit-rate").clear();
    visible("#edit-save").click();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> visible("#detail-rate-limit").getText().equals("No limit"));
    assertThat(f.call("GET", path, KEY_A, null).body().get("rate_limit").isNull()).isTrue();
  }

  @Test
  void apiErrorsAreShownInThePage() {
    // the page's own check would catch http://; a private address only the server refuses
    fillCreateForm("Plain HTTP", "https://10.0.0.1/hook", "order.created");
    visible("#create-submit").click();
    awaitAny(
        "[role=alert]",
        e -> e.isDisplayed() && e.getText().contains("private"),
        Duration.ofSeconds(20));
  }

  private static String badge(String css) {
    return browser.findElement(By.cssSelector(css)).getText().strip().toLowerCase();
  }

  private static void type(WebElement input, String text) {
    input.clear();
    input.sendKeys(text);
  }
}
