package com.flintn.webhooks.dispatcher.consume;

import com.flintn.webhooks.common.message.EndpointId;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Isolates endpoints from each other. At most {@code inFlight} requests go to one endpoint at once;
 * more deliveries wait for a slot. An endpoint is stalled when its last {@code inFlight} requests
 * in a row got no answer at all (timeouts, refused or reset connections; any HTTP status is an
 * answer and ends the run). While it is stalled only {@code queued} deliveries may keep waiting for
 * it: the others, new or already waiting, are refused here and the caller defers them to the first
 * retry tier. So an endpoint that stops answering holds at most {@code inFlight + queued} records
 * of the partition window once its first requests have timed out, while an endpoint that answers,
 * however slowly or busily, is never deferred. Thread safe.
 */
final class EndpointLimits {
  private static final long RECHECK_MILLIS = 100;

  private final int inFlight;
  private final int queued;
  private final Map<EndpointId, Slots> slots = new ConcurrentHashMap<>();

  EndpointLimits(int inFlight, int queued) {
    this.inFlight = inFlight;
    this.queued = queued;
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
            e -> new Slots(new Semaphore(inFlight), new AtomicInteger(), new AtomicInteger()));
    s.waiting.incrementAndGet();
    try {
      while (!s.sending.tryAcquire(RECHECK_MILLIS, TimeUnit.MILLISECONDS)) {
        if (s.unanswered.get() >= inFlight && s.waiting.get() > queued) {
          return Optional.empty();
        }
      }
    } finally {
      s.waiting.decrementAndGet();
    }
    return Optional.of(
        answered -> {
          if (answered) {
            s.unanswered.set(0);
          } else {
            s.unanswered.incrementAndGet();
          }
          s.sending.release();
        });
  }

  /**
   * @param unanswered requests in a row that got no answer; reset by any answer
   */
  private record Slots(Semaphore sending, AtomicInteger waiting, AtomicInteger unanswered) {}
}
