package com.flintn.webhooks.dispatcher.consume;

import com.flintn.webhooks.common.endpoint.EndpointView;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the endpoint view up to what the endpoints table had committed, before a polled batch of
 * events is fanned out. The view follows the table on its own thread and is usually a few
 * milliseconds behind; without this, an event produced just after an endpoint was created (the API
 * answered, the table holds it) could find a view that does not know the endpoint yet, and the
 * endpoint would miss the event. One broker round trip per batch that holds events no earlier sync
 * covers ({@link SyncedEvents}); if it fails or takes longer than the bound, the batch goes on with
 * the view as it is, and that is logged.
 */
final class ViewSync {
  private static final Logger log = LoggerFactory.getLogger(ViewSync.class);
  private static final long WARN_EVERY_MILLIS = 60_000L;

  private final EndpointView view;
  private final Admin admin;
  private final Duration bound;
  private final Clock clock;
  private long lastWarnMillis;
  private long failedSinceWarn;

  ViewSync(EndpointView view, Admin admin, Duration bound, Clock clock) {
    this.view = view;
    this.admin = admin;
    this.bound = bound;
    this.clock = clock;
    this.lastWarnMillis = clock.millis() - WARN_EVERY_MILLIS;
  }

  /** Poll thread only. True when the view reached the table's committed end. */
  boolean sync() {
    try {
      view.sync(admin, bound);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (TimeoutException | ExecutionException e) {
      failedSinceWarn++;
      long now = clock.millis();
      if (now - lastWarnMillis >= WARN_EVERY_MILLIS) {
        log.warn(
            "endpoint table sync before fan-out failed {} time(s) in the last minute, going on with"
                + " the view as it is: {}",
            failedSinceWarn,
            e.getCause() == null ? e.getMessage() : e.getCause().toString());
        lastWarnMillis = now;
        failedSinceWarn = 0;
      }
    }
    return false;
  }
}
