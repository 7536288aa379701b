package com.flintn.webhooks.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The system clock that a test can move ahead: time runs as usual (so polls, commits and timeouts
 * of a running component go on), and {@link #jump} moves it by a whole expiry at once, so a test of
 * something that ends after a while (a secret's grace period) needs neither a short expiry that a
 * busy machine overruns nor a sleep.
 */
public final class ShiftableClock extends Clock {
  private final Clock system;
  private final AtomicReference<Duration> shift;

  public ShiftableClock() {
    this(Clock.systemUTC(), new AtomicReference<>(Duration.ZERO));
  }

  private ShiftableClock(Clock system, AtomicReference<Duration> shift) {
    this.system = system;
    this.shift = shift;
  }

  /** Moves the clock ahead by {@code d}; it goes on running from there. */
  public void jump(Duration d) {
    shift.updateAndGet(s -> s.plus(d));
  }

  @Override
  public Instant instant() {
    return system.instant().plus(shift.get());
  }

  @Override
  public ZoneId getZone() {
    return system.getZone();
  }

  /** The same shifted time in another zone: a jump moves both. */
  @Override
  public Clock withZone(ZoneId zone) {
    return new ShiftableClock(system.withZone(zone), shift);
  }
}
