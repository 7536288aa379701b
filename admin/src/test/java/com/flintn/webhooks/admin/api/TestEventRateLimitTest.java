package com.flintn.webhooks.admin.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The per-account token bucket of test events, on a clock that moves only when told. */
class TestEventRateLimitTest {
  private static final AccountId A = AccountId.of("acc_a");
  private static final AccountId B = AccountId.of("acc_b");

  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-27T10:00:00Z"));
  private final TestEventRateLimit limit = new TestEventRateLimit(10, clock);

  @Test
  void aBurstOfThePerMinuteFigureThenOneEveryInterval() {
    takeAll(A, 10);
    assertThat(limit.take(A)).as("the 11th at once").contains(Duration.ofSeconds(6));
    clock.advance(Duration.ofSeconds(4));
    assertThat(limit.take(A)).as("the wait shrinks as time passes").contains(Duration.ofSeconds(2));
    clock.advance(Duration.ofSeconds(2));
    assertThat(limit.take(A)).as("one token back after 6 s").isEmpty();
    assertThat(limit.take(A)).contains(Duration.ofSeconds(6));
  }

  @Test
  void anIdleBucketRefillsToTheBurstAndNoFurther() {
    takeAll(A, 10);
    clock.advance(Duration.ofHours(1));
    takeAll(A, 10);
    assertThat(limit.take(A)).isPresent();
  }

  @Test
  void accountsHaveTheirOwnBuckets() {
    takeAll(A, 10);
    assertThat(limit.take(A)).isPresent();
    takeAll(B, 10);
  }

  @Test
  void aRefusalSpendsNothing() {
    takeAll(A, 10);
    for (int i = 0; i < 100; i++) {
      assertThat(limit.take(A)).isPresent();
    }
    clock.advance(Duration.ofSeconds(6));
    assertThat(limit.take(A)).as("retrying while refused does not push the wait back").isEmpty();
  }

  @Test
  void fullBucketsAreForgottenSoTheMapDoesNotGrow() {
    for (int i = 0; i < 1000; i++) {
      assertThat(limit.take(AccountId.of("acc_" + i))).isEmpty();
    }
    assertThat(limit.accounts()).isEqualTo(1000);
    clock.advance(Duration.ofMinutes(1));
    assertThat(limit.take(A)).isEmpty();
    assertThat(limit.accounts()).as("only the account that just sent").isEqualTo(1);
  }

  @Test
  void aClockThatGoesBackDelaysByOneIntervalNotByTheJump() {
    takeAll(A, 10);
    clock.advance(Duration.ofHours(-1));
    assertThat(limit.take(A)).contains(Duration.ofSeconds(6));
    clock.advance(Duration.ofSeconds(6));
    assertThat(limit.take(A)).isEmpty();
  }

  @Test
  void aFigureThatDoesNotDivideAMinuteWaitsTheExactInterval() {
    TestEventRateLimit seven = new TestEventRateLimit(7, clock);
    for (int i = 0; i < 7; i++) {
      assertThat(seven.take(A)).isEmpty();
    }
    Optional<Duration> wait = seven.take(A);
    assertThat(wait).contains(Duration.ofMinutes(1).dividedBy(7));
    assertThat(ApiError.rateLimited("x", wait.orElseThrow()).retryAfterSeconds())
        .as("8.57 s is announced as 9, so a client that waits that long finds a token")
        .hasValue(9);
  }

  @Test
  void retryAfterIsWholeSecondsRoundedUpAndAtLeastOne() {
    assertThat(ApiError.retryAfterSeconds(Duration.ofSeconds(6))).isEqualTo(6);
    assertThat(ApiError.retryAfterSeconds(Duration.ofMillis(6001))).isEqualTo(7);
    assertThat(ApiError.retryAfterSeconds(Duration.ofMillis(1))).isEqualTo(1);
    assertThat(ApiError.retryAfterSeconds(Duration.ZERO)).isEqualTo(1);
  }

  private void takeAll(AccountId account, int n) {
    for (int i = 0; i < n; i++) {
      assertThat(limit.take(account)).as("test event %d of %d", i + 1, n).isEmpty();
    }
  }
}
