package com.flintn.webhooks.scheduler.tier;

import com.flintn.webhooks.common.topic.HeaderNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * When a retry record is due: its {@code due-at} header, else its timestamp plus the tier delay.
 */
final class DueAt {
  private DueAt() {}

  static long of(ConsumerRecord<?, ?> r, Duration tierDelay) {
    long byTier = r.timestamp() + tierDelay.toMillis();
    Header h = r.headers().lastHeader(HeaderNames.DUE_AT);
    if (h != null && h.value() != null) {
      try {
        return Math.min(
            byTier, Long.parseLong(new String(h.value(), StandardCharsets.UTF_8).trim()));
      } catch (NumberFormatException e) {
        // fall through: the tier's fixed delay still says when
      }
    }
    return byTier;
  }
}
