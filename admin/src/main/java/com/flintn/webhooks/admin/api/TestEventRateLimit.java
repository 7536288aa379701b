package com.flintn.webhooks.admin.api;

import com.flintn.webhooks.common.message.AccountId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How many test events each account may send: a token bucket per account that holds {@code
 * perMinute} tokens and refills at {@code perMinute} a minute, so an account can send that many at
 * once and then one every {@code 1/perMinute} of a minute. Test events take the same delivery path
 * as real ones; without a limit one account could fill it for everyone.
 *
 * <p>A bucket is kept as the single instant at which it will be full again: each token taken moves
 * it one interval later, and a token is there as long as that instant stays within one minute of
 * now. A bucket that is full again is forgotten, because a new account gets exactly that, so the
 * map holds only the accounts that sent within the last minute or so.
 */
final class TestEventRateLimit {
  private static final Duration WINDOW = Duration.ofMinutes(1);

  private final Clock clock;
  private final Duration interval;
  private final Duration fillTime; // from empty to full: perMinute intervals
  private final Map<AccountId, Instant> fullAt = new HashMap<>(); // guarded by this
  private Instant nextSweep;

  /**
   * @param perMinute tokens a minute, and the bucket's size
   */
  TestEventRateLimit(int perMinute, Clock clock) {
    if (perMinute < 1) {
      throw new IllegalArgumentException("perMinute must be at least 1, got " + perMinute);
    }
    this.clock = clock;
    this.interval = WINDOW.dividedBy(perMinute);
    this.fillTime = interval.multipliedBy(perMinute); // a minute, less the nanoseconds lost above
    this.nextSweep = clock.instant().plus(fillTime);
  }

  /**
   * Takes a token for {@code account}.
   *
   * @return empty if there was one; otherwise how long until there is
   */
  synchronized Optional<Duration> take(AccountId account) {
    Instant now = clock.instant();
    forgetFullBuckets(now);
    Instant latest = now.plus(fillTime);
    Instant full = fullAt.getOrDefault(account, now);
    if (full.isBefore(now)) {
      full = now;
    } else if (full.isAfter(latest)) {
      // The clock went back: the bucket counts as empty, not as empty for as long as the jump.
      full = latest;
      fullAt.put(account, full);
    }
    Instant after = full.plus(interval);
    if (after.isAfter(latest)) {
      return Optional.of(Duration.between(latest, after));
    }
    fullAt.put(account, after);
    return Optional.empty();
  }

  /** Once a window: a full bucket is a new one, so keeping it would only grow the map. */
  private void forgetFullBuckets(Instant now) {
    // A sweep due more than a window ahead means the clock went back: sweep now, not after it.
    if (now.isBefore(nextSweep) && !nextSweep.isAfter(now.plus(fillTime))) {
      return;
    }
    fullAt.values().removeIf(t -> !t.isAfter(now));
    nextSweep = now.plus(fillTime);
  }

  /** The accounts whose bucket is kept (tests). */
  synchronized int accounts() {
    return fullAt.size();
  }
}
