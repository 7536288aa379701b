package com.flintn.webhooks.dispatcher.consume;

import com.flintn.webhooks.common.message.EndpointId;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Isolates endpoints from each other. At most {@code inFlight} requests go to one endpoint at once;
 * more deliveries wait for a slot. An endpoint is stalled when all its slots are taken and none has
 * been released for {@code stallAfter}; then a delivery that would wait while more than {@code
 * queued} already wait is refused here (the caller defers it to the first retry tier). So a hanging
 * endpoint holds at most {@code inFlight + queued} records of the partition window, while a fast
 * endpoint under a burst, which releases slots all the time, is never deferred. Thread safe.
 */
final class EndpointLimits {
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

  /** A slot to send to one endpoint; close it when the request is done. */
  interface Permit extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Admits a delivery to {@code endpoint} and blocks (cheaply, on a virtual thread) until it may
   * send; empty if the endpoint is stalled and its queue is full.
   */
  Optional<Permit> enter(EndpointId endpoint) throws InterruptedException {
    Slots s =
        slots.computeIfAbsent(
            endpoint,
            e ->
                new Slots(
                    new Semaphore(inFlight), new AtomicInteger(), new AtomicLong(clock.millis())));
    int waiting = s.admitted.incrementAndGet() - inFlight;
    if (waiting > queued && clock.millis() - s.lastRelease.get() >= stallAfterMillis) {
      s.admitted.decrementAndGet();
      return Optional.empty();
    }
    try {
      s.sending.acquire();
    } catch (InterruptedException e) {
      s.admitted.decrementAndGet();
      throw e;
    }
    return Optional.of(
        () -> {
          s.lastRelease.set(clock.millis());
          s.sending.release();
          s.admitted.decrementAndGet();
        });
  }

  private record Slots(Semaphore sending, AtomicInteger admitted, AtomicLong lastRelease) {}
}
