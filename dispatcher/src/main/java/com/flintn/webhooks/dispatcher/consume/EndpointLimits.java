package com.flintn.webhooks.dispatcher.consume;

import com.flintn.webhooks.common.message.EndpointId;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Isolates endpoints from each other. At most {@code inFlight} requests go to one endpoint at once;
 * more deliveries wait for a slot. An endpoint is stalled when it has not answered (any status
 * counts; timeouts and connection failures do not) for {@code stallAfter} while deliveries wait for
 * it. Then only {@code queued} deliveries may keep waiting: the others, new or already waiting, are
 * refused here and the caller defers them to the first retry tier. So an endpoint that stops
 * answering holds at most {@code inFlight + queued} records of the partition window a few seconds
 * after it stops, while a fast endpoint under a burst is never deferred. Thread safe.
 */
final class EndpointLimits {
  private static final long RECHECK_MILLIS = 100;

  private final int inFlight;
  private final int queued;
  private final long stallAfterMillis;
  private final Clock clock;
  private final Map<EndpointId, Slots> slots = new ConcurrentHashMap<>();

  EndpointLimits(int inFlight, int queued, Duration stallAfter, Clock clock) {
    this.inFlight = inFlight;
    this.queued = queued;
    this.stallAfterMillis = stallAfter.toMillis();
    this.clock = clock;
  }

  /** A slot to send to one endpoint; release it when the request is done. */
  interface Permit {
    /**
     * @param answered whether the endpoint sent a response (of any status)
     */
    void release(boolean answered);
  }

  /**
   * Blocks (cheaply, on a virtual thread) until a delivery to {@code endpoint} may be sent; empty
   * if the endpoint is stalled and enough deliveries already wait for it.
   */
  Optional<Permit> enter(EndpointId endpoint) throws InterruptedException {
    Slots s =
        slots.computeIfAbsent(
            endpoint,
            e ->
                new Slots(
                    new Semaphore(inFlight), new AtomicInteger(), new AtomicLong(clock.millis())));
    s.waiting.incrementAndGet();
    try {
      while (!s.sending.tryAcquire(RECHECK_MILLIS, TimeUnit.MILLISECONDS)) {
        if (clock.millis() - s.lastAnswer.get() >= stallAfterMillis && s.waiting.get() > queued) {
          return Optional.empty();
        }
      }
    } finally {
      s.waiting.decrementAndGet();
    }
    return Optional.of(
        answered -> {
          if (answered) {
            s.lastAnswer.set(clock.millis());
          }
          s.sending.release();
        });
  }

  private record Slots(Semaphore sending, AtomicInteger waiting, AtomicLong lastAnswer) {}
}
