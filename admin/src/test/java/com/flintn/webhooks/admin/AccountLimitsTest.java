package com.flintn.webhooks.admin;

import static com.flintn.webhooks.admin.AdminFixture.KEY_A;
import static com.flintn.webhooks.admin.AdminFixture.KEY_B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.admin.AdminFixture.Answer;
import com.flintn.webhooks.testkit.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The per-account limits of the admin API on the real broker: the default rate of test events (10 a
 * minute). The admin API reads a clock that moves only when the test moves it, so "within a minute"
 * does not depend on how fast this machine is.
 */
class AccountLimitsTest {
  private static final ManualClock clock = new ManualClock(Clock.systemUTC().instant());
  private static AdminFixture f;

  /** One endpoint of each account, made before any test and never revoked. */
  private static String aFirst;

  private static String bFirst;

  @BeforeAll
  static void start() throws Exception {
    f = new AdminFixture("account-limits", Map.of(), clock);
    aFirst = created(f.create(KEY_A, "A first", f.receiver.url("/a-first"), "*"));
    bFirst = created(f.create(KEY_B, "B first", f.receiver.url("/b-first"), "*"));
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @Test
  void theEleventhTestEventWithinAMinuteIs429WithRetryAfter() throws Exception {
    String path = "/v1/webhooks/" + bFirst + "/test";
    for (int i = 1; i <= 10; i++) {
      Answer sent = f.call("POST", path, KEY_B, null);
      assertThat(sent.status()).as("test event %d: %s", i, sent.raw().body()).isEqualTo(202);
    }
    Answer limited = f.call("POST", path, KEY_B, null);
    assertThat(limited.status()).as(limited.raw().body()).isEqualTo(429);
    assertThat(limited.errorCode()).isEqualTo("rate_limited");
    assertThat(limited.errorMessage()).contains("10 test events a minute", "in 6 s");
    assertThat(limited.header("Retry-After")).as("one token comes back every 6 s").isEqualTo("6");

    assertThat(f.call("POST", "/v1/webhooks/" + aFirst + "/test", KEY_A, null).status())
        .as("another account has its own bucket")
        .isEqualTo(202);

    clock.advance(Duration.ofSeconds(4));
    assertThat(f.call("POST", path, KEY_B, null).header("Retry-After")).isEqualTo("2");
    clock.advance(Duration.ofSeconds(2));
    assertThat(f.call("POST", path, KEY_B, null).status()).as("after Retry-After").isEqualTo(202);
    assertThat(f.call("POST", path, KEY_B, null).status()).isEqualTo(429);

    // Eleven sent, none of the refused: the count reaches 11 and stays there.
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(60))
        .until(() -> f.receiver.receivedAt("/b-first").size() == 11);
  }

  private static String created(Answer a) {
    assertThat(a.status()).as(a.raw().body()).isEqualTo(201);
    return a.body().get("id").asText();
  }
}
