package com.flintn.webhooks.dispatcher.http;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The whole-request timeout of delivery calls: a sweep every {@code tick} cancels the calls past
 * their deadline. A timer per call in one queue under one lock, entered and left by every request,
 * was the dispatcher's busiest code at thousands of requests a second (docs/design.md §12). Here a
 * request costs a map insert and a removal, and a deadline is met within one tick. The sweep also
 * runs {@code housekeeping} about every {@code housekeepingEvery}. Thread safe.
 */
final class CallDeadlines implements AutoCloseable {
  private final Clock clock;
  private final Map<Cancellable, Long> armed = new ConcurrentHashMap<>();
  private final Set<Cancellable> expired = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService sweeper;
  private final Runnable housekeeping;
  private final long housekeepingEvery;
  private long housekeptAt;

  /** What a deadline cuts: {@link #cancel} may be called from the sweeper's thread at any time. */
  interface Cancellable {
    void cancel();
  }

  @SuppressWarnings("FutureReturnValueIgnored") // the task runs until close shuts the executor
  CallDeadlines(Clock clock, Duration tick, Runnable housekeeping, Duration housekeepingEvery) {
    this.clock = clock;
    this.housekeeping = housekeeping;
    this.housekeepingEvery = housekeepingEvery.toMillis();
    this.housekeptAt = clock.millis();
    this.sweeper =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "http-call-deadlines");
              t.setDaemon(true);
              return t;
            });
    long ms = Math.max(1, tick.toMillis());
    sweeper.scheduleWithFixedDelay(this::sweep, ms, ms, TimeUnit.MILLISECONDS);
  }

  /** Cancels {@code call} if it is still running {@code timeout} from now. */
  void arm(Cancellable call, Duration timeout) {
    armed.put(call, clock.millis() + timeout.toMillis());
  }

  /**
   * Ends the watch of {@code call}; true if it was cancelled for its deadline (its failure is a
   * timeout, whatever the exception says).
   */
  boolean disarm(Cancellable call) {
    armed.remove(call);
    return expired.remove(call);
  }

  @SuppressWarnings("ModifyCollectionInEnhancedForLoop") // a ConcurrentHashMap allows it
  void sweep() {
    long now = clock.millis();
    for (Map.Entry<Cancellable, Long> e : armed.entrySet()) {
      if (now >= e.getValue() && armed.remove(e.getKey(), e.getValue())) {
        expired.add(e.getKey());
        e.getKey().cancel();
      }
    }
    if (now - housekeptAt >= housekeepingEvery) {
      housekeptAt = now;
      housekeeping.run();
    }
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
  }
}
