package com.flintn.webhooks.dispatcher.consume;

import com.flintn.webhooks.common.message.EndpointId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/** Bounds the requests in flight to each endpoint, so one slow endpoint holds few of them. */
final class EndpointLimits {
  private final int perEndpoint;
  private final Map<EndpointId, Semaphore> permits = new ConcurrentHashMap<>();

  EndpointLimits(int perEndpoint) {
    this.perEndpoint = perEndpoint;
  }

  /** Blocks (cheaply, on a virtual thread) until {@code endpoint} has a free slot. */
  Semaphore acquire(EndpointId endpoint) throws InterruptedException {
    Semaphore s = permits.computeIfAbsent(endpoint, e -> new Semaphore(perEndpoint));
    s.acquire();
    return s;
  }
}
