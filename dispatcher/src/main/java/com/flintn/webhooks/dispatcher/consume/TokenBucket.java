package com.flintn.webhooks.dispatcher.consume;

/**
 * The pace of one rate-limited endpoint (docs/design.md §6.6): a token bucket refilled at the
 * endpoint's {@code rate_limit} tokens a second, holding at most {@link #burst(int)} tokens. Each
 * delivery either reserves the next token and is told when it may go ({@link #reserve}: a
 * reservation is never taken back, so waiting deliveries are spread one token apart, in the order
 * they reserved) or takes one only if it is there now ({@link #take}). Over the times given, at
 * most {@code burst + rate * t} tokens go in any interval of t seconds. Pure logic on the times it
 * is given; not thread safe (its endpoint's lock guards it).
 */
final class TokenBucket {
  /** Tokens there now; below zero, tokens already promised to waiting deliveries. */
  private double tokens;

  private long at;
  private int rate;

  /** A full bucket for {@code rate} events a second, as of {@code nowMillis}. */
  TokenBucket(int rate, long nowMillis) {
    this.rate = rate;
    this.tokens = burst(rate);
    this.at = nowMillis;
  }

  /**
   * Tokens a bucket of {@code rate} holds at most: a tenth of a second's worth, at least one. A
   * rate of up to 19 a second therefore sends strictly one token apart.
   */
  static int burst(int rate) {
    return Math.max(1, rate / 10);
  }

  /**
   * Reserves one token for a delivery at {@code nowMillis}, at the endpoint's current {@code rate};
   * returns the time (epoch millis) at which it may be sent: {@code nowMillis} if a token is there.
   */
  long reserve(int rate, long nowMillis) {
    refill(rate, nowMillis);
    tokens -= 1;
    if (tokens >= 0) {
      return nowMillis;
    }
    return nowMillis + (long) Math.ceil(-tokens * 1000.0 / this.rate);
  }

  /**
   * Takes a token at {@code nowMillis} if one is there: returns 0 then; otherwise takes nothing and
   * returns the millis until one will be (at least 1).
   */
  long take(int rate, long nowMillis) {
    refill(rate, nowMillis);
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((1 - tokens) * 1000.0 / this.rate));
  }

  /** Whether the bucket is full at {@code nowMillis}: forgetting it would let nothing more out. */
  boolean full(long nowMillis) {
    refill(rate, nowMillis);
    return tokens >= burst(rate);
  }

  private void refill(int newRate, long nowMillis) {
    if (nowMillis > at) {
      tokens = Math.min(burst(rate), tokens + (nowMillis - at) * rate / 1000.0);
      at = nowMillis;
    }
    if (newRate != rate) {
      rate = newRate;
      tokens = Math.min(tokens, burst(newRate));
    }
  }
}
