package com.flintn.webhooks.admin.attempts;

import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.EndpointId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The most recent delivery attempts per endpoint, as {@link
 * com.flintn.webhooks.admin.deliveries.DeliverySearch} reads them from {@code webhooks.attempts}
 * (one reader and one parse of each record for both). Memory is bounded: at most {@code
 * perEndpoint} attempts for each of at most {@code maxEndpoints} endpoints, the endpoint heard from
 * least recently dropped first. Thread safe: guarded by {@code this}.
 */
public final class AttemptLog {
  private final int perEndpoint;
  private final int maxEndpoints;
  private final Map<EndpointId, ArrayDeque<AttemptRecord>> byEndpoint;

  public AttemptLog(int perEndpoint, int maxEndpoints) {
    this.perEndpoint = perEndpoint;
    this.maxEndpoints = maxEndpoints;
    this.byEndpoint =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<EndpointId, ArrayDeque<AttemptRecord>> e) {
            return size() > AttemptLog.this.maxEndpoints;
          }
        };
  }

  /**
   * Up to {@code limit} attempts of {@code endpoint}, newest first by start time (records of
   * different partitions arrive in no particular order).
   */
  public List<AttemptRecord> recent(EndpointId endpoint, int limit) {
    List<AttemptRecord> all;
    synchronized (this) {
      ArrayDeque<AttemptRecord> q = byEndpoint.get(endpoint);
      if (q == null) {
        return List.of();
      }
      all = new ArrayList<>(q);
    }
    all.sort(Comparator.comparing(AttemptRecord::startedAt).reversed());
    return all.subList(0, Math.min(limit, all.size()));
  }

  /** Keeps {@code a}, without most of its response excerpt. */
  public void add(AttemptRecord a) {
    AttemptRecord slim = slim(a);
    synchronized (this) {
      ArrayDeque<AttemptRecord> q =
          byEndpoint.computeIfAbsent(slim.endpointId(), k -> new ArrayDeque<>(perEndpoint));
      if (q.size() == perEndpoint) {
        q.removeFirst();
      }
      q.addLast(slim);
    }
  }

  /** What the log answers with, without the response excerpt, so memory stays bounded. */
  private static AttemptRecord slim(AttemptRecord a) {
    String detail =
        a.detail() != null && a.detail().length() > MAX_DETAIL
            ? a.detail().substring(0, MAX_DETAIL)
            : a.detail();
    return new AttemptRecord(
        a.deliveryId(),
        a.eventId(),
        a.eventType(),
        a.endpointId(),
        a.accountId(),
        a.attempt(),
        a.startedAt(),
        a.durationMs(),
        a.status(),
        a.error(),
        detail,
        null,
        a.outcome());
  }

  private static final int MAX_DETAIL = 200;
}
