package com.flintn.webhooks.dispatcher.http;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;

/**
 * The whole-request timeout of delivery calls: a sweep every {@code tick} cancels the calls past
 * their deadline. OkHttp's own call timeout keeps one timer per call in a queue under a single
 * lock, entered and left by every request; at thousands of requests a second that was the
 * dispatcher's busiest code (docs/design.md §12). Here a request costs a map insert and a removal,
 * and a deadline is met within one tick. Thread safe.
 */
final class CallDeadlines implements AutoCloseable {
  private final Clock clock;
  private final Map<Call, Long> armed = new ConcurrentHashMap<>();
  private final Set<Call> expired = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService sweeper;

  @SuppressWarnings("FutureReturnValueIgnored") // the task runs until close shuts the executor
  CallDeadlines(Clock clock, Duration tick) {
    this.clock = clock;
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
  void arm(Call call, Duration timeout) {
    armed.put(call, clock.millis() + timeout.toMillis());
  }

  /**
   * Ends the watch of {@code call}; true if it was cancelled for its deadline (its failure is a
   * timeout, whatever the exception says).
   */
  boolean disarm(Call call) {
    armed.remove(call);
    return expired.remove(call);
  }

  @SuppressWarnings("ModifyCollectionInEnhancedForLoop") // a ConcurrentHashMap allows it
  void sweep() {
    long now = clock.millis();
    for (Map.Entry<Call, Long> e : armed.entrySet()) {
      if (now >= e.getValue() && armed.remove(e.getKey(), e.getValue())) {
        expired.add(e.getKey());
        e.getKey().cancel();
      }
    }
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
  }
}
