package com.flintn.webhooks.dispatcher.consume;

import com.flintn.webhooks.common.message.EndpointId;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Isolates endpoints from each other. At most {@code inFlight} requests go to one endpoint at once;
 * more deliveries wait for a slot. An endpoint is stalled when its last {@code inFlight} requests
 * in a row got no answer at all (timeouts, refused or reset connections; any HTTP status is an
 * answer and ends the run). While it is stalled only {@code queued} deliveries may keep waiting for
 * it: the others, new or already waiting, are refused here and the caller defers them to the first
 * retry tier. So an endpoint that stops answering holds at most {@code inFlight + queued} records
 * of the partition window once its first requests have timed out, while an endpoint that answers,
 * however slowly or busily, is never deferred. Thread safe.
 *
 * <p>Waiters park without a timeout: a release wakes one of them, and the moment an endpoint
 * becomes stalled wakes all, so the surplus leaves at once. (Waiting with timeouts and rechecking
 * made every waiter of a busy endpoint cancel and requeue ten times a second; with hundreds of
 * waiters the queue clean-up alone took 14% of the CPU in benchmark P1.)
 */
final class EndpointLimits {
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
    Slots s = slots.computeIfAbsent(endpoint, e -> new Slots(inFlight));
    s.lock.lock();
    try {
      s.waiting++;
      try {
        while (s.available == 0) {
          if (s.unanswered >= inFlight && s.waiting > queued) {
            return Optional.empty();
          }
          s.changed.await();
        }
        s.available--;
      } finally {
        s.waiting--;
      }
    } finally {
      s.lock.unlock();
    }
    return Optional.of(answered -> s.release(answered, inFlight));
  }

  /** One endpoint's slots; every field guarded by {@code lock}. */
  private static final class Slots {
    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();
    int available;
    int waiting;

    /** Requests in a row that got no answer; reset by any answer. */
    int unanswered;

    Slots(int inFlight) {
      this.available = inFlight;
    }

    void release(boolean answered, int inFlight) {
      lock.lock();
      try {
        boolean wasStalled = unanswered >= inFlight;
        unanswered = answered ? 0 : unanswered + 1;
        available++;
        if (!wasStalled && unanswered >= inFlight) {
          changed.signalAll(); // now stalled: the surplus of waiters leaves
        } else {
          changed.signal();
        }
      } finally {
        lock.unlock();
      }
    }
  }
}
