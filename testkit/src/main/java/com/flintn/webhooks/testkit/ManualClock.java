package com.flintn.webhooks.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that moves only when the test moves it, so logic that runs on time (rate limits,
 * expiries) is tested without sleeping. Safe to read from the threads of a running server.
 */
public final class ManualClock extends Clock {
  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  public ManualClock(Instant start) {
    this(new AtomicReference<>(start), ZoneOffset.UTC);
  }

  private ManualClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  /** Moves the clock by {@code d} (backwards if negative). */
  public void advance(Duration d) {
    now.updateAndGet(t -> t.plus(d));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** The same moving time in another zone: advancing either moves both. */
  @Override
  public Clock withZone(ZoneId zone) {
    return new ManualClock(now, zone);
  }
}
