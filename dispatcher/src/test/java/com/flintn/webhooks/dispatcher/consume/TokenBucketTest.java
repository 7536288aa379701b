package com.flintn.webhooks.dispatcher.consume;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The pace of a rate-limited endpoint, on times given by the test. */
class TokenBucketTest {
  private static final long T0 = 1_000_000;

  @Test
  void aFullBucketLetsOneGoAtOnceThenOneTokenApart() {
    TokenBucket b = new TokenBucket(5, T0);
    assertThat(b.reserve(5, T0)).isEqualTo(T0);
    assertThat(b.reserve(5, T0)).isEqualTo(T0 + 200);
    assertThat(b.reserve(5, T0)).isEqualTo(T0 + 400);
    assertThat(b.reserve(5, T0 + 100)).isEqualTo(T0 + 600);
  }

  @Test
  void anIdleBucketRefillsOnlyUpToItsBurst() {
    TokenBucket b = new TokenBucket(100, T0);
    assertThat(TokenBucket.burst(100)).isEqualTo(10);
    long later = T0 + 60_000;
    for (int i = 0; i < 10; i++) {
      assertThat(b.reserve(100, later)).isEqualTo(later);
    }
    assertThat(b.reserve(100, later)).isEqualTo(later + 10);
  }

  @Test
  void inAnyStretchAtMostBurstPlusRateTimesItsLengthGo() {
    int rate = 50;
    TokenBucket b = new TokenBucket(rate, T0);
    long[] at = new long[500];
    long now = T0;
    for (int i = 0; i < at.length; i++) {
      now += (i % 7 == 0) ? 300 : 1; // bursts of demand with pauses in between
      at[i] = Math.max(now, b.reserve(rate, now));
    }
    for (int i = 0; i < at.length; i++) {
      for (int j = i; j < at.length; j++) {
        assertThat((double) (j - i + 1))
            .isLessThanOrEqualTo(TokenBucket.burst(rate) + rate * (at[j] - at[i]) / 1000.0 + 1e-9);
      }
    }
  }

  @Test
  void aLowerRateTakesEffectAtOnceAndCapsTheBurst() {
    TokenBucket b = new TokenBucket(1000, T0);
    assertThat(b.reserve(1000, T0 + 1000)).isEqualTo(T0 + 1000);
    // The limit drops to 2 a second: the 99 tokens left of the old burst are gone but one.
    assertThat(b.reserve(2, T0 + 1000)).isEqualTo(T0 + 1000);
    assertThat(b.reserve(2, T0 + 1000)).isEqualTo(T0 + 1500);
  }

  @Test
  void aBucketIsFullAgainOnlyOnceItsTokensCameBack() {
    TokenBucket b = new TokenBucket(4, T0);
    b.reserve(4, T0);
    b.reserve(4, T0);
    assertThat(b.full(T0 + 249)).isFalse();
    assertThat(b.full(T0 + 500)).isTrue();
  }

  @Test
  void takeTakesOnlyATokenThatIsThereNow() {
    TokenBucket b = new TokenBucket(4, T0);
    assertThat(b.take(4, T0)).isZero();
    assertThat(b.take(4, T0)).isEqualTo(250);
    assertThat(b.take(4, T0 + 100)).isEqualTo(150);
    assertThat(b.take(4, T0 + 250)).isZero();
    assertThat(b.take(4, T0 + 251)).isEqualTo(249);
  }
}
