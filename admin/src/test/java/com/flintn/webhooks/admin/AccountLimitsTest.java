package com.flintn.webhooks.admin;

import static com.flintn.webhooks.admin.AdminFixture.KEY_A;
import static com.flintn.webhooks.admin.AdminFixture.KEY_B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.admin.AdminFixture.Answer;
import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.testkit.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The per-account limits of the admin API on the real broker: the endpoint quota (set to 3 here)
 * and the default rate of test events (10 a minute). The admin API reads a clock that moves only
 * when the test moves it, so "within a minute" does not depend on how fast this machine is.
 */
@Tag("broker")
class AccountLimitsTest {
  private static final ManualClock clock = new ManualClock(Clock.systemUTC().instant());
  private static AdminFixture f;

  /** One endpoint of each account, made before any test and never revoked. */
  private static String aFirst;

  private static String bFirst;

  @BeforeAll
  static void start() throws Exception {
    f =
        new AdminFixture(
            "account-limits", Map.of(ConfigKey.ADMIN_MAX_ENDPOINTS_PER_ACCOUNT, "3"), clock);
    aFirst = created(f.create(KEY_A, "A first", f.receiver.url("/a-first"), "*"));
    bFirst = created(f.create(KEY_B, "B first", f.receiver.url("/b-first"), "*"));
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @Test
  void anAccountAtItsQuotaCannotCreateAndRevokingFreesAPlace() throws Exception {
    String second = created(f.create(KEY_A, "A second", f.receiver.url("/a-2"), "*"));
    String third = created(f.create(KEY_A, "A third", f.receiver.url("/a-3"), "*"));

    Answer refused = f.create(KEY_A, "A fourth", f.receiver.url("/a-4"), "*");
    assertThat(refused.status()).as(refused.raw().body()).isEqualTo(409);
    assertThat(refused.errorCode()).isEqualTo("endpoint_quota_exceeded");
    assertThat(refused.errorMessage()).contains("at most 3", "revoking an endpoint", "frees");
    assertThat(f.call("GET", "/v1/webhooks", KEY_A, null).body().get("data"))
        .as("nothing was created")
        .hasSize(3);
    assertThat(f.create(KEY_B, "B second", f.receiver.url("/b-2"), "*").status())
        .as("another account has its own quota")
        .isEqualTo(201);

    assertThat(f.call("POST", "/v1/webhooks/" + second + "/disable", KEY_A, null).status())
        .isEqualTo(200);
    assertThat(f.create(KEY_A, "A fourth", f.receiver.url("/a-4"), "*").status())
        .as("a disabled endpoint still holds its place: it can be reactivated")
        .isEqualTo(409);

    assertThat(f.call("POST", "/v1/webhooks/" + third + "/revoke", KEY_A, null).status())
        .isEqualTo(200);
    Answer afterRevoke = f.create(KEY_A, "A fourth", f.receiver.url("/a-4"), "*");
    assertThat(afterRevoke.status()).as(afterRevoke.raw().body()).isEqualTo(201);
    assertThat(f.create(KEY_A, "A fifth", f.receiver.url("/a-5"), "*").errorCode())
        .as("the freed place is taken again")
        .isEqualTo("endpoint_quota_exceeded");
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
